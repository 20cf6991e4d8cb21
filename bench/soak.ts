/**
 * `npm run bench:soak`: the TagPolicy operator under churn for
 * BENCH_SOAK_MINUTES (default 10) on a real kube-apiserver + etcd: from
 * BENCH_SOAK_OBJECTS (default 2,000) non-compliant ACK objects over every
 * taggable kind, BENCH_SOAK_RATE (default 10) changes per second, in turn a
 * create (a new object to tag), an update (an object's required tag changed
 * away) and a delete. Every 30 s it prints the operator's resident memory,
 * heap, open file descriptors, active handles and active resources by type
 * (timers among them), read from its /metrics (heap: used of committed); at the end, the mean memory of
 * the last minute against the second's, and the handles against the first
 * sample. Printed, never asserted. BENCH_NODE_OPTIONS adds Node flags to the
 * operator's NODE_OPTIONS.
 */
import { performance } from 'node:perf_hooks';
import { tagPatch } from '../lib/tags/apply';
import { collectionPath, objectPath } from '../operator/runtime/api-client';
import { TAG_POLICY_TYPE } from '../operator/tag-policy/crd';
import { buildOperatorBundle, deployedNodeOptions, eventually, installOperator, operatorEndpoint, operatorServiceAccount, spawnOperator } from '../test/support/operator';
import { acceptedKinds, freshCluster, manifestOf, objectsOf, REQUIRED, seconds } from './support/population';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const OBJECTS = Number(process.env.BENCH_SOAK_OBJECTS ?? 2000);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 10);
const SAMPLE_MS = 30_000;
/** Node flags added to the Deployment's NODE_OPTIONS, to try one (as in bench:operator). */
const NODE_FLAGS = process.env.BENCH_NODE_OPTIONS;

/** The gauges of one /metrics text the soak follows. */
function gauges(text: string) {
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  const resources = Object.fromEntries([...text.matchAll(/^nodejs_active_resources\{type="(\w+)"\} (\S+)/gm)].map(([, type, n]) => [type, Number(n)]));
  return { rssMiB: value('process_resident_memory_bytes') / 2 ** 20, heapMiB: value('nodejs_heap_size_used_bytes') / 2 ** 20, heapTotalMiB: value('nodejs_heap_size_total_bytes') / 2 ** 20, externalMiB: value('nodejs_external_memory_bytes') / 2 ** 20, fds: value('process_open_fds'), handles: value('nodejs_active_handles_total'), resources };
}
type Gauges = ReturnType<typeof gauges>;
const line = (at: string, g: Gauges) =>
  `  ${at.padStart(7)}  RSS ${g.rssMiB.toFixed(0).padStart(4)} MiB  heap ${g.heapMiB.toFixed(0).padStart(4)} of ${g.heapTotalMiB.toFixed(0).padStart(4)} MiB  external ${g.externalMiB.toFixed(0).padStart(3)} MiB  fds ${String(g.fds).padStart(4)}  handles ${String(g.handles).padStart(4)}  ${Object.entries(g.resources)
    .sort()
    .map(([type, n]) => `${type} ${n}`)
    .join(', ')}`;

buildOperatorBundle();
const kinds = await acceptedKinds();
console.log(`soak: ${OBJECTS} objects over ${kinds.length} ACK kinds, ${RATE} changes/s for ${MINUTES} min`);
const { controlPlane, admin } = await freshCluster(kinds, OBJECTS);
try {
  installOperator(controlPlane);
  await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name: 'bench' }, spec: { tags: Object.fromEntries(REQUIRED) } } as never);
  const operator = spawnOperator(operatorServiceAccount(controlPlane).kubeconfigPath, 'soak', [], NODE_FLAGS ? { NODE_OPTIONS: `${deployedNodeOptions()} ${NODE_FLAGS}` } : {});
  const port = await operator.port();
  await eventually('every object compliant', async () => (await admin.get<any>(`${collectionPath(TAG_POLICY_TYPE)}/bench`)).status?.compliant === OBJECTS || undefined, 600_000);
  const sample = async () => gauges((await operatorEndpoint(port, '/metrics')).body);

  // Churn: create, update, delete in turn at RATE per second; the live set stays the same size.
  const live = objectsOf(kinds, OBJECTS);
  let next = OBJECTS;
  let changes = 0;
  let failures = 0;
  const churn = async () => {
    const step = changes++ % 3;
    if (step === 0) {
      const kind = kinds[next % kinds.length];
      const object = { kind, namespace: live[next % live.length].namespace, name: `obj-${next++}` };
      await admin.create(collectionPath(kind.type, object.namespace), manifestOf(kind, object.namespace, object.name));
      live.push(object);
    } else if (step === 1) {
      const { kind, namespace, name } = live[changes % live.length];
      await admin.apply(objectPath(kind.type, namespace, name), { apiVersion: `${kind.type.group}/${kind.type.version}`, kind: kind.type.kind, metadata: { name, namespace }, spec: tagPatch(kind.shape, undefined, new Map([['CostCenter', 'churned']])) } as never, 'bench-churn', { force: true });
    } else {
      const { kind, namespace, name } = live.shift()!;
      await admin.delete(objectPath(kind.type, namespace, name));
    }
  };
  const started = performance.now();
  const timer = setInterval(() => void churn().catch(() => failures++), 1000 / RATE);
  const samples: { at: number; gauges: Gauges }[] = [];
  console.log(line('0 s', await sample()));
  while (performance.now() - started < MINUTES * 60_000) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const g = await sample();
    samples.push({ at: performance.now() - started, gauges: g });
    console.log(line(seconds(performance.now() - started), g));
  }
  clearInterval(timer);
  // One sample can fall on a collection: compare the mean of the second minute with the mean of the last.
  const meanRss = (from: number, to: number) => {
    const window = samples.filter((s) => s.at > from && s.at <= to + 1000);
    return window.reduce((sum, s) => sum + s.gauges.rssMiB, 0) / window.length;
  };
  const afterFirstMinute = meanRss(60_000, 120_000);
  const atEnd = meanRss(MINUTES * 60_000 - 60_000, MINUTES * 60_000);
  const last = samples[samples.length - 1];
  console.log(`  ${changes} changes (${failures} refused), ${OBJECTS} objects live throughout`);
  console.log(`  RSS, mean of the second minute ${afterFirstMinute.toFixed(0)} MiB, of the last minute ${atEnd.toFixed(0)} MiB: ${(((atEnd - afterFirstMinute) / afterFirstMinute) * 100).toFixed(1)}% (goal within 10%)`);
  console.log(`  handles ${samples[0].gauges.handles} → ${last.gauges.handles}, fds ${samples[0].gauges.fds} → ${last.gauges.fds}, timers ${samples[0].gauges.resources.Timeout ?? 0} → ${last.gauges.resources.Timeout ?? 0}`);
  operator.child.kill('SIGTERM');
  await operator.closed();
} finally {
  await controlPlane.stop();
}
