/**
 * The TagPolicy controller against a real kube-apiserver + etcd with the ACK
 * CRDs installed (R-O1, R-O3, R-O5), run under the chart's ServiceAccount,
 * through a proxy the tests can cut. The API server runs without its watch
 * cache, so that a watch resumed after an etcd compaction gets a real 410.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ackCrdsDir } from '../../lib/paths';
import { TAG_FIELD_MANAGER } from '../../operator/identity';
import { HttpMethod, type KubernetesObject } from '@kubernetes/client-node';
import { ApiClient, collectionPath, objectPath } from '../../operator/runtime/api-client';
import { EventRecorder } from '../../operator/runtime/events';
import { Informer } from '../../operator/runtime/informer';
import { OperatorMetrics } from '../../operator/runtime/metrics';
import { createLogger } from '../../operator/runtime/log';
import { Store } from '../../operator/runtime/store';
import { ComplianceLedger } from '../../operator/tag-policy/ledger';
import { PolicyStatusReconciler } from '../../operator/tag-policy/status';
import { TAG_POLICY_TYPE, type TagPolicy, type TagPolicySpec } from '../../operator/tag-policy/crd';
import { ackObject, resourceTypeOf, tagsOf, TAGGABLE_SAMPLES, UNTAGGABLE_SAMPLE, type AckSample } from '../support/ack-objects';
import { installCrds, readCrdManifests } from '../support/control-plane';
import { counter, eventually, installOperator, operatorServiceAccount, startOperatorInProcess, type InProcessOperator } from '../support/operator';
import { kubectl, useControlPlane } from '../support/shared-control-plane';
import { TcpProxy } from '../support/tcp-proxy';

/** Installed only after the operator started: it must discover the kind. */
const LATE_CRDS = join(ackCrdsDir(), 'sqs');
const controlPlane = useControlPlane({
  // The TagPolicy CRD comes from dist/operator/ (installOperator).
  crdPaths: readdirSync(ackCrdsDir(), { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'sqs').map((entry) => join(ackCrdsDir(), entry.name)),
  apiserverArgs: ['--watch-cache=false'],
});

const SAMPLES = Object.entries(TAGGABLE_SAMPLES);
const nameOf = (sample: AckSample, suffix = '1') => `${sample.kind.toLowerCase()}-${suffix}`;

let admin: ApiClient;
let proxy: TcpProxy;
let running: InProcessOperator;

const get = (sample: AckSample, namespace: string, name = nameOf(sample)) => admin.get<any>(objectPath(resourceTypeOf(sample), namespace, name));
const create = (sample: AckSample, namespace: string, name: string, tags?: Record<string, string>) =>
  admin.create<any>(collectionPath(resourceTypeOf(sample), namespace), ackObject(sample, namespace, name, tags));
const policyPath = (name: string) => objectPath(TAG_POLICY_TYPE, undefined, name);
const createPolicy = (name: string, spec: TagPolicySpec) => admin.create<TagPolicy>(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name }, spec });
const policy = (name: string) => admin.get<TagPolicy>(policyPath(name));
const createNamespace = (name: string, labels: Record<string, string> = {}) => admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const patches = () => counter(running.metrics, 'rest_client_requests_total', { verb: 'PATCH' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const USER_TAGS = { Owner: 'payments', CostCenter: 'typo' };
const REQUIRED = { CostCenter: 'cc-42', DataClass: 'confidential' };

beforeAll(async () => {
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  proxy = await TcpProxy.start(new URL(controlPlane().server));
  const serviceAccount = operatorServiceAccount(controlPlane(), proxy.url);
  await createNamespace('shop', { tier: 'production' });
  await createNamespace('lab', { tier: 'sandbox' });
  for (const [, sample] of SAMPLES) {
    await create(sample, 'shop', nameOf(sample), USER_TAGS);
    await create(sample, 'lab', nameOf(sample), USER_TAGS);
  }
  running = await startOperatorInProcess(serviceAccount.kubeConfig);
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await proxy?.close();
});

describe('TagPolicy enforcement (R-O1)', () => {
  test('R-O1 R-O5 a policy makes every covered object carry its tags, in each of the four tag shapes, keeping user tags', async () => {
    await createPolicy('production', { tags: REQUIRED, namespaceSelector: { matchLabels: { tier: 'production' } } });
    for (const [shape, sample] of SAMPLES) {
      const tags = await eventually(`${shape} tagged`, async () => {
        const tags = tagsOf(await get(sample, 'shop'));
        return tags.CostCenter === REQUIRED.CostCenter && tags.DataClass === REQUIRED.DataClass ? tags : undefined;
      });
      expect({ shape, tags }).toEqual({ shape, tags: { Owner: 'payments', ...REQUIRED } });
    }
    // Not covered: untouched.
    for (const [shape, sample] of SAMPLES) expect({ shape, tags: tagsOf(await get(sample, 'lab')) }).toEqual({ shape, tags: USER_TAGS });
  });

  test('R-O1 writes go through server-side apply under the operator field manager; in a map it owns only the keys it requires', async () => {
    for (const [shape, sample] of SAMPLES) {
      const managers = (await get(sample, 'shop')).metadata.managedFields.map((entry: any) => entry.manager);
      expect({ shape, managers }).toEqual({ shape, managers: expect.arrayContaining([TAG_FIELD_MANAGER]) });
    }
    const fn = await get(TAGGABLE_SAMPLES.map, 'shop');
    const owned = fn.metadata.managedFields.find((entry: any) => entry.manager === TAG_FIELD_MANAGER);
    expect(owned.operation).toBe('Apply');
    expect(Object.keys(owned.fieldsV1['f:spec']['f:tags']).sort()).toEqual(['f:CostCenter', 'f:DataClass']);
  });

  test('R-O1 status: observedGeneration, covered/compliant/corrected counts, Ready; an Event per correction', async () => {
    const status = await eventually('policy Ready', async () => {
      const { status } = await policy('production');
      return status?.conditions?.[0]?.status === 'True' && status.covered === 4 ? status : undefined;
    });
    expect(status).toMatchObject({ observedGeneration: 1, covered: 4, compliant: 4, corrected: 4, untaggable: { objects: 0, kinds: [] }, conflicts: [] });
    expect(status.conditions![0]).toMatchObject({ type: 'Ready', reason: 'Compliant', observedGeneration: 1 });
    const events = await admin.list<any>('/api/v1/namespaces/shop/events');
    const corrections = events.items.filter((event) => event.reason === 'TagsCorrected');
    expect(corrections.map((event) => event.involvedObject.kind).sort()).toEqual(SAMPLES.map(([, sample]) => sample.kind).sort());
    expect(corrections[0].message).toMatch(/^set tags CostCenter, DataClass required by TagPolicy production$/);
  });

  test('R-O1 an object of a kind without tags is reported in the status, never written or retried', async () => {
    const route = await create(UNTAGGABLE_SAMPLE, 'shop', 'route-1');
    const status = await eventually('untaggable reported', async () => {
      const { status } = await policy('production');
      return status?.untaggable?.objects === 1 ? status : undefined;
    });
    expect(status).toMatchObject({ covered: 5, compliant: 4, untaggable: { objects: 1, kinds: ['apigatewayv2.services.k8s.aws/Route'] } });
    expect(status.conditions![0]).toMatchObject({ status: 'True', reason: 'Compliant' });
    expect(await counter(running.metrics, 'controller_runtime_reconcile_errors_total')).toBe(0);
    expect((await get(UNTAGGABLE_SAMPLE, 'shop', 'route-1')).metadata.resourceVersion).toBe(route.metadata.resourceVersion);
  });

  test('R-O1 a user edit of a required tag is set back; the user\'s other tags are kept', async () => {
    const sg = await get(TAGGABLE_SAMPLES['list of key/value'], 'shop');
    sg.spec.tags = [
      { key: 'Owner', value: 'platform' },
      { key: 'CostCenter', value: 'hacked' },
      { key: 'DataClass', value: 'confidential' },
    ];
    await admin.replace(objectPath(resourceTypeOf(TAGGABLE_SAMPLES['list of key/value']), 'shop', sg.metadata.name), sg);
    const tags = await eventually('CostCenter set back', async () => {
      const tags = tagsOf(await get(TAGGABLE_SAMPLES['list of key/value'], 'shop'));
      return tags.CostCenter === 'cc-42' ? tags : undefined;
    });
    expect(tags).toEqual({ Owner: 'platform', ...REQUIRED });
  });

  test('R-O1 a namespace gaining the selected label brings its objects under the policy', async () => {
    await createNamespace('checkout');
    const sample = TAGGABLE_SAMPLES.map;
    await create(sample, 'checkout', nameOf(sample), { Owner: 'checkout' });
    await sleep(1000);
    expect(tagsOf(await get(sample, 'checkout'))).toEqual({ Owner: 'checkout' });
    const namespace = await admin.get<any>('/api/v1/namespaces/checkout');
    namespace.metadata.labels = { ...namespace.metadata.labels, tier: 'production' };
    await admin.replace('/api/v1/namespaces/checkout', namespace);
    await eventually('checkout object tagged', async () => tagsOf(await get(sample, 'checkout')).CostCenter === 'cc-42');
  });

  test('R-O1 a kind installed after the operator started is discovered and enforced', async () => {
    await installCrds(controlPlane().admin.kubeConfig, readCrdManifests([LATE_CRDS]));
    const queue = { apiVersion: 'sqs.services.k8s.aws/v1alpha1', kind: 'Queue', plural: 'queues', spec: (name: string) => ({ queueName: name }) };
    // The informer for the new kind starts when its CRD is seen: retry until the create lands in a served API.
    await eventually('queue created', () => create(queue, 'shop', 'orders', { Owner: 'orders' }).then(() => true));
    const tags = await eventually('queue tagged', async () => {
      const tags = tagsOf(await admin.get<any>(objectPath(resourceTypeOf(queue), 'shop', 'orders')));
      return tags.CostCenter ? tags : undefined;
    });
    expect(tags).toEqual({ Owner: 'orders', ...REQUIRED });
  });

  test('R-O1 two policies requiring different values for a key: a conflict in both statuses, neither value written, no flapping', async () => {
    const sample = TAGGABLE_SAMPLES['list of key/value'];
    await createPolicy('finance', { tags: { CostCenter: 'cc-99' }, namespaces: ['shop'], kinds: ['ec2.services.k8s.aws/SecurityGroup'] });
    const conflict = { key: 'CostCenter', object: `shop/${nameOf(sample)}`, policies: ['finance', 'production'] };
    for (const name of ['finance', 'production']) {
      const status = await eventually(`${name} reports the conflict`, async () => {
        const { status } = await policy(name);
        return status?.conflicts?.length ? status : undefined;
      });
      expect(status.conflicts).toEqual([conflict]);
      expect(status.conditions![0]).toMatchObject({ status: 'False', reason: 'Conflict' });
    }
    const before = await get(sample, 'shop');
    const patchesBefore = await patches();
    await sleep(3000);
    const after = await get(sample, 'shop');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(tagsOf(after).CostCenter).toBe('cc-42');
    expect(await patches()).toBe(patchesBefore);

    await admin.delete(policyPath('finance'));
    await eventually('conflict cleared', async () => (await policy('production')).status?.conditions?.[0]?.status === 'True');
  });

  test('R-O1 a key a policy stops requiring stays on the objects, in list and map shapes alike (it never removes tags)', async () => {
    await createNamespace('rotation');
    const shapes = [TAGGABLE_SAMPLES.map, TAGGABLE_SAMPLES['list of key/value']];
    for (const sample of shapes) await create(sample, 'rotation', nameOf(sample), { Owner: 'rotation' });
    await createPolicy('rotation', { tags: { Rotation: 'weekly', Tier: 'gold' }, namespaces: ['rotation'] });
    for (const sample of shapes) await eventually(`${sample.kind} tagged`, async () => tagsOf(await get(sample, 'rotation')).Tier === 'gold');

    // A merge patch: a read-modify-write would race the operator's status writes (409).
    await admin.request(HttpMethod.PATCH, policyPath('rotation'), { body: { spec: { tags: { Tier: null, Backup: 'daily' } } }, contentType: 'application/merge-patch+json' });
    for (const sample of shapes) {
      const tags = await eventually(`${sample.kind} gets Backup`, async () => {
        const tags = tagsOf(await get(sample, 'rotation'));
        return tags.Backup ? tags : undefined;
      });
      expect({ kind: sample.kind, tags }).toEqual({ kind: sample.kind, tags: { Owner: 'rotation', Rotation: 'weekly', Tier: 'gold', Backup: 'daily' } });
    }
  });

  test('R-O1 objects that need nothing get no writes: a converged cluster stays quiet', async () => {
    const before = await patches();
    await sleep(3000);
    expect(await patches()).toBe(before);
  });
});

describe('watch recovery (R-O3)', () => {
  /** Compacts etcd's history up to now: any older resourceVersion is gone (410). */
  async function compactEtcd(): Promise<void> {
    const { etcdUrl } = controlPlane();
    const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
    const revision = ((await range.json()) as { header: { revision: string } }).header.revision;
    const compaction = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
    expect(compaction.status).toBe(200);
  }

  test('R-O3 a watch resumed after etcd compacted its version gets 410, relists, and every change in between is handled', async () => {
    const sg = TAGGABLE_SAMPLES['list of key/value'];
    const fn = TAGGABLE_SAMPLES.map;
    const key = TAGGABLE_SAMPLES['list of tagKey/tagValue'];
    const resource = `${sg.plural}.${sg.apiVersion.split('/')[0]}`;
    const relistsBefore = await counter(running.metrics, 'informer_relists_total', { resource });

    proxy.cut();
    await sleep(500);
    // While the operator cannot see: objects added, a required tag removed, an object deleted.
    for (const suffix of ['2', '3', '4']) await create(sg, 'shop', nameOf(sg, suffix));
    const live = await get(fn, 'shop');
    live.spec.tags = { Owner: 'payments' };
    await admin.replace(objectPath(resourceTypeOf(fn), 'shop', live.metadata.name), live);
    await admin.delete(objectPath(resourceTypeOf(key), 'shop', nameOf(key)));
    await compactEtcd();
    proxy.restore();

    for (const suffix of ['2', '3', '4']) {
      await eventually(`new ${nameOf(sg, suffix)} tagged`, async () => tagsOf(await get(sg, 'shop', nameOf(sg, suffix))).CostCenter === 'cc-42', 60_000);
    }
    expect(await eventually('function re-tagged', async () => {
      const tags = tagsOf(await get(fn, 'shop'));
      return tags.CostCenter ? tags : undefined;
    }, 60_000)).toEqual({ Owner: 'payments', ...REQUIRED });
    // The deleted Key is gone from the cache and from the counts: 4 samples + route + queue + checkout function + 3 new - 1 deleted.
    const status = await eventually('status after relist', async () => {
      const { status } = await policy('production');
      return status?.covered === 9 && status.compliant === 8 ? status : undefined;
    }, 60_000);
    expect(status.conditions![0].status).toBe('True');
    expect(await counter(running.metrics, 'informer_relists_total', { resource })).toBeGreaterThan(relistsBefore);
    expect(running.logs.some((line) => line.msg === 'resourceVersion expired (410 Gone); relisting' && line.resource === resource)).toBe(true);
  }, 120_000);
});

describe('REST client (R-O3)', () => {
  test('R-O3 requests reuse one keep-alive connection instead of a TLS handshake each', async () => {
    const counting = await TcpProxy.start(new URL(controlPlane().server));
    try {
      const client = new ApiClient(operatorServiceAccount(controlPlane(), counting.url).kubeConfig);
      for (let i = 0; i < 50; i++) await client.list('/api/v1/namespaces');
      expect(counting.connections).toBe(1);
    } finally {
      await counting.close();
    }
  });

  test('R-O3 an informer\'s list and its successive watches (each ended by the server) share one connection', async () => {
    const counting = await TcpProxy.start(new URL(controlPlane().server));
    const metrics = new OperatorMetrics();
    const informer = new Informer({
      api: new ApiClient(operatorServiceAccount(controlPlane(), counting.url).kubeConfig, metrics),
      type: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
      logger: createLogger({ level: 'error', write: () => undefined }),
      metrics,
      watchTimeoutSeconds: 1,
    });
    try {
      await informer.start();
      await sleep(3500);
      expect(await counter(metrics, 'rest_client_requests_total', { verb: 'WATCH' })).toBeGreaterThanOrEqual(3);
      expect(counting.connections).toBe(1);
    } finally {
      await informer.stop();
      await counting.close();
    }
  });

  test('R-O3 a request or watch into a black hole fails after its timeout instead of holding a worker', async () => {
    const blackHole = await TcpProxy.start(new URL(controlPlane().server));
    try {
      blackHole.stall();
      const client = new ApiClient(operatorServiceAccount(controlPlane(), blackHole.url).kubeConfig, undefined, 16, 500);
      const started = Date.now();
      const failure = (await client.list('/api/v1/namespaces').then(() => undefined, (error: unknown) => error)) as Error;
      expect(failure?.name).toMatch(/TimeoutError|AbortError/);
      expect(Date.now() - started).toBeLessThan(5000);
      // A watch has no request timeout (it is long by design), but gives up when nothing arrives.
      const watching = Date.now();
      const silent = await client.watch('/api/v1/namespaces', {}, () => undefined, new AbortController().signal, 500).then(() => undefined, (error: unknown) => error);
      expect((silent as Error)?.message).toBe('watch /api/v1/namespaces: nothing received for 0.5 s');
      expect(Date.now() - watching).toBeLessThan(5000);
    } finally {
      await blackHole.close();
    }
  });
});

describe('the TagPolicy CRD in a real API server (R-O4)', () => {
  test.each([
    ['no tags', { tags: {} }, 'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 properties'],
    ['a reserved tag prefix', { tags: { 'aws:createdBy': 'me' } }, 'tag keys may not use the reserved "aws:" or "services.k8s.aws/" prefixes'],
    ['a kind outside ACK', { tags: { A: 'b' }, kinds: ['apps/Deployment'] }, 'spec.kinds[0]: Invalid value: "apps/Deployment"'],
    ['In without values', { tags: { A: 'b' }, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }, 'In and NotIn need values; Exists and DoesNotExist take none'],
  ])('R-O4 CEL and schema validation refuse %s', async (_case, spec, message) => {
    const refused = (await createPolicy('invalid', spec as TagPolicySpec).then(() => undefined, (error: unknown) => error)) as Error;
    expect(refused?.message).toContain(message);
  });

  test('R-O4 kubectl get tagpolicies shows the printer columns', () => {
    const result = kubectl(controlPlane(), ['get', 'tagpolicies']);
    expect(result.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'COVERED', 'COMPLIANT', 'CORRECTED', 'READY', 'AGE']);
    expect(result.stdout).toMatch(/^production\s+9\s+8\s+\d+\s+True\s+/m);
  });
});

describe('status writes (R-O3)', () => {
  /** A real client whose every read is followed by someone else's update, so the next status write is stale. */
  class RacedClient extends ApiClient {
    races = 0;
    override async get<T extends KubernetesObject>(path: string): Promise<T> {
      const object = await super.get<T>(path);
      if (this.races < 2) {
        this.races += 1;
        const current = await admin.get<TagPolicy>(path);
        await admin.replace(path, { ...current, metadata: { ...current.metadata, labels: { raced: String(this.races) } } });
      }
      return object;
    }
  }

  test('R-O3 a status write that loses a race (409 Conflict) is retried with a fresh read', async () => {
    // The running operator would write this status too, and win races this test must control.
    await running.stop();
    await createPolicy('raced', { tags: { Team: 'x' }, namespaces: ['nowhere'] });
    const api = new RacedClient(controlPlane().admin.kubeConfig);
    const policies = new Store<TagPolicy>();
    policies.upsert(await policy('raced'));
    const logger = createLogger({ level: 'error', write: () => undefined });
    const reconciler = new PolicyStatusReconciler({ api, policies, ledger: new ComplianceLedger(), events: new EventRecorder(api, 'test', 'test', logger) });
    await reconciler.reconcile('raced');
    expect(api.races).toBe(2);
    const written = await policy('raced');
    expect(written.metadata?.labels).toEqual({ raced: '2' });
    expect(written.status).toMatchObject({ covered: 0, conditions: [{ type: 'Ready', status: 'True' }] });
  });
});
