/**
 * The TagPolicy controller against a real kube-apiserver + etcd with the ACK
 * CRDs installed (R-O1, R-O3, R-O5), run under the chart's ServiceAccount,
 * through a proxy the tests can cut. The API server runs without its watch
 * cache, so that a watch resumed after an etcd compaction gets a real 410.
 *
 * The operator is shared; each test has its own namespaces and policies
 * (selecting only those namespaces) and asserts changes, so any test runs
 * alone with -t. A check that something did NOT happen first waits for the
 * operator to have reconciled the object (its `reconciled` debug line).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ackCrdsDir } from '../../lib/paths';
import { TAG_FIELD_MANAGER } from '../../operator/identity';
import { HttpMethod, type KubernetesObject } from '@kubernetes/client-node';
import { ApiClient, collectionPath, objectPath, type ResourceType } from '../../operator/runtime/api-client';
import { Informer } from '../../operator/runtime/informer';
import { OperatorMetrics } from '../../operator/runtime/metrics';
import { createLogger } from '../../operator/runtime/log';
import { TAG_POLICY_CONTROLLERS } from '../../operator/tag-policy/controllers';
import { TAG_POLICY_TYPE, type TagPolicy, type TagPolicySpec, type TagPolicyStatus } from '../../operator/tag-policy/crd';
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
const SG = TAGGABLE_SAMPLES['list of key/value'];
const FN = TAGGABLE_SAMPLES.map;
const nameOf = (sample: AckSample, suffix = '1') => `${sample.kind.toLowerCase()}-${suffix}`;

let admin: ApiClient;
let proxy: TcpProxy;
let running: InProcessOperator;

const get = (sample: AckSample, namespace: string, name = nameOf(sample)) => admin.get<any>(objectPath(resourceTypeOf(sample), namespace, name));
const create = (sample: AckSample, namespace: string, name = nameOf(sample), tags?: Record<string, string>) =>
  admin.create<any>(collectionPath(resourceTypeOf(sample), namespace), ackObject(sample, namespace, name, tags));
const policyPath = (name: string) => objectPath(TAG_POLICY_TYPE, undefined, name);
const createPolicy = (name: string, spec: TagPolicySpec) => admin.create<TagPolicy>(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name }, spec });
const policy = (name: string) => admin.get<TagPolicy>(policyPath(name));
const createNamespace = (name: string, labels: Record<string, string> = {}) => admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
/** A merge patch by the test (a read-modify-write would race the operator). */
const mergePatch = <T extends KubernetesObject>(path: string, body: unknown) => admin.request<T>(HttpMethod.PATCH, path, { body, contentType: 'application/merge-patch+json' });

/** Waits until the policy's status satisfies `accept`. */
const statusOf = (name: string, what: string, accept: (status: TagPolicyStatus) => boolean, timeoutMs?: number) =>
  eventually(`${name}: ${what}`, async () => {
    const { status } = await policy(name);
    return status && accept(status) ? status : undefined;
  }, timeoutMs);

/** Where the operator's log is now: `reconciledSince` looks only after it. */
const logMark = () => running.logs.length;
/** Waits for the enforcer to have reconciled the object since `mark` (the positive signal before a negative check). */
function reconciledSince(mark: number, type: Pick<ResourceType, 'group' | 'kind'>, namespace: string, name: string): Promise<true> {
  const key = `${type.group}/${type.kind}|${namespace}/${name}`;
  return eventually(`${key} reconciled`, () => running.logs.slice(mark).some((line) => line.msg === 'reconciled' && line.controller === TAG_POLICY_CONTROLLERS.enforcer && line.key === key) || undefined);
}

const REQUIRED = { CostCenter: 'cc-42', DataClass: 'confidential' };

beforeAll(async () => {
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  proxy = await TcpProxy.start(new URL(controlPlane().server));
  running = await startOperatorInProcess(operatorServiceAccount(controlPlane(), proxy.url).kubeConfig, 'debug');
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await proxy?.close();
});

