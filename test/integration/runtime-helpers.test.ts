/**
 * The runtime's helpers against a real kube-apiserver + etcd (R-O3, R-O4,
 * issue 10): an API type defined once in zod installs as a CRD whose CEL
 * rules the server enforces; status writes skip what is unchanged, record
 * observedGeneration and survive lost races (409); the finalizer helper holds
 * an object until its cleanup succeeds and never drops another finalizer.
 * Each test has its own namespace.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import { ApiClient, collectionPath, isStatus, objectPath } from '../../operator/runtime/api-client';
import { defineApiType, type ApiObject } from '../../operator/runtime/api-type';
import { Finalizer } from '../../operator/runtime/finalizers';
import { conditionsSchema, setCondition, writeStatus } from '../../operator/runtime/status';
import { installCrds } from '../support/control-plane';
import { useControlPlane } from '../support/shared-control-plane';

const widgetSpec = z.object({
  size: z.number().int().meta({ 'x-kubernetes-validations': [{ rule: 'self <= 10', message: 'size is at most 10' }] }),
});
const widgetStatus = z.object({ observedGeneration: z.number().int().optional(), phase: z.string().optional(), conditions: conditionsSchema.optional() });
type Widget = ApiObject<typeof widgetSpec, typeof widgetStatus>;
const WIDGET = defineApiType({ group: 'runtime-test.ack-systems.io', version: 'v1alpha1', kind: 'Widget', plural: 'widgets', singular: 'widget', scope: 'Namespaced', spec: widgetSpec, status: widgetStatus });

const controlPlane = useControlPlane({});
let admin: ApiClient;

const createNamespace = (name: string) => admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const widgetPath = (namespace: string, name: string) => objectPath(WIDGET.type, namespace, name);
const createWidget = (namespace: string, name: string, extra: Partial<Widget['metadata']> = {}) =>
  admin.create<Widget>(collectionPath(WIDGET.type, namespace), { apiVersion: 'runtime-test.ack-systems.io/v1alpha1', kind: 'Widget', metadata: { name, ...extra }, spec: { size: 1 } });

beforeAll(async () => {
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  await installCrds(controlPlane().admin.kubeConfig, [WIDGET.crd]);
}, 120_000);

describe('API types from one zod source (R-O4)', () => {
  test('R-O4 the generated CRD is accepted as structural, and its CEL rule is enforced by the API server', async () => {
    await createNamespace('api-type');
    await expect(createWidget('api-type', 'fits')).resolves.toMatchObject({ spec: { size: 1 } });
    const refused = (await admin
      .create(collectionPath(WIDGET.type, 'api-type'), { apiVersion: 'runtime-test.ack-systems.io/v1alpha1', kind: 'Widget', metadata: { name: 'too-big' }, spec: { size: 11 } } as KubernetesObject)
      .then(() => undefined, (error: unknown) => error)) as Error;
    expect(refused?.message).toContain('size is at most 10');
  });
});

describe('status helpers (R-O3)', () => {
  test('R-O3 writeStatus writes, then skips an unchanged status (no write), and records observedGeneration', async () => {
    await createNamespace('status-write');
    await createWidget('status-write', 'w');
    const desired = (fresh: Widget) => ({ phase: 'Ready', conditions: setCondition(fresh.status?.conditions, { type: 'Ready', status: 'True', reason: 'Done', message: 'ok' }) });
    expect(await writeStatus<Widget, NonNullable<Widget['status']>>(admin, WIDGET.type, { namespace: 'status-write', name: 'w' }, desired)).toBe('written');
    const written = await admin.get<Widget>(widgetPath('status-write', 'w'));
    expect(written.status).toMatchObject({ phase: 'Ready', observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] });
    expect(await writeStatus<Widget, NonNullable<Widget['status']>>(admin, WIDGET.type, { namespace: 'status-write', name: 'w' }, desired)).toBe('unchanged');
    expect((await admin.get<Widget>(widgetPath('status-write', 'w'))).metadata?.resourceVersion).toBe(written.metadata?.resourceVersion);
    await admin.delete(widgetPath('status-write', 'w'));
    expect(await writeStatus<Widget, NonNullable<Widget['status']>>(admin, WIDGET.type, { namespace: 'status-write', name: 'w' }, desired)).toBe('gone');
  });

  test('R-O3 a status write that loses a race (409 Conflict) is retried with a fresh read', async () => {
    await createNamespace('status-race');
    await createWidget('status-race', 'raced');
    /** A real client whose reads are each followed by someone else's update, so the next write is stale. */
    class RacedClient extends ApiClient {
      races = 0;
      override async get<T extends KubernetesObject>(path: string): Promise<T> {
        const object = await super.get<T>(path);
        if (this.races < 2) {
          this.races += 1;
          const current = await admin.get<Widget>(path);
          await admin.replace(path, { ...current, metadata: { ...current.metadata, labels: { raced: String(this.races) } } });
        }
        return object;
      }
    }
    const api = new RacedClient(controlPlane().admin.kubeConfig);
    expect(await writeStatus<Widget, NonNullable<Widget['status']>>(api, WIDGET.type, { namespace: 'status-race', name: 'raced' }, () => ({ phase: 'Ready' }))).toBe('written');
    expect(api.races).toBe(2);
    const written = await admin.get<Widget>(widgetPath('status-race', 'raced'));
    expect(written.metadata?.labels).toEqual({ raced: '2' });
    expect(written.status).toMatchObject({ phase: 'Ready' });
  });
});

