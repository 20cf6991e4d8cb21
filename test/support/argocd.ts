/**
 * A real Argo CD for the GitOps tests (R-D1): its application controller and
 * repo server, built from the published module (`npm run argocd`), Redis
 * (Debian's `redis-server`), and a Git repository served on loopback by
 * `git daemon` from a temporary clone holding `dist/`. The controller runs
 * outside the cluster (`--kubeconfig`); Argo CD's in-cluster address needs a
 * pod's service account, so the test API server is declared as a cluster
 * (a cluster Secret) and the Applications' destination is rewritten to it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../lib/paths';
import { argocdPaths } from '../../scripts/argocd';
import { freePorts, kubectl, type ControlPlane } from './control-plane';

export const ARGOCD_NAMESPACE = 'argocd';

export interface ArgoCd {
  /** `git://127.0.0.1:<port>/ack-systems.git`, serving `main`. */
  readonly repoURL: string;
  /** The destination server Applications name here: the test API server, declared as a cluster. */
  readonly server: string;
  /** Replaces the repository's `dist/` with `files` (path below dist/ → text), commits and pushes; returns the commit's SHA. */
  commit(files: ReadonlyMap<string, string>, message: string): string;
  readonly logs: { readonly controller: string; readonly repoServer: string };
  stop(): Promise<void>;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function started(child: ChildProcess, log: string): ChildProcess {
  const out = createWriteStream(log);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

export async function startArgoCd(controlPlane: ControlPlane): Promise<ArgoCd> {
  const paths = argocdPaths();
  const dir = mkdtempSync(join(tmpdir(), 'argocd-'));
  const children: ChildProcess[] = [];

  // Git: a bare repository served read-only by git daemon, and a work tree to commit from.
  const bare = join(dir, 'git', 'ack-systems.git');
  mkdirSync(bare, { recursive: true });
  run('git', ['init', '--bare', '--initial-branch=main', bare], dir);
  const work = join(dir, 'work');
  run('git', ['init', '--initial-branch=main', work], dir);
  run('git', ['remote', 'add', 'origin', bare], work);
  const commit = (files: ReadonlyMap<string, string>, message: string) => {
    rmSync(join(work, 'dist'), { recursive: true, force: true });
    for (const [path, text] of files) {
      mkdirSync(join(work, 'dist', path, '..'), { recursive: true });
      writeFileSync(join(work, 'dist', path), text);
    }
    run('git', ['add', '-A'], work);
    run('git', ['commit', '--allow-empty', '-q', '-m', message], work);
    run('git', ['push', '-q', 'origin', 'main'], work);
    return run('git', ['rev-parse', 'HEAD'], work).trim();
  };
  const [gitPort, redisPort, repoPort, repoMetricsPort, controllerMetricsPort] = await freePorts(5);
  children.push(
    started(spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${join(dir, 'git')}`, `--port=${gitPort}`, '--listen=127.0.0.1', join(dir, 'git')], { stdio: ['ignore', 'pipe', 'pipe'] }), join(dir, 'git-daemon.log')),
  );

  // Argo CD's own objects: namespace, the default project, settings and secret; the health checks synth wrote.
  const apply = (manifest: object) => {
    const result = kubectl(controlPlane, ['apply', '--server-side', '--field-manager=test', '-f', '-'], { input: JSON.stringify(manifest) });
    if (result.status !== 0) throw new Error(`kubectl apply: ${result.stderr}`);
  };
  apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } });
  apply({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  });
  apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } }, data: { 'timeout.reconciliation': '5s' } });
  apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-rbac-cm', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } } });
  apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cmd-params-cm', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } } });
  apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'argocd-secret', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } }, stringData: { 'server.secretkey': 'test-only-not-a-secret' } });
  // The destination: this API server as a declared cluster (Argo CD's in-cluster address needs a pod's service account).
  apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'test-cluster', namespace: ARGOCD_NAMESPACE, labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
    stringData: { name: 'test', server: controlPlane.server, config: JSON.stringify({ bearerToken: controlPlane.admin.token, tlsClientConfig: { insecure: true } }) },
  });
  const health = kubectl(controlPlane, ['apply', '--server-side', '--field-manager=ack-systems', '-f', join(REPO_ROOT, 'dist', 'argocd', 'argocd-cm.k8s.yaml')]);
  if (health.status !== 0) throw new Error(`health checks: ${health.stderr}`);

  children.push(started(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }), join(dir, 'redis.log')));

  const env = { ...process.env, HOME: dir, ARGOCD_GPG_ENABLED: 'false', ARGOCD_NAMESPACE, KUBECONFIG: controlPlane.admin.kubeconfigPath };
  const logs = { controller: join(dir, 'controller.log'), repoServer: join(dir, 'repo-server.log') };
  children.push(
    started(
      spawn(paths['argocd-repo-server'], ['--port', String(repoPort), '--address', '127.0.0.1', '--metrics-port', String(repoMetricsPort), '--redis', `127.0.0.1:${redisPort}`, '--disable-tls', '--revision-cache-expiration', '2s'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }),
      logs.repoServer,
    ),
  );
  children.push(
    started(
      spawn(
        paths['argocd-application-controller'],
        [
          '--kubeconfig', controlPlane.admin.kubeconfigPath,
          '--namespace', ARGOCD_NAMESPACE,
          '--repo-server', `127.0.0.1:${repoPort}`,
          '--repo-server-plaintext',
          '--redis', `127.0.0.1:${redisPort}`,
          '--metrics-port', String(controllerMetricsPort),
          '--app-resync', '10',
          '--app-resync-jitter', '0',
        ],
        { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
      logs.controller,
    ),
  );
  return {
    repoURL: `git://127.0.0.1:${gitPort}/ack-systems.git`,
    server: controlPlane.server,
    commit,
    logs,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('close', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** `dist/` as the repository will hold it: every file below it, with the Applications pointed at `repoURL`. */
export function distFiles(repoURL: string): Map<string, string> {
  const dist = join(REPO_ROOT, 'dist');
  const files = new Map(
    readdirSync(dist, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => [relative(dist, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), 'utf8')] as const),
  );
  for (const [path, text] of files) if (path.startsWith('argocd/')) files.set(path, text.replaceAll('https://github.com/example/ack-systems.git', repoURL));
  return files;
}

