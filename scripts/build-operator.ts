/**
 * `npm run build:operator`: bundles the operator and every dependency into
 * one file, `build/operator.mjs`, so that the container image needs Node and
 * nothing else: no node_modules, no npm, no package scripts at run time. Its
 * source map covers the operator's own code only (see `source-map.ts`).
 */
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESM_REQUIRE_BANNER } from '../lib/esm';
import { OPERATOR_BUNDLE, REPO_ROOT } from '../lib/paths';
import { keepSources } from './source-map';

await build({
  entryPoints: [resolve(REPO_ROOT, 'operator', 'main.ts')],
  outfile: OPERATOR_BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  banner: { js: ESM_REQUIRE_BANNER },
  sourcemap: 'linked',
  // No comments and no layout: a third less source for V8 to compile at every
  // start, and ASCII only, so that V8 keeps the source at one byte a character
  // (a single non-ASCII character in a comment made the whole 7 MB two-byte:
  // 14 MiB of heap). Names stay, for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
  // Dependencies' license notices, in the file the image ships beside the bundle.
  legalComments: 'linked',
  logLevel: 'warning',
});
const mapFile = `${OPERATOR_BUNDLE}.map`;
writeFileSync(mapFile, JSON.stringify(keepSources(JSON.parse(readFileSync(mapFile, 'utf8')), (source) => !source.includes('node_modules/'))));
console.log(`bundled the operator into ${OPERATOR_BUNDLE}`);
