/**
 * `npm run docs`: regenerates what docs/ holds that the code knows (the
 * configuration, CRD and coverage references, the architecture diagrams, the
 * generated blocks of the guides). `npm run diagrams` writes the diagrams only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { diagrams, DOCS_DIR, generatedDocs } from './docs/generate';

const only = process.argv.slice(2);
if (only.length > 1 || (only.length === 1 && only[0] !== 'diagrams')) {
  console.error(`usage: npm run docs [-- diagrams]   (got: ${only.join(' ')})`);
  process.exit(2);
}
const files = only[0] === 'diagrams' ? await diagrams() : await generatedDocs();
for (const [path, text] of files) {
  const target = join(DOCS_DIR, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}
console.log(`wrote ${files.size} files under ${relative(process.cwd(), DOCS_DIR) || '.'}`);
