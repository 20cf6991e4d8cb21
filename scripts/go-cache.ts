/**
 * Binaries built with Go from a module in this repository and cached outside
 * it, in `${<cacheEnv>:-~/.cache/ack-systems/<name>}/<version>-<hash of go.mod+go.sum>/`,
 * built once and again only when the module's pins change (kube-apiserver,
 * etcd and kubectl for the integration tests, Argo CD for the GitOps tests,
 * the controller-runtime peer for the benchmark), and the `go` command that
 * builds them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../lib/paths';

const COMPLETE_MARKER = '.complete';
/** Fetched when this machine has no Go, or one older than a module's `go` line. */
const FALLBACK_GO = 'go1.25.14';

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

/** `go build` of `packages` in the cache's module to `outPath` (a file, or a folder ending in `/`). */
export type GoBuilder = (label: string, outPath: string, packages: string[], ldflags?: string) => Promise<void>;

/** Builds into a staging folder with `build(goBuild, staging)` unless already built; returns the folder. */
export async function ensureGoCache(cache: GoCache, build: (goBuild: GoBuilder, staging: string) => Promise<void>): Promise<string> {
  const dir = goCacheDir(cache);
  if (isBuilt(cache)) {
    console.log(`${cache.name}: up to date in ${dir}`);
    return dir;
  }
  const { go, version } = goCommand(cache.module);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  console.log(`${cache.name}: ${version}; building ${cache.version} into ${dir}`);
  const started = Date.now();
  await build((label, outPath, packages, ldflags = '') => goBuild(go, cache, label, outPath, packages, ldflags), staging);
  writeFileSync(join(staging, COMPLETE_MARKER), `${cache.version}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  console.log(`${cache.name}: done in ${elapsed(started)}: ${dir}`);
  return dir;
}

/** `1.25.0` → comparable number. */
const versionNumber = (version: string) => version.split('.').reduce((sum, part, i) => sum + Number(part) * 1000 ** (2 - i), 0);

/**
 * The `go` command to build `module` with: this machine's if new enough for
 * the module's `go` line, else a pinned toolchain fetched by scripts/fetch-go.sh.
 */
export function goCommand(module: string): { go: string; version: string } {
  const needed = /^go (\S+)$/m.exec(readFileSync(join(module, 'go.mod'), 'utf8'))![1];
  const name = relative(REPO_ROOT, module);
  const local = spawnSync('go', ['version'], { encoding: 'utf8' });
  const localVersion = /go version go(\d+\.\d+(?:\.\d+)?)/.exec(local.stdout ?? '')?.[1];
  if (localVersion && versionNumber(localVersion) >= versionNumber(needed)) return { go: 'go', version: local.stdout.trim() };
  if (versionNumber(FALLBACK_GO.replace(/^go/, '')) < versionNumber(needed)) {
    throw new Error(`${name} needs Go >= ${needed}${localVersion ? `; this machine has ${localVersion}` : ', and there is none on PATH'}: install it (https://go.dev/dl)`);
  }
  console.log(`go: ${localVersion ? `Go ${localVersion} is older than the ${needed} ${name} needs` : 'no Go on PATH'}; using ${FALLBACK_GO}`);
  const fetched = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'fetch-go.sh'), FALLBACK_GO], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (fetched.status !== 0) throw new Error(`go: could not fetch ${FALLBACK_GO}; install Go >= ${needed} (https://go.dev/dl)`);
  return { go: join(fetched.stdout.trim(), 'go'), version: `${FALLBACK_GO} (fetched)` };
}

/** Runs `go build -v` in the cache's module, printing a progress line every 100 packages under the cache's name. */
function goBuild(go: string, { module, name: tool }: GoCache, label: string, outPath: string, packages: string[], ldflags: string): Promise<void> {
  const started = Date.now();
  console.log(`${tool}: building ${label} ...`);
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['build', '-v', '-trimpath', '-ldflags', `-s -w ${ldflags}`, '-o', outPath, ...packages], {
      cwd: module,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let packagesBuilt = 0;
    let errors = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        if (/^[\w.\-/]+$/.test(line)) {
          packagesBuilt += 1;
          if (packagesBuilt % 100 === 0) console.log(`${tool}:   ${label}: ${packagesBuilt} packages compiled (${elapsed(started)})`);
        } else {
          errors += `${line}\n`;
        }
      }
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        console.log(`${tool}: built ${label} in ${elapsed(started)}`);
        resolve();
      } else {
        reject(new Error(`go build of ${label} failed (exit ${code}):\n${errors}`));
      }
    });
  });
}

function elapsed(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
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
