/**
 * `npm run bench:operator`: the TagPolicy operator against a real
 * kube-apiserver + etcd (the test harness's), at scale.
 *
 * 1. BENCH_OBJECTS (default 2,000) ACK objects across four kinds, one per
 *    tag shape, in 10 namespaces, none carrying the required tags; one policy.
 * 2. The bundled operator (the image's entry point), under the chart's
 *    ServiceAccount, with leader election on as deployed: time from process
 *    start to every object carrying the tags (read from the API server), the
 *    write requests it made, the writes to ACK objects and the policy in the
 *    30 s after convergence (must be 0), and its peak RSS.
 * 3. The practical limit: a tight client loop patching the same objects with
 *    blind server-side applies (no reads, no events) at the operator's
 *    parallelism.
 *
 * Numbers are printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { ackCrdsDir } from '../lib/paths';
import { ApiClient, collectionPath, objectPath } from '../operator/runtime/api-client';
import { ConcurrencyLimit } from '../operator/runtime/concurrency';
import { TAG_POLICY_TYPE } from '../operator/tag-policy/crd';
import { TAG_POLICY_CONTROLLERS } from '../operator/tag-policy/controllers';
import { tagPatch } from '../lib/tags/apply';
import { ACK_KINDS } from '../imports/ack-kinds';
import { kindKey } from '../lib/tags/tag-shape';
import { ackObject, resourceTypeOf, tagsOf, TAGGABLE_SAMPLES, type AckSample } from '../test/support/ack-objects';
import { startControlPlane } from '../test/support/control-plane';
import { buildOperatorBundle, eventually, installOperator, operatorEndpoint, operatorServiceAccount, spawnOperator } from '../test/support/operator';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 2000);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 30);
const NAMESPACES = Array.from({ length: 10 }, (_, i) => `bench-${i}`);
const REQUIRED = { CostCenter: 'cc-bench', DataClass: 'internal' };
/** The operator's default --concurrency, so the loop below is a like-for-like limit. */
const PARALLELISM = 4;

const samples = Object.values(TAGGABLE_SAMPLES) as AckSample[];
const objects = Array.from({ length: OBJECTS }, (_, i) => ({ sample: samples[i % samples.length], namespace: NAMESPACES[i % NAMESPACES.length], name: `obj-${i}` }));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function parallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const gate = new ConcurrencyLimit(limit);
  await Promise.all(items.map((item) => gate.run(() => fn(item))));
}

/** resourceVersion of every bench object and the policy, read from the API server. */
async function versions(api: ApiClient): Promise<Map<string, { resourceVersion: string; compliant: boolean }>> {
  const result = new Map<string, { resourceVersion: string; compliant: boolean }>();
  for (const sample of samples) {
    let token: string | undefined;
    do {
      const page = await api.list<any>(collectionPath(resourceTypeOf(sample)), { limit: 500, continue: token });
      for (const item of page.items) {
        const tags = tagsOf({ ...item, apiVersion: sample.apiVersion, kind: sample.kind });
        result.set(`${sample.kind}/${item.metadata.namespace}/${item.metadata.name}`, {
          resourceVersion: item.metadata.resourceVersion,
          compliant: Object.entries(REQUIRED).every(([key, value]) => tags[key] === value),
        });
      }
      token = page.metadata?.continue || undefined;
    } while (token);
  }
  const policy = await api.get<any>(objectPath(TAG_POLICY_TYPE, undefined, 'bench'));
  result.set('TagPolicy/bench', { resourceVersion: policy.metadata.resourceVersion, compliant: policy.status?.compliant === OBJECTS });
  return result;
}

/** Sums `rest_client_requests_total` per verb from an operator's /metrics. */
function requestsByVerb(metricsText: string): Record<string, number> {
  const byVerb: Record<string, number> = {};
  for (const match of metricsText.matchAll(/^rest_client_requests_total\{verb="(\w+)",code="\d+"\} (\d+)/gm)) byVerb[match[1]] = (byVerb[match[1]] ?? 0) + Number(match[2]);
  return byVerb;
}

const peakRssMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

