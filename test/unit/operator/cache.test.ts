/**
 * The shared cache (R-O3, issue 10) against a scripted list/watch source:
 * one informer per group/kind whatever the readers, the union of what they
 * read, kinds that follow their CRD (preferred version, not Established,
 * deleted), and a forbidden kind that holds nothing up.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiError, type ApiClient, type ResourceType } from '../../../operator/runtime/api-client';
import { compareVersionPriority, SharedCache, type CustomResourceDefinition } from '../../../operator/runtime/cache';
import { applyMask, coversMask, unionMasks, type FieldMask } from '../../../operator/runtime/field-mask';
import { createLogger } from '../../../operator/runtime/log';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { ScriptedListWatch } from '../../support/scripted-list-watch';

const CRDS = 'apiextensions.k8s.io/customresourcedefinitions';
const WIDGETS = 'example.io/widgets';
const WIDGET_TYPE: ResourceType = { group: 'example.io', version: 'v1alpha1', plural: 'widgets', kind: 'Widget', namespaced: true };

function crd(versions: { name: string; served: boolean }[], established = true): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.io' },
    spec: { group: 'example.io', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: versions.map((v, i) => ({ ...v, storage: i === 0 })) },
    status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
  };
}
const widget = (name: string, spec: Record<string, unknown> = { size: 1 }): KubernetesObject => ({ apiVersion: 'example.io/v1alpha1', kind: 'Widget', metadata: { name, namespace: 'shop' }, spec } as KubernetesObject);

let source: ScriptedListWatch;
let cache: SharedCache | undefined;
let logs: Record<string, unknown>[];
const cacheOf = () =>
  (cache = new SharedCache({
    api: source as unknown as ApiClient,
    logger: createLogger({ level: 'info', write: (line) => void logs.push(JSON.parse(line)) }),
    metrics: new OperatorMetrics(),
    rbacHint: 'Grant it in the chart',
    informer: { backoff: { initialMs: 500, maxMs: 500 } },
  }));
const settle = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};
const events = () => {
  const seen: string[] = [];
  return { seen, handler: { onAdd: (o: KubernetesObject) => seen.push(`add ${o.metadata!.name}`), onUpdate: (_: KubernetesObject, o: KubernetesObject) => seen.push(`update ${o.metadata!.name}`), onDelete: (o: KubernetesObject) => seen.push(`delete ${o.metadata!.name}`) } };
};

beforeEach(() => {
  jest.useFakeTimers();
  source = new ScriptedListWatch();
  logs = [];
});
afterEach(async () => {
  await cache?.stop();
  cache = undefined;
  jest.useRealTimers();
});

describe('field masks (R-O3)', () => {
  test('R-O3 the union keeps what either keeps; array filters combine; a mask keeps only what it names', () => {
    const own = (entry: { manager: string }) => entry.manager === 'tags';
    const argo = (entry: { manager: string }) => entry.manager === 'argocd';
    const union = unionMasks({ spec: { tags: true }, metadata: { managedFields: own as never } }, { status: { code: true }, metadata: { managedFields: argo as never } });
    const object = { spec: { tags: { A: '1' }, big: 'x' }, status: { code: 'active', other: 1 }, metadata: { managedFields: [{ manager: 'tags' }, { manager: 'argocd' }, { manager: 'ack' }] } };
    expect(applyMask(object, union)).toEqual({ spec: { tags: { A: '1' } }, status: { code: 'active' }, metadata: { managedFields: [{ manager: 'tags' }, { manager: 'argocd' }] } });
    expect(unionMasks({ spec: { tags: true } }, { spec: true })).toEqual({ spec: true });
    expect(coversMask({ spec: true }, { spec: { tags: true } })).toBe(true);
    expect(coversMask({ spec: { tags: true } }, { status: true } as FieldMask)).toBe(false);
  });
});

describe('version priority (R-O3)', () => {
  test('R-O3 GA before beta before alpha, higher first, other names last', () => {
    expect(['v1alpha1', 'foo', 'v2', 'v1', 'v1beta2', 'v10', 'v1beta1', 'bar'].sort(compareVersionPriority)).toEqual(['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'bar', 'foo']);
  });
});

describe('shared cache (R-O3)', () => {
  test('R-O3 two readers of a kind share one informer; a reader needing more widens it by one relist, with no events for either', async () => {
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }]));
    source.put(WIDGETS, widget('a', { size: 1, tags: { A: '1' } }));
    const cache = cacheOf();
    const narrow = cache.kind(WIDGET_TYPE, { spec: { tags: true } });
    await cache.start();
    const first = events();
    narrow.addHandler(first.handler);
    expect((narrow.store.get('shop/a') as any).spec).toEqual({ tags: { A: '1' } });
    const wide = cache.kind(WIDGET_TYPE, { spec: { size: true } });
    expect(wide).toBe(narrow);
    await settle();
    expect((wide.store.get('shop/a') as any).spec).toEqual({ tags: { A: '1' }, size: 1 });
    expect(first.seen).toEqual(['add a']);
    expect(source.calls.filter((call) => call.startsWith('LIST /apis/example.io'))).toHaveLength(2);
    expect(source.openWatches(WIDGETS)).toBe(1);
  });

  test('R-O3 a CRD-backed kind reads the preferred served version and moves when it changes, without counting objects twice', async () => {
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }]));
    source.put(WIDGETS, widget('a'));
    const cache = cacheOf();
    const widgets = cache.kind(WIDGET_TYPE);
    await cache.start();
    const seen = events();
    widgets.addHandler(seen.handler);
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }, { name: 'v1', served: true }]));
    await settle();
    expect(widgets.type.version).toBe('v1');
    expect(source.calls.at(-2)).toBe('LIST /apis/example.io/v1/widgets');
    // Then v1alpha1 stops being served: nothing to do, v1 is read already.
    source.serve(WIDGETS, ['v1']);
    source.put(CRDS, crd([{ name: 'v1alpha1', served: false }, { name: 'v1', served: true }]));
    await settle();
    source.put(WIDGETS, widget('b'));
    expect(seen.seen).toEqual(['add a', 'add b']);
    expect(widgets.store.size).toBe(2);
    expect(logs.some((line) => line.msg === 'kind now served at another version; relisting into the same cache' && line.to === 'v1')).toBe(true);
  });

  test('R-O3 a kind whose CRD is not installed counts as synced and lists once the CRD appears; a deleted CRD empties it', async () => {
    const cache = cacheOf();
    const widgets = cache.kind(WIDGET_TYPE);
    const seen = events();
    await cache.start();
    expect(widgets.state).toBe('not-served');
    expect(source.calls.some((call) => call.includes('/widgets'))).toBe(false);
    widgets.addHandler(seen.handler);
    source.put(WIDGETS, widget('a'));
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }]));
    await settle();
    expect(widgets.state).toBe('synced');
    expect(seen.seen).toEqual(['add a']);
    source.remove(CRDS, 'widgets.example.io');
    await settle();
    expect(seen.seen).toEqual(['add a', 'delete a']);
    expect(widgets.state).toBe('not-served');
    expect(source.openWatches(WIDGETS)).toBe(0);
  });

  test('R-O3 a CRD that is not Established pauses its kind (no retry loop) and keeps what was cached', async () => {
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }]));
    source.put(WIDGETS, widget('a'));
    const cache = cacheOf();
    const widgets = cache.kind(WIDGET_TYPE);
    await cache.start();
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }], false));
    await settle();
    expect(source.openWatches(WIDGETS)).toBe(0);
    const calls = source.calls.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(source.calls.length).toBe(calls);
    expect(widgets.store.size).toBe(1);
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }]));
    await settle();
    expect(source.openWatches(WIDGETS)).toBe(1);
  });

  test('R-O3 a kind the ServiceAccount may not list is reported once with the hint and does not hold up the start', async () => {
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }]));
    source.put(WIDGETS, widget('a'));
    const forbidden = new ApiError(403, 'Forbidden', 'widgets.example.io is forbidden');
    source.failNext(WIDGETS, forbidden, forbidden);
    const cache = cacheOf();
    const widgets = cache.kind(WIDGET_TYPE);
    await cache.start();
    expect(widgets.state).toBe('forbidden');
    expect(cache.unsynced()).toEqual([]);
    expect(logs.filter((line) => line.level === 'error').map((line) => line.msg)).toEqual(['no RBAC to list/watch example.io/Widget; its objects are not seen until it is granted. Grant it in the chart']);
    // Granted later: the informer, still retrying, lists.
    await jest.advanceTimersByTimeAsync(1000);
    expect(widgets.state).toBe('synced');
    expect(widgets.store.size).toBe(1);
  });

  test('R-O3 a built-in kind is read at one version; asking for another is an error naming both', () => {
    const cache = cacheOf();
    cache.kind({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false });
    expect(() => cache.kind({ group: '', version: 'v2', plural: 'namespaces', kind: 'Namespace', namespaced: false })).toThrow('/Namespace is cached at v1; read it at that version, not v2');
  });

  test('R-O3 custom-kind watchers get what they derive from each CRD at its preferred version, and must register before start', async () => {
    source.put(CRDS, crd([{ name: 'v1alpha1', served: true }, { name: 'v1beta1', served: true }]));
    const cache = cacheOf();
    const seen: string[] = [];
    cache.watchCustomKinds({ derive: (_crd, version) => version.toUpperCase(), onChange: (kind, derived) => seen.push(`${kind.kind} ${kind.type?.version} ${derived}`), onRemove: (kind) => seen.push(`removed ${kind.kind}`) });
    await cache.start();
    source.remove(CRDS, 'widgets.example.io');
    expect(seen).toEqual(['Widget v1beta1 V1BETA1', 'removed Widget']);
    expect(() => cache.watchCustomKinds({ derive: () => 0, onChange: () => undefined, onRemove: () => undefined })).toThrow('watchCustomKinds must be called before the cache starts');
  });
});
