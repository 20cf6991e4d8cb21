/**
 * Every optional prop of a construct documents its default (a literal, or
 * `- <behaviour>`), the way aws-cdk-lib requires: an undocumented default is a
 * default nobody chose.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../lib/paths';

const CONSTRUCTS = join(REPO_ROOT, 'charts', 'constructs');

/** `file: prop` for every optional interface prop whose doc comment lacks `@default`. */
function undocumentedDefaults(file: string, text: string): string[] {
  const missing: string[] = [];
  const optionalProp = /^\s*readonly (\w+)\?:/;
  const lines = text.split('\n');
  let inInterface = false;
  lines.forEach((line, index) => {
    if (/^(export )?interface \w+/.test(line)) inInterface = true;
    if (line === '}') inInterface = false;
    const prop = inInterface ? optionalProp.exec(line)?.[1] : undefined;
    if (!prop) return;
    let start = index - 1;
    while (start >= 0 && !lines[start].includes('/**') && lines[start].trim().startsWith('*')) start--;
    const doc = start >= 0 && lines[start].includes('/**') ? lines.slice(start, index).join('\n') : '';
    if (!doc.includes('@default')) missing.push(`${file}: ${prop}`);
  });
  return missing;
}

describe('construct documentation', () => {
  test('every optional construct prop states its @default', () => {
    const files = readdirSync(CONSTRUCTS).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    expect(files.flatMap((name) => undocumentedDefaults(name, readFileSync(join(CONSTRUCTS, name), 'utf8')))).toEqual([]);
  });

  test('the check finds a missing @default', () => {
    const text = ['interface P {', '  /** Just words. */', '  readonly size?: number;', '  /** @default 3 */', '  readonly count?: number;', '  readonly bare?: string;', '}'].join('\n');
    expect(undocumentedDefaults('p.ts', text)).toEqual(['p.ts: size', 'p.ts: bare']);
  });
});
