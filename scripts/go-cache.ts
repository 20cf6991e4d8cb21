/**
 * Binaries built with Go from a module in this repository and cached outside
 * it, in `${<cacheEnv>:-~/.cache/ack-systems/<name>}/<version>-<hash of go.mod+go.sum>/`,
 * built once and again only when the module's pins change (Argo CD for the
 * GitOps tests, the controller-runtime peer for the benchmark).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { goCommand } from './testbin';

const COMPLETE_MARKER = '.complete';

export interface GoCache {
  /** Names the cache folder and prefixes the log lines. */
  readonly name: string;
  /** Environment variable that overrides the cache's parent folder. */
  readonly cacheEnv: string;
  /** The Go module's folder. */
  readonly module: string;
  /** Version in the folder's name. */
  readonly version: string;
  /** Source files of the module (besides go.mod and go.sum) whose change means a rebuild. */
  readonly sources?: readonly string[];
}

/** Where the build lives (whether or not it is there yet). */
export function goCacheDir(cache: GoCache): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', ...(cache.sources ?? [])]) hash.update(readFileSync(join(cache.module, file)));
  const parent = process.env[cache.cacheEnv] ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ack-systems', cache.name);
  return join(parent, `${cache.version}-${hash.digest('hex').slice(0, 12)}`);
}

export const isBuilt = (cache: GoCache) => existsSync(join(goCacheDir(cache), COMPLETE_MARKER));

/** Builds into a staging folder with `build(go, staging)` unless already built; returns the folder. */
export async function ensureGoCache(cache: GoCache, build: (go: string, staging: string) => Promise<void>): Promise<string> {
  const dir = goCacheDir(cache);
  if (isBuilt(cache)) {
    console.log(`${cache.name}: up to date in ${dir}`);
    return dir;
  }
  const { go, version } = goCommand();
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  console.log(`${cache.name}: ${version}; building ${cache.version} into ${dir}`);
  const started = Date.now();
  await build(go, staging);
  writeFileSync(join(staging, COMPLETE_MARKER), `${cache.version}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  console.log(`${cache.name}: done in ${Math.round((Date.now() - started) / 1000)} s: ${dir}`);
  return dir;
}

/** The command-line entry of a cache script: `--cached` only says whether it is built (exit status 0) or not (1). */
export function goCacheMain(cache: GoCache, ensure: () => Promise<string>): void {
  if (process.argv[2] === '--cached') {
    console.log(`${cache.name}: ${isBuilt(cache) ? 'cached' : 'not built'} in ${goCacheDir(cache)}`);
    process.exitCode = isBuilt(cache) ? 0 : 1;
    return;
  }
  ensure().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
