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
import { parseAllDocuments } from 'yaml';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { REPO_ROOT } from '../../lib/paths';
import { ApiClient, collectionPath } from '../../operator/runtime/api-client';
import { TAG_POLICY_TYPE } from '../../operator/tag-policy/crd';
import { argocdCrdsDir } from '../../scripts/argocd';
import { ARGOCD_NAMESPACE, distFiles, startArgoCd, type ArgoCd } from '../support/argocd';
import { eventually, installOperator, operatorServiceAccount, startOperatorInProcess } from '../support/operator';
import { ALL_CRDS, kubectl, useControlPlane } from '../support/shared-control-plane';

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
function pathOf(resource: { group?: string; version: string; kind: string; namespace?: string; name: string }): string {
  const plural = ACK_KINDS[`${resource.group}/${resource.version}/${resource.kind}`]?.plural ?? `${resource.kind.toLowerCase()}s`;
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  return `${base}${resource.namespace ? `/namespaces/${resource.namespace}` : ''}/${plural}/${resource.name}`;
}

const synced = (message = 'synced') => ({ ackResourceMetadata: { ownerAccountID: '222222222222', region: 'us-east-1' }, conditions: [{ type: 'ACK.ResourceSynced', status: 'True', reason: 'Synced', message, lastTransitionTime: new Date().toISOString() }] });
const writeStatus = (path: string, status: Json) => admin.request(HttpMethod.PATCH, `${path}/status`, { body: { status }, contentType: 'application/merge-patch+json' });

/** Plays the ACK controllers (and the operator for its kinds) once: every object of the Application that has no status gets a healthy one; returns the paths first seen now. */
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
  for (const app of apps) {
    const result = kubectl(controlPlane(), ['apply', '--server-side', '--field-manager=test', '-f', '-'], { input: JSON.stringify(app) });
    if (result.status !== 0) throw new Error(`kubectl apply ${app.metadata.name}: ${result.stderr}`);
  }
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

  test('R-D1 health follows ACK\'s conditions through the generated Lua: Terminal is Degraded, not synced is Progressing, synced is Healthy', async () => {
    await syncedEnvironment();
    // Argo CD v3 keeps resource health out of the Application (controller.resource.health.persist false): the app's health is the worst of its resources'.
    const app = `payment-stack-${ENVIRONMENT}`;
    const path = pathOf((await application(app)).status.resources.find((r: Json) => r.kind === 'Bucket'));
    const condition = (type: string, status: string, message: string) => ({ type, status, reason: type, message, lastTransitionTime: new Date().toISOString() });
    const appHealth = async (expected: string) => ((await application(app)).status.health.status === expected ? expected : undefined);
    await writeStatus(path, { conditions: [condition('ACK.ResourceSynced', 'False', 'AccessDenied on PutBucketPolicy'), condition('ACK.Terminal', 'True', 'InvalidBucketName: the name is taken')] });
    await eventually('Degraded', () => appHealth('Degraded'), 60_000);
    await writeStatus(path, { conditions: [condition('ACK.ResourceSynced', 'False', 'bucket policy pending'), condition('ACK.Terminal', 'False', 'cleared')] });
    await eventually('Progressing', () => appHealth('Progressing'), 60_000);
    await writeStatus(path, { conditions: [condition('ACK.ResourceSynced', 'True', 'synced'), condition('ACK.Terminal', 'False', 'cleared')] });
    await eventually('Healthy again', () => appHealth('Healthy'), 60_000);
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
      // A sync from Git (RespectIgnoreDifferences) keeps what the operator wrote.
      await admin.request(HttpMethod.PATCH, applicationPath(app), { body: { operation: { sync: { syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'] } } }, contentType: 'application/merge-patch+json' });
      await eventually('the sync finished', async () => {
        const status = (await application(app)).status;
        return status.operationState?.phase === 'Succeeded' && Date.parse(status.operationState.finishedAt) > refreshedAt ? true : undefined;
      }, 120_000);
      expect(await tagged()).toBe(true);
      expect((await application(app)).status.sync.status).toBe('Synced');
    } finally {
      await operator.stop();
    }
  }, 300_000);
});