describe('TagPolicy enforcement (R-O1)', () => {
  test('R-O1 R-O5 a policy makes every covered object carry its tags, in each of the four tag shapes, keeping user tags; others stay untouched', async () => {
    await createNamespace('shapes', { policy: 'shapes' });
    await createNamespace('shapes-lab');
    for (const [, sample] of SAMPLES) {
      await create(sample, 'shapes', nameOf(sample), { Owner: 'payments', CostCenter: 'typo' });
      await create(sample, 'shapes-lab', nameOf(sample), { Owner: 'payments' });
    }
    const mark = logMark();
    await createPolicy('shapes', { tags: REQUIRED, namespaceSelector: { matchLabels: { policy: 'shapes' } } });
    for (const [shape, sample] of SAMPLES) {
      const tags = await eventually(`${shape} tagged`, async () => {
        const tags = tagsOf(await get(sample, 'shapes'));
        return tags.CostCenter === REQUIRED.CostCenter && tags.DataClass === REQUIRED.DataClass ? tags : undefined;
      });
      expect({ shape, tags }).toEqual({ shape, tags: { Owner: 'payments', ...REQUIRED } });
    }
    for (const [shape, sample] of SAMPLES) {
      await reconciledSince(mark, resourceTypeOf(sample), 'shapes-lab', nameOf(sample));
      expect({ shape, tags: tagsOf(await get(sample, 'shapes-lab')) }).toEqual({ shape, tags: { Owner: 'payments' } });
    }
  });

  test('R-O1 writes go through server-side apply under the operator field manager; in a map it owns only the keys it requires', async () => {
    await createNamespace('ssa');
    for (const sample of [SG, FN]) await create(sample, 'ssa', nameOf(sample), { Owner: 'payments' });
    await createPolicy('ssa', { tags: REQUIRED, namespaces: ['ssa'] });
    for (const sample of [SG, FN]) await eventually(`${sample.kind} tagged`, async () => tagsOf(await get(sample, 'ssa')).DataClass === 'confidential');
    for (const sample of [SG, FN]) {
      const managers = (await get(sample, 'ssa')).metadata.managedFields.map((entry: any) => entry.manager);
      expect({ kind: sample.kind, managers }).toEqual({ kind: sample.kind, managers: expect.arrayContaining([TAG_FIELD_MANAGER]) });
    }
    const owned = (await get(FN, 'ssa')).metadata.managedFields.find((entry: any) => entry.manager === TAG_FIELD_MANAGER);
    expect(owned.operation).toBe('Apply');
    expect(Object.keys(owned.fieldsV1['f:spec']['f:tags']).sort()).toEqual(['f:CostCenter', 'f:DataClass']);
  });

  test('R-O1 status: observedGeneration, covered/compliant/corrected counts, Ready; an Event per correction', async () => {
    await createNamespace('status');
    for (const [, sample] of SAMPLES) await create(sample, 'status');
    await createPolicy('status', { tags: REQUIRED, namespaces: ['status'] });
    const status = await statusOf('status', 'Ready with 4 covered', (s) => s.conditions?.[0]?.status === 'True' && s.covered === 4);
    expect(status).toMatchObject({ observedGeneration: 1, covered: 4, compliant: 4, corrected: 4, untaggable: { objects: 0, kinds: [] }, conflicts: [] });
    expect(status.conditions![0]).toMatchObject({ type: 'Ready', reason: 'Compliant', observedGeneration: 1 });
    const events = await eventually('4 correction events', async () => {
      const events = (await admin.list<any>('/api/v1/namespaces/status/events')).items.filter((event) => event.reason === 'TagsCorrected');
      return events.length === 4 ? events : undefined;
    });
    expect(events.map((event) => event.involvedObject.kind).sort()).toEqual(SAMPLES.map(([, sample]) => sample.kind).sort());
    expect(events[0].message).toBe('set tags CostCenter, DataClass required by TagPolicy status');
  });

  test("R-O1 status-only updates (the operator's own status writes, another writer's edits) join the one-second batch: an edited status is set back then, not at once", async () => {
    await createNamespace('edited');
    const statusPasses = (since: number) =>
      running.logs.slice(since).filter((line) => line.msg === 'reconciled' && line.controller === TAG_POLICY_CONTROLLERS.status && line.key === 'edited');
    const mark = logMark();
    await createPolicy('edited', { tags: REQUIRED, namespaces: ['edited'] });
    // The first pass writes the status; that write comes back as an update, whose batched pass
    // changes nothing. After it the policy is quiet.
    await eventually('two status passes', async () => statusPasses(mark).length >= 2 || undefined);
    expect((await policy('edited')).status).toMatchObject({ covered: 0, conditions: [{ type: 'Ready', status: 'True' }] });

    const quiet = logMark();
    const editedAt = Date.now();
    await mergePatch(`${policyPath('edited')}/status`, { status: { covered: 7 } });
    await statusOf('edited', 'covered set back to 0', (s) => s.covered === 0);
    // The pass logs 'reconciled' only after its status write returns: the test can see the write first.
    const correction = await eventually('the correcting pass logged', () => statusPasses(quiet)[0]);
    // A lower bound only (a timer never fires early; 50 ms for the event loop's cached clock).
    expect(Date.parse(correction.time as string) - editedAt).toBeGreaterThanOrEqual(950);
  });

  test('R-O1 an object of a kind without tags is reported in the status, never written or retried', async () => {
    await createNamespace('untaggable');
    const errorsBefore = await counter(running.metrics, 'controller_runtime_reconcile_errors_total');
    const route = await create(UNTAGGABLE_SAMPLE, 'untaggable', 'route-1');
    await create(SG, 'untaggable');
    await createPolicy('untaggable', { tags: REQUIRED, namespaces: ['untaggable'] });
    const status = await statusOf('untaggable', 'untaggable reported', (s) => s.untaggable?.objects === 1 && s.compliant === 1);
    expect(status).toMatchObject({ covered: 2, compliant: 1, untaggable: { objects: 1, kinds: ['apigatewayv2.services.k8s.aws/Route'] } });
    expect(status.conditions![0]).toMatchObject({ status: 'True', reason: 'Compliant' });
    expect(await counter(running.metrics, 'controller_runtime_reconcile_errors_total')).toBe(errorsBefore);
    expect((await get(UNTAGGABLE_SAMPLE, 'untaggable', 'route-1')).metadata.resourceVersion).toBe(route.metadata.resourceVersion);
  });

  test("R-O1 a user edit of a required tag is set back; the user's other tags are kept", async () => {
    await createNamespace('drift');
    await create(SG, 'drift', nameOf(SG), { Owner: 'payments' });
    await createPolicy('drift', { tags: REQUIRED, namespaces: ['drift'] });
    await eventually('tagged', async () => tagsOf(await get(SG, 'drift')).CostCenter === 'cc-42');
    const sg = await get(SG, 'drift');
    sg.spec.tags = [
      { key: 'Owner', value: 'platform' },
      { key: 'CostCenter', value: 'hacked' },
      { key: 'DataClass', value: 'confidential' },
    ];
    await admin.replace(objectPath(resourceTypeOf(SG), 'drift', sg.metadata.name), sg);
    const tags = await eventually('CostCenter set back', async () => {
      const tags = tagsOf(await get(SG, 'drift'));
      return tags.CostCenter === 'cc-42' ? tags : undefined;
    });
    expect(tags).toEqual({ Owner: 'platform', ...REQUIRED });
  });

  test('R-O1 a namespace gaining the selected label brings its objects under the policy', async () => {
    await createNamespace('joins');
    await create(FN, 'joins', nameOf(FN), { Owner: 'checkout' });
    const mark = logMark();
    await createPolicy('joins', { tags: REQUIRED, namespaceSelector: { matchLabels: { joined: 'joins' } } });
    await reconciledSince(mark, resourceTypeOf(FN), 'joins', nameOf(FN));
    expect(tagsOf(await get(FN, 'joins'))).toEqual({ Owner: 'checkout' });
    await mergePatch('/api/v1/namespaces/joins', { metadata: { labels: { joined: 'joins' } } });
    await eventually('object tagged', async () => tagsOf(await get(FN, 'joins')).CostCenter === 'cc-42');
  });

  test('R-O1 a kind installed after the operator started is discovered and enforced', async () => {
    await createNamespace('late-kind');
    await createPolicy('late-kind', { tags: REQUIRED, namespaces: ['late-kind'] });
    await installCrds(controlPlane().admin.kubeConfig, readCrdManifests([LATE_CRDS]));
    const queue = { apiVersion: 'sqs.services.k8s.aws/v1alpha1', kind: 'Queue', plural: 'queues', spec: (name: string) => ({ queueName: name }) };
    await create(queue, 'late-kind', 'orders', { Owner: 'orders' });
    const tags = await eventually('queue tagged', async () => {
      const tags = tagsOf(await admin.get<any>(objectPath(resourceTypeOf(queue), 'late-kind', 'orders')));
      return tags.CostCenter ? tags : undefined;
    });
    expect(tags).toEqual({ Owner: 'orders', ...REQUIRED });
  });

  test('R-O1 two policies requiring different values for a key: a conflict in both statuses, neither value written, no flapping', async () => {
    await createNamespace('conflict');
    await createPolicy('conflict-a', { tags: { CostCenter: 'cc-a', Team: 'a' }, namespaces: ['conflict'] });
    await createPolicy('conflict-b', { tags: { CostCenter: 'cc-b' }, namespaces: ['conflict'], kinds: ['ec2.services.k8s.aws/SecurityGroup'] });
    // Both policies known to the operator before the object exists: its first reconcile sees both.
    for (const name of ['conflict-a', 'conflict-b']) await statusOf(name, 'a status', (s) => s.covered === 0);
    await create(SG, 'conflict', nameOf(SG), { CostCenter: 'cc-original' });
    const conflict = { key: 'CostCenter', object: `conflict/${nameOf(SG)}`, policies: ['conflict-a', 'conflict-b'] };
    for (const name of ['conflict-a', 'conflict-b']) {
      const status = await statusOf(name, 'the conflict reported', (s) => (s.conflicts?.length ?? 0) > 0);
      expect(status.conflicts).toEqual([conflict]);
      expect(status.conditions![0]).toMatchObject({ status: 'False', reason: 'Conflict' });
    }
    // The key they agree on is applied; the disputed one is left as it was.
    expect(tagsOf(await get(SG, 'conflict'))).toEqual({ CostCenter: 'cc-original', Team: 'a' });
    // No flapping: another reconcile of the object writes nothing.
    const mark = logMark();
    const touched = await mergePatch<any>(objectPath(resourceTypeOf(SG), 'conflict', nameOf(SG)), { metadata: { labels: { touched: 'yes' } } });
    await reconciledSince(mark, resourceTypeOf(SG), 'conflict', nameOf(SG));
    expect((await get(SG, 'conflict')).metadata.resourceVersion).toBe(touched.metadata.resourceVersion);

    await admin.delete(policyPath('conflict-b'));
    await statusOf('conflict-a', 'conflict cleared', (s) => s.conditions?.[0]?.status === 'True');
    await eventually('cc-a applied', async () => tagsOf(await get(SG, 'conflict')).CostCenter === 'cc-a');
  });

  test('R-O1 a key a policy stops requiring stays on the objects, in list and map shapes alike (it never removes tags)', async () => {
    await createNamespace('rotation');
    const shapes = [FN, SG];
    for (const sample of shapes) await create(sample, 'rotation', nameOf(sample), { Owner: 'rotation' });
    await createPolicy('rotation', { tags: { Rotation: 'weekly', Tier: 'gold' }, namespaces: ['rotation'] });
    for (const sample of shapes) await eventually(`${sample.kind} tagged`, async () => tagsOf(await get(sample, 'rotation')).Tier === 'gold');
    await mergePatch(policyPath('rotation'), { spec: { tags: { Tier: null, Backup: 'daily' } } });
    for (const sample of shapes) {
      const tags = await eventually(`${sample.kind} gets Backup`, async () => {
        const tags = tagsOf(await get(sample, 'rotation'));
        return tags.Backup ? tags : undefined;
      });
      expect({ kind: sample.kind, tags }).toEqual({ kind: sample.kind, tags: { Owner: 'rotation', Rotation: 'weekly', Tier: 'gold', Backup: 'daily' } });
    }
  });

  test('R-O1 objects that need nothing get no writes: reconciled again, a converged namespace stays quiet', async () => {
    await createNamespace('quiet');
    for (const [, sample] of SAMPLES) await create(sample, 'quiet');
    await createPolicy('quiet', { tags: REQUIRED, namespaces: ['quiet'] });
    await statusOf('quiet', 'compliant', (s) => s.compliant === 4 && s.conditions?.[0]?.status === 'True');
    const before = await Promise.all(SAMPLES.map(([, sample]) => get(sample, 'quiet').then((o) => o.metadata.resourceVersion)));
    const mark = logMark();
    // A label change on the namespace makes the operator look at every object in it again.
    await mergePatch('/api/v1/namespaces/quiet', { metadata: { labels: { looked: 'again' } } });
    for (const [, sample] of SAMPLES) await reconciledSince(mark, resourceTypeOf(sample), 'quiet', nameOf(sample));
    const after = await Promise.all(SAMPLES.map(([, sample]) => get(sample, 'quiet').then((o) => o.metadata.resourceVersion)));
    expect(after).toEqual(before);
  });
});

