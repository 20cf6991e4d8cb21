/**
 * The test control plane itself: real authentication, RBAC and TLS, and no
 * process outliving a stop, a failure or a killed test process.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { REPO_ROOT } from '../../lib/paths';
import { processGroupAlive, startControlPlane } from '../support/control-plane';
import { useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane({ crdPaths: [] });

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('test control plane (R-O5)', () => {
  test('R-O5 the admin token authenticates over TLS verified against the server certificate', async () => {
    const core = controlPlane().admin.kubeConfig.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toContain('default');
    expect(controlPlane().server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('R-O5 the restricted user is denied by RBAC until a Role grants it access', async () => {
    const { admin, restricted } = controlPlane();
    const adminCore = admin.kubeConfig.makeApiClient(CoreV1Api);
    const restrictedCore = restricted.kubeConfig.makeApiClient(CoreV1Api);
    const namespace = 'rbac-check';
    await adminCore.createNamespace({ body: { metadata: { name: namespace } } });
    await expect(restrictedCore.listNamespacedConfigMap({ namespace })).rejects.toMatchObject({ code: 403 });

    const rbac = admin.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'read-configmaps' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'restricted-reads' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'restricted' }],
      },
    });
    // RBAC changes reach the authorizer through its informer: allow a moment.
    let allowed = false;
    for (let i = 0; i < 50 && !allowed; i++) {
      allowed = await restrictedCore.listNamespacedConfigMap({ namespace }).then(() => true, () => false);
      if (!allowed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(allowed).toBe(true);
    await expect(restrictedCore.listNamespace()).rejects.toMatchObject({ code: 403 });
  });

  test('R-O5 stop() ends every process and deletes the folder; keepLogs keeps the logs', async () => {
    const first = await startControlPlane();
    await first.stop();
    expect(processGroupAlive(first.processGroups.apiserver)).toBe(false);
    expect(processGroupAlive(first.processGroups.etcd)).toBe(false);
    expect(existsSync(first.dir)).toBe(false);

    const second = await startControlPlane();
    const kept = await second.stop({ keepLogs: true });
    expect(kept).toEqual([second.logs.apiserver, second.logs.etcd]);
    expect(readFileSync(second.logs.apiserver, 'utf8')).toMatch(/Serving securely/);
    expect(readFileSync(second.logs.etcd, 'utf8')).toMatch(/ready to serve client requests/);
    expect(processGroupAlive(second.processGroups.apiserver)).toBe(false);
    rmSync(second.dir, { recursive: true, force: true });
  });

  test('R-O5 killing the test process (SIGKILL, no cleanup code runs) leaves no etcd or kube-apiserver behind', async () => {
    // One Node process (tsx as a loader, not its CLI, which would add a parent process).
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/start-control-plane.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          if (output.includes('\n')) resolve(output.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`start-control-plane exited with ${code}`)));
      });
      const { processGroups, dir } = JSON.parse(line);
      expect(processGroupAlive(processGroups.apiserver)).toBe(true);
      expect(processGroupAlive(processGroups.etcd)).toBe(true);

      child.kill('SIGKILL');
      expect(await eventually(() => !processGroupAlive(processGroups.apiserver) && !processGroupAlive(processGroups.etcd), 30_000)).toBe(true);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