console.log(`operator benchmark: ${OBJECTS} ACK objects (${samples.map((s) => s.kind).join(', ')}) in ${NAMESPACES.length} namespaces`);
const controlPlane = await startControlPlane({ crdPaths: [ackCrdsDir()] });
try {
  buildOperatorBundle();
  installOperator(controlPlane);
  const admin = new ApiClient(controlPlane.admin.kubeConfig, undefined, 32);
  for (const name of NAMESPACES) await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const createStart = performance.now();
  await parallel(objects, 32, ({ sample, namespace, name }) => admin.create(collectionPath(resourceTypeOf(sample), namespace), ackObject(sample, namespace, name, { Owner: 'bench' })));
  console.log(`  created the objects in:                      ${seconds(performance.now() - createStart)}`);
  await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name: 'bench' }, spec: { tags: REQUIRED } });

  // 2. The operator.
  const serviceAccount = operatorServiceAccount(controlPlane);
  const started = performance.now();
  const startedAt = Date.now();
  const operator = spawnOperator(serviceAccount.kubeconfigPath, 'bench');
  const port = await operator.port();
  // Poll the policy status (one small GET), not the objects: listing 2,000 objects every
  // 100 ms would compete with the operator for the API server. Then verify the objects.
  await eventually('the policy reports every object compliant', async () => (await admin.get<any>(objectPath(TAG_POLICY_TYPE, undefined, 'bench'))).status?.compliant === OBJECTS, 600_000);
  const convergedMs = performance.now() - started;
  const notCompliant = [...(await versions(admin))].filter(([, v]) => !v.compliant).map(([key]) => key);
  if (notCompliant.length > 0) throw new Error(`the policy status says compliant, but these are not: ${notCompliant.slice(0, 5).join(', ')}…`);
  const leadingAt = operator.logs.find((line) => line.msg === 'controller started' && line.controller === TAG_POLICY_CONTROLLERS.enforcer)?.time as string | undefined;
  const writesAtConvergence = requestsByVerb((await operatorEndpoint(port, '/metrics')).body);
  const before = await versions(admin);
  await new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
  const after = await versions(admin);
  const changed = [...before].filter(([key, v]) => after.get(key)?.resourceVersion !== v.resourceVersion).length;
  const writesAfterQuiet = requestsByVerb((await operatorEndpoint(port, '/metrics')).body);
  const rss = peakRssMiB(operator.child.pid!);
  operator.child.kill('SIGTERM');
  await operator.closed();

  const writes = (counts: Record<string, number>) => (counts.PATCH ?? 0) + (counts.PUT ?? 0) + (counts.POST ?? 0) + (counts.DELETE ?? 0);
  console.log(`  operator: start to full compliance (status):  ${seconds(convergedMs)}${leadingAt ? ` (leading with caches synced after ${seconds(Date.parse(leadingAt) - startedAt)})` : ''}`);
  console.log(`  operator: write requests until then:         ${writes(writesAtConvergence)} (PATCH ${writesAtConvergence.PATCH ?? 0} tag applies and event updates, POST ${writesAtConvergence.POST ?? 0} events and the Lease, PUT ${writesAtConvergence.PUT ?? 0} status and Lease renewals)`);
  console.log(`  writes to ACK objects and the policy in the ${QUIET_SECONDS} s after convergence: ${changed}`);
  const quietBy = (verb: string) => (writesAfterQuiet[verb] ?? 0) - (writesAtConvergence[verb] ?? 0);
  console.log(
    `  operator write requests in those ${QUIET_SECONDS} s:      ${writes(writesAfterQuiet) - writes(writesAtConvergence)} (PUT ${quietBy('PUT')} Lease renewals and status, POST ${quietBy('POST')} and PATCH ${quietBy('PATCH')} Events still queued)`,
  );
  console.log(`  operator peak RSS:                           ${rss.toFixed(0)} MiB`);

  // 3. The practical limit: the same number of tag writes from a tight loop.
  const loopTags = new Map([['LoopTag', 'x']]);
  const loopStart = performance.now();
  await parallel(objects, PARALLELISM, ({ sample, namespace, name }) => {
    const shape = ACK_KINDS[kindKey(sample.apiVersion, sample.kind)].tagShape!;
    return admin.apply(
      objectPath(resourceTypeOf(sample), namespace, name),
      { apiVersion: sample.apiVersion, kind: sample.kind, metadata: { name, namespace }, spec: tagPatch(shape, undefined, loopTags) } as never,
      'bench-loop',
      { force: true },
    );
  });
  const loopMs = performance.now() - loopStart;
  console.log(`  tight client loop, ${OBJECTS} server-side applies at parallelism ${PARALLELISM}: ${seconds(loopMs)}`);
  console.log(`  ratio operator / tight loop:                 ${(convergedMs / loopMs).toFixed(2)}x`);
} finally {
  await controlPlane.stop();
}
