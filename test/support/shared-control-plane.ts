/**
 * One control plane per test suite: started in beforeAll, stopped in afterAll.
 * When any test or hook of the suite failed, the etcd and kube-apiserver logs
 * are kept and their paths printed.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { join } from 'node:path';
import { ackCrdsDir, REPO_ROOT } from '../../lib/paths';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane';

export { kubectl, type CommandResult } from './control-plane';

declare global {
  // Counted by test/support/integration-environment.js.
  var __integrationFailures: number | undefined;
}

/** The ACK CRDs plus the project's own (the operator's TagPolicy). */
export const ALL_CRDS: readonly string[] = [ackCrdsDir(), join(REPO_ROOT, 'dist', 'operator', 'crds.k8s.yaml')];

export function useControlPlane(options: ControlPlaneOptions = { crdPaths: ALL_CRDS }): () => ControlPlane {
  let controlPlane: ControlPlane | undefined;
  beforeAll(async () => {
    controlPlane = await startControlPlane(options);
    const { etcd, apiserver, crds, total } = controlPlane.startup;
    process.stderr.write(`control plane ready in ${(total / 1000).toFixed(1)} s (etcd ${(etcd / 1000).toFixed(1)} s, kube-apiserver ${(apiserver / 1000).toFixed(1)} s, CRDs ${(crds / 1000).toFixed(1)} s)\n`);
  }, 180_000);
  afterAll(async () => {
    const kept = await controlPlane?.stop({ keepLogs: (globalThis.__integrationFailures ?? 0) > 0 });
    if (kept?.length) process.stderr.write(`a test failed; control plane logs kept:\n${kept.map((path) => `  ${path}`).join('\n')}\n`);
  }, 60_000);
  return () => {
    if (!controlPlane) throw new Error('the control plane did not start; see the beforeAll error');
    return controlPlane;
  };
}
