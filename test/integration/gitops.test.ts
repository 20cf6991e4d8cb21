/**
 * GitOps with a real Argo CD (R-D1): its application controller and repo
 * server (built from the published module by `npm run argocd`), Redis, and a
 * Git repository on loopback holding `dist/`, against the real API server of
 * the harness. The generated Applications sync every system of an
 * environment; the test plays the ACK controllers (and the operator, where
 * said) by writing status, and reads what Argo CD concludes. Opt-in:
 * `npm run test:gitops`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpMethod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { readTags } from '../../lib/tags/apply';
import { kindKey } from '../../lib/tags/tag-shape';
import { REPO_ROOT } from '../../lib/paths';
import { ApiClient, collectionPath, objectPath } from '../../operator/runtime/api-client';
import { TAG_POLICY_TYPE } from '../../operator/tag-policy/crd';
import { argocdCrdsDir } from '../../scripts/argocd';
import { ARGOCD_NAMESPACE, distFiles, startArgoCd, type ArgoCd } from '../support/argocd';
import { eventually, installOperator, operatorServiceAccount, startOperatorInProcess } from '../support/operator';
import { ALL_CRDS, useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane({ crdPaths: [...ALL_CRDS, argocdCrdsDir()] });
const ENVIRONMENT = 'staging';
let admin: ApiClient;
let argo: ArgoCd;

beforeAll(async () => {
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  argo = await startArgoCd(controlPlane());
  argo.commit(distFiles(argo.repoURL), 'dist/');
}, 120_000);

afterAll(async () => {
  await argo?.stop();
});

type Json = Record<string, any>;
const applicationPath = (name: string) => `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${name}`;
const application = (name: string) => admin.get<Json>(applicationPath(name));
const objectsOf = (file: string): Json[] => parseAllDocuments(readFileSync(join(REPO_ROOT, 'dist', file), 'utf8')).map((d) => d.toJS());

/** The API path of an object as it is listed in an Application's resources. */
function pathOf({ group = '', version, kind, namespace, name }: { group?: string; version: string; kind: string; namespace?: string; name: string }): string {
  const plural = ACK_KINDS[`${group}/${version}/${kind}`]?.plural ?? `${kind.toLowerCase()}s`;
  return objectPath({ group, version, kind, plural, namespaced: Boolean(namespace) }, namespace, name);
}

const synced = (message = 'synced') => ({ ackResourceMetadata: { ownerAccountID: '222222222222', region: 'us-east-1' }, conditions: [{ type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message, lastTransitionTime: new Date().toISOString() }] });
const mergePatch = (path: string, body: Json, fieldManager?: string) => admin.request(HttpMethod.PATCH, path, { body, contentType: 'application/merge-patch+json', ...(fieldManager ? { query: { fieldManager } } : {}) });
const writeStatus = (path: string, status: Json) => mergePatch(`${path}/status`, { status });

/** Waits until the Application's last operation is one `isIt` recognises and has succeeded. */
const operationSucceeded = (app: string, what: string, isIt: (state: Json) => boolean) =>
  eventually(what, async () => {
    const state = (await application(app)).status.operationState;
    return (state?.phase === 'Succeeded' && isIt(state)) || undefined;
  }, 120_000);

/** Starts a sync of `app` with its own options, as `argocd app sync` would, and waits for it to succeed. */
async function syncApp(app: string, sync: Json = {}): Promise<void> {
  const id = `test-${Date.now()}-${Math.random()}`;
  const { syncOptions } = (await application(app)).spec.syncPolicy;
  await mergePatch(applicationPath(app), { operation: { info: [{ name: 'test', value: id }], sync: { syncOptions, ...sync } } });
  await operationSucceeded(app, `the sync of ${app}`, (state) => (state.operation?.info ?? []).some((i: Json) => i.value === id));
}

/** Plays the ACK controllers (and the operator for its kinds) once: every object of the Application that has no status gets a healthy one; `seen` records the order objects appeared in. */
async function playControllers(app: string, seen: Map<string, number>): Promise<void> {
  const resources = ((await application(app)).status?.resources ?? []) as Json[];
  for (const resource of resources) {
    const path = pathOf(resource as any);
    let live: Json;
    try {
      live = await admin.get<Json>(path);
    } catch {
      continue;
    }
    if (!seen.has(path)) seen.set(path, seen.size);
    if (live.status) continue;
    const group = (resource.group ?? '') as string;
    // ACK's kinds and the operator's ACK-gap kinds report ACK's conditions; the FailoverGroup its phase.
    if (group.endsWith('.services.k8s.aws') || ['WebACLAssociation', 'TrailLogging', 'TargetTrackingPolicy'].includes(resource.kind)) await writeStatus(path, synced());
    else if (resource.kind === 'FailoverGroup') await writeStatus(path, { phase: 'Healthy' });
  }
}

