/**
 * The operator's start: a wrong kubeconfig or an unreachable cluster is one
 * line and exit 1, at once (issue 9), never a stack trace or a retry loop.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/paths';
import { ApiClient } from '../../../operator/runtime/api-client';
import { checkApiReachable, loadKubeConfig, StartupError } from '../../../operator/startup';

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
const kubeconfig = (server: string) => {
  const path = join(dir, `config-${server.replace(/\W/g, '')}`);
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return path;
};
const silent: Server[] = [];
afterAll(() => silent.forEach((server) => server.close()));

/** A loopback port nothing listens on (fetch refuses well-known ports like 1 outright). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the operator's entry point; resolves with its exit code and output once its streams are closed. */
function runOperator(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['operator/main.ts', '--leader-elect=false', '--metrics-port=0', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH!, HOME: dir, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('operator start (issue 9)', () => {
  test('a malformed kubeconfig is one line naming where it was read', () => {
    const path = join(dir, 'broken');
    writeFileSync(path, 'clusters: [unclosed');
    expect(() => loadKubeConfig({ KUBECONFIG: path })).toThrow(StartupError);
    expect(() => loadKubeConfig({ KUBECONFIG: path })).toThrow(new RegExp(`^cannot read the kubeconfig from KUBECONFIG=${path}: `));
  });

  test('a kubeconfig without a cluster is refused', () => {
    const path = join(dir, 'empty');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadKubeConfig({ KUBECONFIG: path })).toThrow(`the kubeconfig from KUBECONFIG=${path} names no cluster to talk to`);
  });

  test('an API server that refuses connections, or never answers, is one StartupError', async () => {
    const refused = `https://127.0.0.1:${await closedPort()}`;
    await expect(checkApiReachable(new ApiClient(loadKubeConfig({ KUBECONFIG: kubeconfig(refused) })))).rejects.toThrow(
      `cannot reach the Kubernetes API at ${refused}: ECONNREFUSED; check the kubeconfig and that the cluster is up`,
    );
    const blackHole = createServer(() => undefined);
    silent.push(blackHole);
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    await expect(checkApiReachable(new ApiClient(loadKubeConfig({ KUBECONFIG: kubeconfig(`https://127.0.0.1:${port}`) })), 300)).rejects.toThrow(/no answer within 0\.3 s/);
  });

  test('the process: exit 1 with one JSON line for an unreachable cluster; exit 2 with the usage for a bad flag', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const unreachable = await runOperator({ KUBECONFIG: kubeconfig(server) });
    expect(unreachable.code).toBe(1);
    const lines = unreachable.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', msg: `cannot reach the Kubernetes API at ${server}: ECONNREFUSED; check the kubeconfig and that the cluster is up` });
    const bad = await runOperator({}, ['--concurrency', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--concurrency <n> must be a whole number from 1 to 256, got "-1"\n\nUsage: npm run operator/);
  }, 60_000);
});