describe('finalizer helper (R-O3)', () => {
  const finalizer = () => new Finalizer(admin, WIDGET.type, 'runtime-test.ack-systems.io/cleanup');

  test('R-O3 added to a live object; on deletion the object stays until the cleanup succeeds; another finalizer is kept', async () => {
    await createNamespace('finalizer');
    await createWidget('finalizer', 'w', { finalizers: ['other.example.io/keep'] });
    const read = () => admin.get<Widget>(widgetPath('finalizer', 'w'));
    expect(await finalizer().reconcile(await read(), async () => undefined)).toBe('live');
    expect((await read()).metadata?.finalizers).toEqual(['other.example.io/keep', 'runtime-test.ack-systems.io/cleanup']);

    await admin.delete(widgetPath('finalizer', 'w'));
    const failing = finalizer().reconcile(await read(), async () => {
      throw new Error('the AWS side is not cleaned up yet');
    });
    await expect(failing).rejects.toThrow('the AWS side is not cleaned up yet');
    expect((await read()).metadata?.finalizers).toContain('runtime-test.ack-systems.io/cleanup');

    const cleaned: string[] = [];
    expect(await finalizer().reconcile(await read(), async () => void cleaned.push('done'))).toBe('deleted');
    expect(cleaned).toEqual(['done']);
    // Only the other controller's finalizer holds the object now.
    expect((await read()).metadata?.finalizers).toEqual(['other.example.io/keep']);
  });

  test('R-O3 a finalizer write from a stale read fails with 409 instead of overwriting the list', async () => {
    await createNamespace('finalizer-stale');
    const stale = await createWidget('finalizer-stale', 'w');
    await admin.replace(widgetPath('finalizer-stale', 'w'), { ...stale, metadata: { ...stale.metadata, finalizers: ['other.example.io/keep'] } });
    const conflict = await finalizer().reconcile(stale, async () => undefined).then(() => undefined, (error: unknown) => error);
    expect(isStatus(conflict, 409)).toBe(true);
    expect((await admin.get<Widget>(widgetPath('finalizer-stale', 'w'))).metadata?.finalizers).toEqual(['other.example.io/keep']);
  });

  test('R-O3 a finalizer name must be qualified', () => {
    expect(() => new Finalizer(admin, WIDGET.type, 'cleanup')).toThrow('finalizer "cleanup" must be qualified, as <domain>/<name>');
  });
});