let environmentSync: ReturnType<typeof syncEnvironment> | undefined;

/**
 * Applies the environment's generated Applications and plays the controllers
 * until every one is Synced and Healthy; once per suite, so that each test
 * can start from a synced environment (and run alone with -t).
 */
function syncedEnvironment() {
  environmentSync ??= syncEnvironment();
  return environmentSync;
}

async function syncEnvironment() {
  const apps: Json[] = objectsOf(`argocd/${ENVIRONMENT}.k8s.yaml`).map((app) => ({ ...app, spec: { ...app.spec, source: { ...app.spec.source, repoURL: argo.repoURL }, destination: { ...app.spec.destination, server: argo.server } } }));
  for (const app of apps) await admin.apply(applicationPath(app.metadata.name), app as never, 'test');
  const seen = new Map<string, number>();
  let unhealthy: string[] = [];
  const states = await eventually(
    'every Application Synced and Healthy',
    async () => {
      const all = await Promise.all(
        apps.map(async (app) => {
          await playControllers(app.metadata.name, seen);
          const status = (await application(app.metadata.name)).status;
          return [app.metadata.name, status?.sync?.status, `${status?.health?.status} ${status?.operationState?.phase ?? ''} ${status?.operationState?.message ?? ''}`, status?.resources ?? []] as const;
        }),
      );
      unhealthy = all.filter(([, sync, health]) => sync !== 'Synced' || !health.startsWith('Healthy ')).map(([name, sync, health]) => `${name} ${sync} ${health}`);
      unhealthy.push(...all.flatMap(([name, , , resources]) => (resources as Json[]).filter((r) => r.status !== 'Synced').map((r) => `${name}: ${r.kind}/${r.name} ${r.status}`)));
      return all.every(([, sync, health]) => sync === 'Synced' && health.startsWith('Healthy ')) ? all : undefined;
    },
    120_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; not healthy: ${unhealthy.slice(0, 10).join('; ')}`);
  });
  return { apps, states, seen };
}

describe('Argo CD syncs dist/ (R-D1)', () => {
  test('R-D1 the generated Applications of an environment sync every system: Synced and Healthy once ACK reports each object synced; sync waves apply the DR database in order', async () => {
    const { apps, states, seen } = await syncedEnvironment();
    expect(states.map(([name]) => name).sort()).toEqual(apps.map((a) => a.metadata.name).sort());
    // The waves: primary cluster (1) before the global cluster (2) before the secondary (3).
    const order = (kind: string, name: string) => seen.get(pathOf({ group: 'rds.services.k8s.aws', version: 'v1alpha1', kind, namespace: `dr-${ENVIRONMENT}`, name }));
    expect(order('DBCluster', 'payments-global-primary')!).toBeLessThan(order('GlobalCluster', 'payments-global')!);
    expect(order('GlobalCluster', 'payments-global')!).toBeLessThan(order('DBCluster', 'payments-global-secondary')!);
  }, 400_000);

  test('R-D1 health follows ACK\'s conditions and the FailoverGroup\'s phase through the generated Lua: each object moves its Application through Degraded, Progressing and Healthy', async () => {
    await syncedEnvironment();
    // Argo CD v3 keeps resource health out of the Application (controller.resource.health.persist false): the app's health is the worst of its resources'.
    const condition = (type: string, status: string, message: string) => ({ type, status, reason: type, message, lastTransitionTime: new Date().toISOString() });
    const bucketApp = `payment-stack-${ENVIRONMENT}`;
    const subjects = [
      {
        app: bucketApp,
        path: pathOf((await application(bucketApp)).status.resources.find((r: Json) => r.kind === 'Bucket')),
        statuses: [
          ['Degraded', { conditions: [condition('ACK.ResourceSynced', 'False', 'AccessDenied on PutBucketPolicy'), condition('ACK.Terminal', 'True', 'InvalidBucketName: the name is taken')] }],
          ['Progressing', { conditions: [condition('ACK.ResourceSynced', 'False', 'bucket policy pending'), condition('ACK.Terminal', 'False', 'cleared')] }],
          ['Healthy', { conditions: [condition('ACK.ResourceSynced', 'True', 'synced'), condition('ACK.Terminal', 'False', 'cleared')] }],
        ],
      },
      {
        app: `dr-${ENVIRONMENT}`,
        path: pathOf({ group: 'ack-systems.io', version: 'v1alpha1', kind: 'FailoverGroup', namespace: `dr-${ENVIRONMENT}`, name: 'payments' }),
        statuses: [
          ['Degraded', { phase: 'Degraded' }],
          ['Progressing', { phase: 'FailingOver' }],
          ['Healthy', { phase: 'Healthy' }],
        ],
      },
    ] as const;
    for (const { app, path, statuses } of subjects) {
      for (const [expected, status] of statuses) {
        await writeStatus(path, status);
        await eventually(`${app} ${expected}`, async () => (await application(app)).status.health.status === expected || undefined, 60_000);
      }
    }
  }, 200_000);

  test('R-D1 R-O1 no fight: the operator\'s tag writes leave the Application Synced, and a sync from Git keeps them', async () => {
    await syncedEnvironment();
    installOperator(controlPlane());
    const operator = await startOperatorInProcess(operatorServiceAccount(controlPlane()).kubeConfig);
    try {
      const app = `payment-stack-${ENVIRONMENT}`;
      const namespace = `payment-stack-${ENVIRONMENT}`;
      await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name: 'gitops-no-fight' }, spec: { tags: { DataClass: 'confidential' }, namespaces: [namespace] } } as never);
      const vpc = (await application(app)).status.resources.find((r: Json) => r.kind === 'VPC');
      const tagged = async () => ((await admin.get<Json>(pathOf(vpc))).spec.tags as Json[]).some((t) => t.key === 'DataClass' && t.value === 'confidential');
      await eventually('the operator tagged the VPC', async () => (await tagged()) || undefined, 60_000);
      // Argo CD compares again (every 10 s): the operator's fields are ignored, so the app stays Synced.
      const refreshedAt = Date.now();
      await eventually('a comparison after the tag write', async () => Date.parse((await application(app)).status.reconciledAt) > refreshedAt + 1000 || undefined, 60_000);
      expect((await application(app)).status.sync.status).toBe('Synced');
      // A sync from Git, with the Application's own options, keeps what the operator wrote.
      await syncApp(app);
      expect(await tagged()).toBe(true);
      expect((await application(app)).status.sync.status).toBe('Synced');
    } finally {
      await operator.stop();
    }
  }, 300_000);

  test('R-D1 R-O1 a tag changed in Git reaches every object while the operator keeps its own tag, and the Application ends Synced', async () => {
    await syncedEnvironment();
    installOperator(controlPlane());
    const operator = await startOperatorInProcess(operatorServiceAccount(controlPlane()).kubeConfig);
    const file = `${ENVIRONMENT}/payment-processing.k8s.yaml`;
    const original = distFiles(argo.repoURL);
    try {
      const app = `payment-processing-${ENVIRONMENT}`;
      await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name: 'gitops-git-wins' }, spec: { tags: { DataClass: 'restricted' }, namespaces: [app] } } as never);
      // Every tagged object of the app, with its tags as the cluster holds them (list- and map-shaped alike).
      const taggedObjects = async () => {
        const resources = ((await application(app)).status.resources as Json[]).filter((r) => ACK_KINDS[`${r.group}/${r.version}/${r.kind}`]?.tagShape);
        return Promise.all(resources.map(async (r) => ({ name: `${r.kind}/${r.name}`, tags: readTags(ACK_KINDS[kindKey(`${r.group}/${r.version}`, r.kind)]!.tagShape!, (await admin.get<Json>(pathOf(r as never))).spec) })));
      };
      const all = async (check: (tags: Map<string, string>) => boolean) => ((await taggedObjects()).every(({ tags }) => check(tags)) ? true : undefined);
      await eventually('the operator tagged every object', () => all((tags) => tags.get('DataClass') === 'restricted'), 90_000);
      expect((await taggedObjects()).length).toBeGreaterThan(5);
      // Git changes a tag every object carries, in every tag shape of the file.
      const changed = new Map(original);
      changed.set(file, original.get(file)!.replaceAll('platform-team', 'payments-team'));
      argo.commit(changed, 'Owner: payments-team');
      let last: { name: string; tags: Map<string, string> }[] = [];
      await eventually(
        "Git's tag on every object, the operator's kept",
        async () => {
          last = await taggedObjects();
          return last.every(({ tags }) => tags.get('Owner') === 'payments-team' && tags.get('DataClass') === 'restricted') || undefined;
        },
        120_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${last.filter(({ tags }) => tags.get('Owner') !== 'payments-team' || tags.get('DataClass') !== 'restricted').map(({ name, tags }) => `${name} Owner=${tags.get('Owner')} DataClass=${tags.get('DataClass')}`).slice(0, 5).join('; ')}`);
      });
      await eventually('Synced', async () => (await application(app)).status.sync.status === 'Synced' || undefined, 60_000);
    } finally {
      argo.commit(original, 'restore dist/');
      await operator.stop();
    }
  }, 400_000);

  test('R-D1 R-O2 a runbook\'s kubectl patch of a FailoverGroup (freeze, a drill request) is not drift: self-heal and a sync leave it', async () => {
    await syncedEnvironment();
    const app = `dr-${ENVIRONMENT}`;
    const group = pathOf({ group: 'ack-systems.io', version: 'v1alpha1', kind: 'FailoverGroup', namespace: `dr-${ENVIRONMENT}`, name: 'payments' });
    await mergePatch(group, { spec: { freeze: true, request: { action: 'Failover', id: 'drill-gitops' } } }, 'kubectl-patch');
    const patchedAt = Date.now();
    await eventually('a comparison after the patch', async () => Date.parse((await application(app)).status.reconciledAt) > patchedAt + 1000 || undefined, 60_000);
    expect((await application(app)).status.sync.status).toBe('Synced');
    await syncApp(app);
    expect((await admin.get<Json>(group)).spec).toMatchObject({ freeze: true, request: { action: 'Failover', id: 'drill-gitops' } });
    expect((await application(app)).status.sync.status).toBe('Synced');
    await mergePatch(group, { spec: { freeze: null, request: null } }, 'kubectl-patch');
  }, 300_000);

  test('R-D1 ACK\'s spec write-back (field manager controller) of fields Git leaves unset keeps the Application Synced; an adoption that rewrites Git\'s fields is put back once, then Synced', async () => {
    await syncedEnvironment();
    const app = `dr-${ENVIRONMENT}`;
    const rds = (kind: string, name: string) => pathOf({ group: 'rds.services.k8s.aws', version: 'v1alpha1', kind, namespace: `dr-${ENVIRONMENT}`, name });
    const primary = rds('DBCluster', 'payments-global-primary');
    const global = rds('GlobalCluster', 'payments-global');
    const gitVersion = (await admin.get<Json>(primary)).spec.engineVersion;
    // What the rds controller writes after create: fields it reads back (charts/ack-write-back.ts), and Git's own engineVersion unchanged.
    await mergePatch(primary, { spec: { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], networkType: 'IPV4', engineMode: 'provisioned', engineVersion: gitVersion } }, 'controller');
    await mergePatch(global, { spec: { engine: 'aurora-postgresql', engineVersion: gitVersion, databaseName: 'payments', storageEncrypted: true } }, 'controller');
    const writtenAt = Date.now();
    await eventually('a comparison after the write-back', async () => Date.parse((await application(app)).status.reconciledAt) > writtenAt + 1000 || undefined, 60_000);
    expect((await application(app)).status.sync.status).toBe('Synced');
    expect((await admin.get<Json>(primary)).spec).toMatchObject({ availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], networkType: 'IPV4' });

    // `adopt` replaces the spec with what AWS has (runtime reconciler.go:639-649): the zone's config gone, AWS's tags.
    const zone = pathOf({ group: 'route53.services.k8s.aws', version: 'v1alpha1', kind: 'HostedZone', namespace: `dr-${ENVIRONMENT}`, name: 'payment-api-zone' });
    const git = (await admin.get<Json>(zone)).spec;
    await mergePatch(zone, { spec: { hostedZoneConfig: null, tags: [{ key: 'CreatedBy', value: 'someone-else' }] } }, 'controller');
    const adoptedAt = Date.now();
    // Self-heal applies Git's once; nothing writes it again, so the Application stays Synced.
    await eventually("Git's zone config and tags back", async () => {
      const spec = (await admin.get<Json>(zone)).spec;
      return (JSON.stringify(spec.hostedZoneConfig) === JSON.stringify(git.hostedZoneConfig) && JSON.stringify(spec.tags) === JSON.stringify(git.tags)) || undefined;
    }, 90_000);
    await eventually('Synced after the put-back', async () => {
      const status = (await application(app)).status;
      return (status.sync.status === 'Synced' && Date.parse(status.reconciledAt) > adoptedAt) || undefined;
    }, 60_000);
  }, 300_000);

  test('R-D1 prune: the automated sync never deletes an object removed from Git (the app says it needs pruning); a sync with prune deletes exactly it, not what a DeferredObject rendered', async () => {
    await syncedEnvironment();
    installOperator(controlPlane());
    const operator = await startOperatorInProcess(operatorServiceAccount(controlPlane()).kubeConfig);
    const app = `vpc-peering-${ENVIRONMENT}`;
    const namespace = app;
    const file = `${ENVIRONMENT}/vpc-peering.k8s.yaml`;
    const original = distFiles(argo.repoURL);
    const ec2 = (kind: string, name: string) => pathOf({ group: 'ec2.services.k8s.aws', version: 'v1alpha1', kind, namespace, name });
    const removed = pathOf({ group: 'services.k8s.aws', version: 'v1alpha1', kind: 'FieldExport', namespace, name: 'vpc-peering-outputs-peering-status' });
    const rendered = ec2('RouteTable', 'prune-probe-rendered');
    const deferredPath = pathOf({ group: 'ack-systems.io', version: 'v1alpha1', kind: 'DeferredObject', namespace, name: 'prune-probe' });
    const exists = async (path: string) => admin.get(path).then(() => true, () => false);
    try {
      expect(await exists(removed)).toBe(true);
      // Git: that FieldExport removed, and a DeferredObject added that renders a route table (a kind the charts defer) once the peering has an ID.
      const deferred = {
        apiVersion: 'ack-systems.io/v1alpha1',
        kind: 'DeferredObject',
        metadata: { name: 'prune-probe', namespace },
        spec: {
          inputs: [{ name: 'peering', object: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPCPeeringConnection', name: 'payment-analytics-peering' } }],
          template: {
            apiVersion: 'ec2.services.k8s.aws/v1alpha1',
            kind: 'RouteTable',
            metadata: { name: 'prune-probe-rendered', annotations: { 'services.k8s.aws/region': 'us-east-1' } },
            spec: { vpcID: 'vpc-0a1b2c3d4e5f60001', routes: [{ destinationCIDRBlock: '10.99.0.0/16', vpcPeeringConnectionID: '${peering.status.vpcPeeringConnectionID}' }] },
          },
        },
      };
      const documents = parseAllDocuments(original.get(file)!).map((d) => d.toJS()).filter((o: Json) => !(o.kind === 'FieldExport' && o.metadata.name === 'vpc-peering-outputs-peering-status'));
      const changed = new Map(original);
      changed.set(file, [...documents, deferred].map((o) => stringify(o)).join('---\n'));
      const revision = argo.commit(changed, 'remove a FieldExport; add a DeferredObject');
      await writeStatus(ec2('VPCPeeringConnection', 'payment-analytics-peering'), { vpcPeeringConnectionID: 'pcx-0prune0probe0001' });
      await eventually('the DeferredObject rendered its object', async () => (await exists(rendered)) || undefined, 120_000).catch(async (error: Error) => {
        const status = await admin.get<Json>(deferredPath).then((o) => JSON.stringify(o.status), (e: Error) => e.message);
        throw new Error(`${error.message}; DeferredObject status: ${status}; app: ${JSON.stringify((await application(app)).status.operationState?.message)}`);
      });
      // Its health through the generated Lua: Ready, so the Application is Healthy.
      await eventually('Healthy with the DeferredObject applied', async () => (await application(app)).status.health.status === 'Healthy' || undefined, 60_000);
      // The automated sync of that commit ran and deleted nothing.
      await operationSucceeded(app, 'the automated sync of the commit', (state) => state.operation?.initiatedBy?.automated === true && state.syncResult?.revision === revision);
      const pending = ((await application(app)).status.resources as Json[]).find((r) => r.kind === 'FieldExport' && r.name === 'vpc-peering-outputs-peering-status');
      expect(pending).toMatchObject({ requiresPruning: true });
      expect(await exists(removed)).toBe(true);
      // A sync with prune, as a person would start it after reading what it removes.
      await syncApp(app, { prune: true });
      // Argo CD deletes in the foreground: without a garbage collector in the harness the object keeps its deletion timestamp.
      const deleting = async (path: string) => admin.get<Json>(path).then((o) => Boolean(o.metadata.deletionTimestamp), () => true);
      await eventually('the removed object deleted', async () => (await deleting(removed)) || undefined, 30_000);
      expect(await deleting(rendered)).toBe(false);
      expect(await deleting(deferredPath)).toBe(false);
      expect((await admin.get<Json>(rendered)).metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DeferredObject', name: 'prune-probe' })]);
    } finally {
      argo.commit(original, 'restore dist/');
      // What the garbage collector would do, so that Git's restored FieldExport can be created again.
      await mergePatch(removed, { metadata: { finalizers: null } }).catch(() => undefined);
      await admin.delete(deferredPath).catch(() => undefined);
      // The operator removes what it rendered, then its finalizer.
      await eventually('the DeferredObject gone', async () => admin.get(deferredPath).then(() => undefined, () => true), 30_000).catch(() => undefined);
      await operator.stop();
    }
  }, 400_000);
});
