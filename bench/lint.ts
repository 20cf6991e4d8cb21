/**
 * `npm run bench:lint`: how fast the rules run (R-L3). Lints 10,000 objects
 * (the committed dist/ repeated into as many namespaces as it takes, so every
 * rule and every cross-object lookup has real work) and the committed dist/
 * alone, and prints objects per second. Medians of BENCH_RUNS runs (default
 * 5) after a warm-up; printed, never asserted. Goal: all of dist/ in well
 * under a second.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '../lib/paths';
import { lint } from '../lint/engine';
import { loadManifests, type LoadedDocument } from '../lint/load';
import { LintSet } from '../lint/objects';
import { RULES } from '../lint/rules/index';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET = Number(process.env.BENCH_OBJECTS ?? 10_000);

function median(fn: () => void): number {
  fn();
  const times = Array.from({ length: RUNS }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const loadStart = performance.now();
const dist = loadManifests([join(REPO_ROOT, 'dist')]);
const loadMs = performance.now() - loadStart;

/** `dist/` again and again, each copy in namespaces of its own, until `TARGET` objects. */
const copies: LoadedDocument[] = [];
for (let copy = 0; copies.length < TARGET; copy++) {
  for (const { manifest, source } of dist) {
    if (copies.length === TARGET) break;
    const rename = (ns: unknown) => (typeof ns === 'string' ? `${ns}-c${copy}` : ns);
    const namespace = manifest.kind === 'Namespace' ? undefined : rename(manifest.metadata?.namespace);
    copies.push({ manifest: { ...manifest, metadata: { ...manifest.metadata, ...(manifest.kind === 'Namespace' ? { name: rename(manifest.metadata?.name) } : { namespace }) } }, source });
  }
}

const run = (documents: readonly LoadedDocument[]) => () => void lint(new LintSet(documents), RULES);
const distMs = median(run(dist));
const bigMs = median(run(copies));
const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en')} objects/s`;

console.log(`lint benchmark: ${RULES.length} rules, median of ${RUNS} runs`);
console.log(`  read and parse dist/ (${dist.length} objects):      ${loadMs.toFixed(0)} ms`);
console.log(`  lint dist/ (${dist.length} objects):                 ${distMs.toFixed(0)} ms, ${rate(dist.length, distMs)}`);
console.log(`  lint ${copies.length.toLocaleString('en')} objects:                      ${bigMs.toFixed(0)} ms, ${rate(copies.length, bigMs)}`);