describe('CRD changes (R-O3, issue 10)', () => {
  const TOPIC: AckSample = { apiVersion: 'sns.services.k8s.aws/v1alpha1', kind: 'Topic', plural: 'topics', spec: (name) => ({ name }) };
  const TOPIC_V1 = { ...TOPIC, apiVersion: 'sns.services.k8s.aws/v1' };
  const LOG_GROUP: AckSample = { apiVersion: 'cloudwatchlogs.services.k8s.aws/v1alpha1', kind: 'LogGroup', plural: 'loggroups', spec: (name) => ({ name }) };
  const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  /** Topic tags are a key/value list; read directly (the sample table knows only v1alpha1). */
  const topicTag = async (version: AckSample, name: string, key: string) =>
    ((await admin.get<any>(objectPath(resourceTypeOf(version), 'crd-upgrade', name))).spec.tags ?? []).find((t: { key: string }) => t.key === key)?.value;

  test('R-O3 a kind moving to v1 (old version still served, then not) is followed: no object counted twice, no retry of the old version', async () => {
    await createNamespace('crd-upgrade');
    for (const name of ['t-1', 't-2']) await create(TOPIC, 'crd-upgrade', name);
    await createPolicy('crd-upgrade', { tags: REQUIRED, namespaces: ['crd-upgrade'], kinds: ['sns.services.k8s.aws/Topic'] });
    await statusOf('crd-upgrade', '2 compliant', (s) => s.covered === 2 && s.compliant === 2);

    // ACK promotes the kind: v1 served and stored, v1alpha1 still served.
    const crdPath = `${CRD_PATH}/topics.sns.services.k8s.aws`;
    const changeVersions = (change: (versions: any[]) => any[]) =>
      eventually('CRD updated', async () => {
        const crd = await admin.get<any>(crdPath);
        crd.spec.versions = change(crd.spec.versions);
        return admin.replace(crdPath, crd).then(() => true);
      });
    await changeVersions(([v1alpha1]) => [{ ...v1alpha1, storage: false }, { ...v1alpha1, name: 'v1', storage: true }]);
    await eventually('the operator reads v1', () => running.logs.some((line) => line.msg === 'kind now served at another version; relisting into the same cache' && line.kind === 'sns.services.k8s.aws/Topic' && line.to === 'v1') || undefined);
    const createV1 = (name: string) => admin.create(collectionPath(resourceTypeOf(TOPIC_V1), 'crd-upgrade'), { ...ackObject(TOPIC, 'crd-upgrade', name), apiVersion: TOPIC_V1.apiVersion });
    await eventually('v1 served', () => createV1('t-3').then(() => true));
    await eventually('t-3 tagged', async () => (await topicTag(TOPIC_V1, 't-3', 'CostCenter')) === 'cc-42');
    await statusOf('crd-upgrade', '3 covered, not 5', (s) => s.covered === 3 && s.compliant === 3);

    // Then v1alpha1 is no longer served: the operator already reads v1, and keeps working.
    const failuresBefore = running.logs.filter((line) => line.msg === 'list/watch failed; retrying' && line.resource === 'topics.sns.services.k8s.aws').length;
    await changeVersions(([v1alpha1, v1]) => [{ ...v1alpha1, served: false }, v1]);
    await createV1('t-4');
    await eventually('t-4 tagged', async () => (await topicTag(TOPIC_V1, 't-4', 'CostCenter')) === 'cc-42');
    const status = await statusOf('crd-upgrade', '4 covered', (s) => s.covered === 4);
    expect(status).toMatchObject({ covered: 4, compliant: 4 });
    expect(running.logs.filter((line) => line.msg === 'list/watch failed; retrying' && line.resource === 'topics.sns.services.k8s.aws').length).toBe(failuresBefore);
  }, 90_000);

  test('R-O3 a deleted CRD takes its objects out of the counts without a retry loop; reinstalled, the kind is enforced again', async () => {
    await createNamespace('crd-delete');
    for (const name of ['lg-1', 'lg-2']) await create(LOG_GROUP, 'crd-delete', name);
    await createPolicy('crd-delete', { tags: REQUIRED, namespaces: ['crd-delete'], kinds: ['cloudwatchlogs.services.k8s.aws/LogGroup'] });
    await statusOf('crd-delete', '2 compliant', (s) => s.covered === 2 && s.compliant === 2);

    await admin.delete(`${CRD_PATH}/loggroups.cloudwatchlogs.services.k8s.aws`);
    await statusOf('crd-delete', 'nothing covered', (s) => s.covered === 0);
    await eventually('the operator forgot the kind', () => running.logs.some((line) => line.msg === 'CRD deleted; forgetting its objects' && line.kind === 'cloudwatchlogs.services.k8s.aws/LogGroup') || undefined);
    // Its informer is stopped (not retrying a kind that is not served) until the CRD returns.
    expect(running.tagPolicies.kinds.get('cloudwatchlogs.services.k8s.aws/LogGroup')?.source.state).toBe('not-served');

    await installCrds(controlPlane().admin.kubeConfig, readCrdManifests([join(ackCrdsDir(), 'cloudwatchlogs')]));
    await eventually('LogGroup served again', () => create(LOG_GROUP, 'crd-delete', 'lg-3').then(() => true));
    await eventually('lg-3 tagged', async () => tagsOf(await get(LOG_GROUP, 'crd-delete', 'lg-3')).CostCenter === 'cc-42');
    await statusOf('crd-delete', '1 covered', (s) => s.covered === 1 && s.compliant === 1);
  }, 90_000);
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
    const KEY = TAGGABLE_SAMPLES['list of tagKey/tagValue'];
    await createNamespace('recovery');
    for (const sample of [SG, FN, KEY]) await create(sample, 'recovery', nameOf(sample), { Owner: 'payments' });
    await createPolicy('recovery', { tags: REQUIRED, namespaces: ['recovery'] });
    await statusOf('recovery', '3 compliant', (s) => s.compliant === 3);
    const resource = `${SG.plural}.${SG.apiVersion.split('/')[0]}`;
    const relistsBefore = await counter(running.metrics, 'informer_relists_total', { resource });

    proxy.cut();
    // While the operator cannot see: objects added, a required tag removed, an object deleted.
    for (const suffix of ['2', '3', '4']) await create(SG, 'recovery', nameOf(SG, suffix));
    const live = await get(FN, 'recovery');
    live.spec.tags = { Owner: 'payments' };
    await admin.replace(objectPath(resourceTypeOf(FN), 'recovery', live.metadata.name), live);
    await admin.delete(objectPath(resourceTypeOf(KEY), 'recovery', nameOf(KEY)));
    await compactEtcd();
    proxy.restore();

    for (const suffix of ['2', '3', '4']) {
      await eventually(`new ${nameOf(SG, suffix)} tagged`, async () => tagsOf(await get(SG, 'recovery', nameOf(SG, suffix))).CostCenter === 'cc-42', 60_000);
    }
    expect(await eventually('function re-tagged', async () => {
      const tags = tagsOf(await get(FN, 'recovery'));
      return tags.CostCenter ? tags : undefined;
    }, 60_000)).toEqual({ Owner: 'payments', ...REQUIRED });
    // The deleted Key is gone from the cache and from the counts: 3 - 1 + 3.
    const status = await statusOf('recovery', 'status after relist', (s) => s.covered === 5 && s.compliant === 5, 60_000);
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

  test("R-O3 an informer's list and its successive watches (each ended by the server) share one connection", async () => {
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
      // Three watches, each ended by the server after its 1 s timeout.
      await eventually('three watches', async () => (await counter(metrics, 'rest_client_requests_total', { verb: 'WATCH' })) >= 3 || undefined);
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
      const failure = (await client.list('/api/v1/namespaces').then(() => undefined, (error: unknown) => error)) as Error;
      expect(failure?.name).toMatch(/TimeoutError|AbortError/);
      // A watch has no request timeout (it is long by design), but gives up when nothing arrives.
      const silent = await client.watch('/api/v1/namespaces', {}, () => undefined, new AbortController().signal, 500).then(() => undefined, (error: unknown) => error);
      expect((silent as Error)?.message).toBe('watch /api/v1/namespaces: nothing received for 0.5 s');
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

  test('R-O4 kubectl get tagpolicies shows the printer columns', async () => {
    await createNamespace('columns');
    await create(SG, 'columns');
    await createPolicy('columns', { tags: REQUIRED, namespaces: ['columns'] });
    await statusOf('columns', 'Ready', (s) => s.conditions?.[0]?.status === 'True' && s.compliant === 1);
    const result = kubectl(controlPlane(), ['get', 'tagpolicies', 'columns']);
    expect(result.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'COVERED', 'COMPLIANT', 'CORRECTED', 'READY', 'AGE']);
    expect(result.stdout).toMatch(/^columns\s+1\s+1\s+1\s+True\s+/m);
  });
});
