/**
 * `npm run bench`: what the project's constructs cost over plain cdk8s.
 *
 * - project: load + validate config, build every system chart for every
 *   environment, render YAML (in memory);
 * - plain:   the same manifests as plain cdk8s `ApiObject`s, rendered the same way;
 * - the ratio project / plain, and one full `synthesize()` into a temp folder.
 *
 * Medians over BENCH_RUNS runs (default 15) after a warm-up; printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { buildEnvironment, renderEnvironment, synthesize } from '../charts/app';
import { loadEnvironments } from '../lib/config/load';
import { REPO_ROOT } from '../lib/paths';

const CONFIG_DIR = process.env.CONFIG_DIR ?? join(REPO_ROOT, 'config');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function median(fn: () => void): number {
  fn(); // warm-up: module loading, JIT
  const times = Array.from({ length: RUNS }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const project = () => loadEnvironments(CONFIG_DIR).map((env) => renderEnvironment(env));

/** The project's output as JSON, one entry per output file. */
const files = loadEnvironments(CONFIG_DIR).flatMap((env) => buildEnvironment(env).charts.map((chart) => chart.toJson()));
const objectCount = files.reduce((sum, objects) => sum + objects.length, 0);

const plain = () => {
  const app = new App();
  files.forEach((objects, fileIndex) => {
    const chart = new Chart(app, `file-${fileIndex}`);
    objects.forEach((manifest, i) => new ApiObject(chart, `o${i}`, manifest));
  });
  app.charts.map((chart) => Yaml.stringify(...chart.toJson()));
};

const projectMs = median(project);
const plainMs = median(plain);
const out = mkdtempSync(join(tmpdir(), 'bench-dist-'));
const start = performance.now();
synthesize({ configDir: CONFIG_DIR, outDir: join(out, 'dist') });
const fullMs = performance.now() - start;
rmSync(out, { recursive: true, force: true });

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`synth benchmark: ${files.length} files, ${objectCount} objects, median of ${RUNS} runs`);
console.log(`  project (config + constructs + tags/regions + YAML): ${fmt(projectMs)}`);
console.log(`  plain cdk8s ApiObjects, same manifests:              ${fmt(plainMs)}`);
console.log(`  ratio project / plain:                               ${(projectMs / plainMs).toFixed(2)}x`);
console.log(`  one synthesize() to disk (atomic swap):              ${fmt(fullMs)}`);
