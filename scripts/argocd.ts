/**
 * `npm run argocd`: Argo CD's components for the GitOps tests, built from its
 * published Go module (`hack/argocd/`, v3.2.6: research argocd.md says why
 * that release) into `${ACK_ARGOCD_CACHE:-~/.cache/ack-systems/argocd}/<version>-<hash>/`
 * (scripts/go-cache.ts), outside the repository, once. The binary is
 * multi-call (it runs the component its file name says), so each component is
 * a symlink to it. About 10 minutes the first time on two cores.
 * `npm run argocd -- --cached` only says whether it is built (exit status 0) or not (1).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths';
import { ensureGoCache, goCacheDir, goCacheMain, isBuilt, type GoCache } from './go-cache';

export const ARGOCD_MODULE = join(REPO_ROOT, 'hack', 'argocd');
export const ARGOCD_COMPONENTS = ['argocd-application-controller', 'argocd-repo-server', 'argocd-server'] as const;

export function argocdVersion(): string {
  return /github\.com\/argoproj\/argo-cd\/v3 (v\S+)/.exec(readFileSync(join(ARGOCD_MODULE, 'go.mod'), 'utf8'))![1];
}

const ARGOCD_CACHE: GoCache = { name: 'argocd', cacheEnv: 'ACK_ARGOCD_CACHE', module: ARGOCD_MODULE, version: argocdVersion() };

/** The components' paths; throws, saying how to build them, when they are missing. */
export function argocdPaths(): Record<(typeof ARGOCD_COMPONENTS)[number], string> {
  const dir = goCacheDir(ARGOCD_CACHE);
  if (!isBuilt(ARGOCD_CACHE)) throw new Error(`Argo CD is not built in ${dir}: run \`npm run argocd\` (about 10 minutes once, then cached)`);
  return Object.fromEntries(ARGOCD_COMPONENTS.map((name) => [name, join(dir, name)])) as Record<(typeof ARGOCD_COMPONENTS)[number], string>;
}

/** Where Argo CD's CRDs are: in its module, as the module proxy served it. */
export function argocdCrdsDir(go = 'go'): string {
  const result = spawnSync(go, ['mod', 'download', '-json', `github.com/argoproj/argo-cd/v3@${argocdVersion()}`], { encoding: 'utf8', cwd: ARGOCD_MODULE, env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' } });
  if (result.status !== 0) throw new Error(`go mod download argo-cd: ${result.stderr}`);
  return join(JSON.parse(result.stdout).Dir as string, 'manifests', 'crds');
}

export function ensureArgoCd(): Promise<string> {
  return ensureGoCache(ARGOCD_CACHE, async (goBuild, staging) => {
    await goBuild(`Argo CD ${argocdVersion()} (about 10 minutes)`, join(staging, 'argocd'), ['github.com/argoproj/argo-cd/v3/cmd']);
    for (const component of ARGOCD_COMPONENTS) symlinkSync('argocd', join(staging, component));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) goCacheMain(ARGOCD_CACHE, ensureArgoCd);
