/**
 * `npm run argocd`: Argo CD's components for the GitOps tests, built from its
 * published Go module (`hack/argocd/`, v3.2.6: research argocd.md says why
 * that release) into
 * `${ACK_ARGOCD_CACHE:-~/.cache/ack-systems/argocd}/<version>-<hash of go.mod+go.sum>/`,
 * outside the repository, once. The binary is multi-call (it runs the component
 * its file name says), so each component is a symlink to it. About 10 minutes
 * the first time on two cores. `npm run argocd -- --cached` only says whether
 * it is built (exit status 0) or not (1).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths';
import { goCommand } from './testbin';

export const ARGOCD_MODULE = join(REPO_ROOT, 'hack', 'argocd');
export const ARGOCD_COMPONENTS = ['argocd-application-controller', 'argocd-repo-server', 'argocd-server'] as const;
const COMPLETE_MARKER = '.complete';

export function argocdVersion(): string {
  return /github\.com\/argoproj\/argo-cd\/v3 (v\S+)/.exec(readFileSync(join(ARGOCD_MODULE, 'go.mod'), 'utf8'))![1];
}

export function argocdDir(): string {
  const hash = createHash('sha256').update(readFileSync(join(ARGOCD_MODULE, 'go.mod'))).update(readFileSync(join(ARGOCD_MODULE, 'go.sum'))).digest('hex').slice(0, 12);
  const cache = process.env.ACK_ARGOCD_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ack-systems', 'argocd');
  return join(cache, `${argocdVersion()}-${hash}`);
}

/** The components' paths; throws, saying how to build them, when they are missing. */
export function argocdPaths(): Record<(typeof ARGOCD_COMPONENTS)[number], string> {
  const dir = argocdDir();
  if (!existsSync(join(dir, COMPLETE_MARKER))) throw new Error(`Argo CD is not built in ${dir}: run \`npm run argocd\` (about 10 minutes once, then cached)`);
  return Object.fromEntries(ARGOCD_COMPONENTS.map((name) => [name, join(dir, name)])) as Record<(typeof ARGOCD_COMPONENTS)[number], string>;
}

/** Where Argo CD's CRDs are: in its module, as the module proxy served it. */
export function argocdCrdsDir(go = 'go'): string {
  const result = spawnSyncJson(go, ['mod', 'download', '-json', `github.com/argoproj/argo-cd/v3@${argocdVersion()}`]);
  return join(result.Dir as string, 'manifests', 'crds');
}

function spawnSyncJson(command: string, args: string[]): Record<string, unknown> {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ARGOCD_MODULE, env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export async function ensureArgoCd(): Promise<string> {
  const dir = argocdDir();
  if (existsSync(join(dir, COMPLETE_MARKER))) {
    console.log(`argocd: up to date in ${dir}`);
    return dir;
  }
  const { go, version } = goCommand();
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  console.log(`argocd: ${version}; building Argo CD ${argocdVersion()} into ${dir} (about 10 minutes)`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['build', '-trimpath', '-o', join(staging, 'argocd'), 'github.com/argoproj/argo-cd/v3/cmd'], {
      cwd: ARGOCD_MODULE,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`go build of Argo CD failed (exit ${code})`))));
  });
  for (const component of ARGOCD_COMPONENTS) symlinkSync('argocd', join(staging, component));
  writeFileSync(join(staging, COMPLETE_MARKER), `${argocdVersion()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  console.log(`argocd: done in ${Math.round((Date.now() - started) / 1000)} s: ${dir}`);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--cached') {
    // Builds nothing: exit status 0 when the build is in the cache, 1 when not (.ci/run asks).
    const cached = existsSync(join(argocdDir(), COMPLETE_MARKER));
    console.log(`argocd: ${cached ? 'cached' : 'not built'} in ${argocdDir()}`);
    process.exitCode = cached ? 0 : 1;
  } else {
    ensureArgoCd().catch((error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    });
  }
}
