/**
 * The operator bundle's source map, trimmed to the operator's own code
 * (issue 18: the full map cost about 80 MiB of heap once Node parsed it).
 * Built with esbuild from a small project with a dependency, read back by
 * Node's own source map support.
 */
import { describe, expect, test } from '@jest/globals';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMappings, encodeMappings, keepSources, type SourceMapV3 } from '../../scripts/source-map';

/**
 * A bundle of our `fail.ts` (which throws from line 3), a dependency in
 * node_modules (which throws from line 2) and `main.ts`; esbuild emits them in
 * that order, so the dependency's code follows ours.
 */
async function bundle(): Promise<{ dir: string; file: string; map: SourceMapV3 }> {
  const dir = mkdtempSync(join(tmpdir(), 'source-map-'));
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), 'export function depFails() {\n  throw new Error("in the dependency");\n}\n');
  writeFileSync(join(dir, 'fail.ts'), 'export function ourFails(): never {\n  const where: string = "in our code";\n  throw new Error(where);\n}\n');
  writeFileSync(join(dir, 'main.ts'), 'import { ourFails } from "./fail";\nimport { depFails } from "dep";\nif (process.argv[2] === "ours") ourFails();\ndepFails();\n');
  const file = join(dir, 'out.mjs');
  await build({ entryPoints: [join(dir, 'main.ts')], outfile: file, bundle: true, platform: 'node', format: 'esm', sourcemap: 'linked', logLevel: 'silent' });
  return { dir, file, map: JSON.parse(readFileSync(`${file}.map`, 'utf8')) };
}

/** The first stack frame of running the bundle with source maps on. */
function firstFrame(file: string, which: string): string {
  const run = spawnSync(process.execPath, ['--enable-source-maps', file, which], { encoding: 'utf8' });
  return /^\s+at .*$/m.exec(run.stderr)![0].trim();
}

describe('operator bundle source map (issue 18)', () => {
  test('decoding and encoding the mappings gives back the same text', async () => {
    const { dir, map } = await bundle();
    try {
      expect(encodeMappings(decodeMappings(map.mappings))).toBe(map.mappings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('trimmed to our sources: our frames still map to the TypeScript line, a dependency\'s to the bundle, never to our code', async () => {
    const { dir, file, map } = await bundle();
    try {
      const trimmed = keepSources(map, (source) => !source.includes('node_modules/'));
      writeFileSync(`${file}.map`, JSON.stringify(trimmed));
      expect(trimmed.sources).toEqual(['fail.ts', 'main.ts']);
      expect(trimmed.sourcesContent).toBeUndefined();
      expect(firstFrame(file, 'ours')).toMatch(/fail\.ts:3:\d+\)?$/);
      expect(firstFrame(file, 'theirs')).toMatch(/out\.mjs:\d+:\d+\)?$/);
      // Node's reading of the map: the dependency's lines find no source.
      const dependencyLine = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes('in the dependency'));
      expect(new SourceMap(trimmed as never).findEntry(dependencyLine, 2)).not.toHaveProperty('originalSource', expect.any(String));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
