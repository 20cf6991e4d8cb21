/**
 * The ACK objects the operator benchmarks run on: every taggable ACK kind
 * installed whose minimal object the API server accepts, spread over 50
 * namespaces, none carrying the required tags, in a fresh API server.
 */
import { performance } from 'node:perf_hooks';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { ackCrdsDir } from '../../lib/paths';
import { withTags } from '../../lib/tags/apply';
import type { TagShape } from '../../lib/tags/tag-shape';
import { ApiClient, collectionPath, type ResourceType } from '../../operator/runtime/api-client';
import { ConcurrencyLimit } from '../../operator/runtime/concurrency';
import { startControlPlane } from '../../test/support/control-plane';
import { loadCrdSchemas, minimalInstance } from '../../test/support/crd-schema';

export const NAMESPACES = Array.from({ length: 50 }, (_, i) => `bench-${i}`);
export const REQUIRED = new Map([
  ['CostCenter', 'cc-bench'],
  ['DataClass', 'internal'],
]);

export interface BenchKind {
  readonly type: ResourceType;
  readonly shape: TagShape;
  readonly spec: Record<string, unknown>;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function parallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const gate = new ConcurrencyLimit(limit);
  await Promise.all(items.map((item) => gate.run(() => fn(item))));
}

/** Every taggable ACK kind installed, with the smallest spec its schema asks for. */
function taggableKinds(): BenchKind[] {
  const schemas = loadCrdSchemas(ackCrdsDir());
  return Object.entries(ACK_KINDS).flatMap(([key, { plural, tagShape }]) => {
    const schema = schemas.kinds.get(key);
    if (!tagShape || !schema) return [];
    const [group, version, kind] = key.split('/');
    return [{ type: { group, version, kind, plural, namespaced: true }, shape: tagShape, spec: minimalInstance(schema) as Record<string, unknown> }];
  });
}

/** The taggable kinds whose minimal object the API server accepts (CEL rules may refuse some), probed in a throwaway API server. */
export async function acceptedKinds(): Promise<BenchKind[]> {
  const probe = await startControlPlane({ crdPaths: [ackCrdsDir()] });
  try {
    const admin = new ApiClient(probe.admin.kubeConfig);
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-probe' } });
    const accepted: BenchKind[] = [];
    for (const kind of taggableKinds()) if (await admin.create(collectionPath(kind.type, 'bench-probe'), manifestOf(kind, 'bench-probe', 'probe')).then(() => true, () => false)) accepted.push(kind);
    return accepted;
  } finally {
    await probe.stop();
  }
}

/** An object of `kind` carrying only an `Owner` tag: not compliant. */
export function manifestOf(kind: BenchKind, namespace: string, name: string, owner = 'bench'): never {
  return { apiVersion: `${kind.type.group}/${kind.type.version}`, kind: kind.type.kind, metadata: { name, namespace }, spec: withTags(kind.shape, kind.spec, new Map([['Owner', owner]])) } as never;
}

export const objectsOf = (kinds: readonly BenchKind[], count: number) => Array.from({ length: count }, (_, i) => ({ kind: kinds[i % kinds.length], namespace: NAMESPACES[i % NAMESPACES.length], name: `obj-${i}` }));

/** A fresh API server holding `count` non-compliant objects over `kinds`. */
export async function freshCluster(kinds: readonly BenchKind[], count: number) {
  const controlPlane = await startControlPlane({ crdPaths: [ackCrdsDir()] });
  const admin = new ApiClient(controlPlane.admin.kubeConfig, undefined, 32);
  for (const name of NAMESPACES) await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const createStart = performance.now();
  await parallel(objectsOf(kinds, count), 32, ({ kind, namespace, name }) => admin.create(collectionPath(kind.type, namespace), manifestOf(kind, namespace, name)));
  return { controlPlane, admin, createMs: performance.now() - createStart };
}
