/**
 * `npm run testbin`: provides kube-apiserver, etcd and kubectl for the
 * integration tests, built from the Go module in `hack/k8s-testbin/`.
 *
 * - KUBEBUILDER_ASSETS (the envtest convention, e.g. from `setup-envtest use`)
 *   names a folder holding the three binaries: it is used as is, nothing is built.
 * - It also provides the SARIF 2.1.0 schema the lint tests validate against (scripts/sarif-schema.ts).
 * - Otherwise the binaries live in
 *   `${ACK_TESTBIN_CACHE:-~/.cache/ack-systems/testbin}/<k8s>-etcd<etcd>-<hash of go.mod+go.sum>`,
 *   outside the repository, and are built only when that folder is missing,
 *   i.e. the first time and whenever the pinned versions change.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths';
import { ensureSarifSchema, sarifSchemaPath } from './sarif-schema';

export const TESTBIN_MODULE = join(REPO_ROOT, 'hack', 'k8s-testbin');
export const TESTBIN_BINARIES = ['kube-apiserver', 'etcd', 'kubectl'] as const;
const COMPLETE_MARKER = '.complete';
/** Fetched when this machine has no Go, or one older than hack/k8s-testbin's `go` line. */
const FALLBACK_GO = 'go1.25.14';

export interface TestbinVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  /** Identifies the pinned module: changes whenever go.mod or go.sum do. */
  readonly key: string;
}

export function testbinVersions(): TestbinVersions {
  const goMod = readFileSync(join(TESTBIN_MODULE, 'go.mod'), 'utf8');
  const goSum = readFileSync(join(TESTBIN_MODULE, 'go.sum'), 'utf8');
  const required = (module: string) => {
    const version = new RegExp(`^\\s*${module.replaceAll('.', '\\.')} (v\\S+)`, 'm').exec(goMod)?.[1];
    if (!version) throw new Error(`hack/k8s-testbin/go.mod does not require ${module}`);
    return version;
  };
  const kubernetes = required('k8s.io/kubernetes');
  const etcd = required('go.etcd.io/etcd/server/v3');
  const hash = createHash('sha256').update(goMod).update(goSum).digest('hex').slice(0, 12);
  return { kubernetes, etcd, key: `${kubernetes}-etcd${etcd}-${hash}` };
}

/** Where the binaries are, and whether they come from KUBEBUILDER_ASSETS. */
export function testbinDir(): { dir: string; fromEnvironment: boolean } {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets) return { dir: assets, fromEnvironment: true };
  const cache = process.env.ACK_TESTBIN_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ack-systems', 'testbin');
  return { dir: join(cache, testbinVersions().key), fromEnvironment: false };
}

/** The binaries' paths; throws, saying how to provide them, when any is missing. */
export function testbinPaths(): Record<(typeof TESTBIN_BINARIES)[number], string> {
  const { dir, fromEnvironment } = testbinDir();
  const missing = TESTBIN_BINARIES.filter((name) => !existsSync(join(dir, name)));
  const incomplete = !fromEnvironment && !existsSync(join(dir, COMPLETE_MARKER));
  if (missing.length > 0 || incomplete) {
    const source = fromEnvironment ? `KUBEBUILDER_ASSETS (${dir})` : dir;
    throw new Error(
      `${missing.length > 0 ? missing.join(', ') : 'the test binaries'} not found in ${source}. ` +
        'Run `npm run testbin` (builds kube-apiserver, etcd and kubectl with Go; 10-20 minutes once, then cached), ' +
        'or set KUBEBUILDER_ASSETS to a folder holding all three (e.g. `setup-envtest use -p path` plus a kubectl).',
    );
  }
  return Object.fromEntries(TESTBIN_BINARIES.map((name) => [name, join(dir, name)])) as Record<(typeof TESTBIN_BINARIES)[number], string>;
}

/** `-X` flags so that the binaries report their real version (kubectl warns about skew otherwise). */
function versionFlags(kubernetes: string): string {
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => [`-X ${pkg}.gitVersion=${kubernetes}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`])
    .join(' ');
}

/** `1.25.0` → comparable number. */
const versionNumber = (version: string) => version.split('.').reduce((sum, part, i) => sum + Number(part) * 1000 ** (2 - i), 0);

/** The `go` command to build with: this machine's if new enough, else a pinned toolchain fetched by scripts/fetch-go.sh. */
export function goCommand(): { go: string; version: string } {
  const needed = /^go (\S+)$/m.exec(readFileSync(join(TESTBIN_MODULE, 'go.mod'), 'utf8'))![1];
  const local = spawnSync('go', ['version'], { encoding: 'utf8' });
  const localVersion = /go version go(\d+\.\d+(?:\.\d+)?)/.exec(local.stdout ?? '')?.[1];
  if (localVersion && versionNumber(localVersion) >= versionNumber(needed)) return { go: 'go', version: local.stdout.trim() };
  console.log(`testbin: ${localVersion ? `Go ${localVersion} is older than the ${needed} hack/k8s-testbin needs` : 'no Go on PATH'}; using ${FALLBACK_GO}`);
  const fetched = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'fetch-go.sh'), FALLBACK_GO], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (fetched.status !== 0) throw new Error(`testbin: could not fetch ${FALLBACK_GO}; install Go >= ${needed} (https://go.dev/dl) or set KUBEBUILDER_ASSETS`);
  return { go: join(fetched.stdout.trim(), 'go'), version: `${FALLBACK_GO} (fetched)` };
}

/** Runs `go build -v` in `module` (default hack/k8s-testbin), printing a progress line every 100 packages under `tool`'s name. */
export function goBuild(go: string, label: string, outPath: string, packages: string[], ldflags: string, { module = TESTBIN_MODULE, tool = 'testbin' } = {}): Promise<void> {
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

/** Builds the binaries unless they are already there; returns their folder. */
export async function ensureTestbin(): Promise<string> {
  const { dir, fromEnvironment } = testbinDir();
  if (fromEnvironment) {
    testbinPaths(); // verifies all three are there
    console.log(`testbin: using KUBEBUILDER_ASSETS=${dir}`);
    return dir;
  }
  if (existsSync(join(dir, COMPLETE_MARKER))) {
    console.log(`testbin: up to date in ${dir}`);
    return dir;
  }
  const { go, version } = goCommand();
  const { kubernetes, etcd } = testbinVersions();
  console.log(`testbin: ${version}; building Kubernetes ${kubernetes} and etcd ${etcd} into ${dir}`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  await goBuild(go, `kube-apiserver + kubectl ${kubernetes}`, `${staging}/`, ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kubectl'], versionFlags(kubernetes));
  // The module root of etcd's server is its main package; name the output, or it is called "v3".
  await goBuild(go, `etcd ${etcd}`, join(staging, 'etcd'), ['go.etcd.io/etcd/server/v3'], '');
  writeFileSync(join(staging, COMPLETE_MARKER), `${kubernetes} ${etcd}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  console.log(`testbin: done in ${elapsed(started)}: ${dir}`);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTestbin()
    .then(() => {
      // The lint tests validate SARIF against the official schema, which also comes through Go.
      const schema = existsSync(sarifSchemaPath()) ? sarifSchemaPath() : ensureSarifSchema(goCommand().go);
      console.log(`testbin: SARIF 2.1.0 schema in ${schema}`);
    })
    .catch((error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    });
}
