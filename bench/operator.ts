/**
 * `npm run bench:operator`: the TagPolicy operator against its yardstick, a
 * controller-runtime operator in Go doing the same job (`bench/peer/`, built
 * by `npm run bench:peer`), and against a blind apply loop, each on a fresh
 * real kube-apiserver + etcd (the test harness's) holding the same objects.
 *
 * For each scale in BENCH_SCALES (default 10000): that many ACK objects over
 * every taggable ACK kind the API server accepts a minimal object of (the four
 * tag shapes among them), in 50 namespaces, none carrying the required tags.
 * Each contender watches every taggable ACK kind installed. Printed side by
 * side: time from process start to every object compliant (seen through the
 * bench's own watches), requests by verb, peak RSS, TCP connections to the
 * API server, writes in the BENCH_QUIET_SECONDS (default 30) after
 * convergence, and after a restart with everything compliant: time to ready
 * and writes. Then the goals as ratios. Numbers are printed, never asserted.
 * BENCH_OPERATOR_ARGS passes flags to the TypeScript operator, BENCH_NODE_OPTIONS
 * adds Node flags to its NODE_OPTIONS (to try a setting).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readTags, tagPatch } from '../lib/tags/apply';
import { ApiClient, collectionPath, objectPath } from '../operator/runtime/api-client';
import { Informer } from '../operator/runtime/informer';
import { createLogger } from '../operator/runtime/log';
import { OperatorMetrics } from '../operator/runtime/metrics';
import type { AckObject } from '../operator/tag-policy/enforcer';
import { TAG_POLICY_CONTROLLERS } from '../operator/tag-policy/controllers';
import { TAG_POLICY_TYPE } from '../operator/tag-policy/crd';
import { ensureBenchPeer } from '../scripts/bench-peer';
import { freePort, type ControlPlane } from '../test/support/control-plane';
import { buildOperatorBundle, deployedNodeOptions, eventually, installOperator, operatorEndpoint, operatorServiceAccount, spawnOperator } from '../test/support/operator';
import { acceptedKinds, freshCluster, objectsOf, parallel, REQUIRED, seconds, NAMESPACES, type BenchKind } from './support/population';

const SCALES = (process.env.BENCH_SCALES ?? process.env.BENCH_OBJECTS ?? '10000').split(',').map(Number);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 30);
/** The operator's default --concurrency: the blind loop runs at the same parallelism. */
const PARALLELISM = 4;
/** Extra operator flags to try a setting, e.g. `--concurrency=tagpolicy-enforcer=16`. */
const OPERATOR_ARGS = (process.env.BENCH_OPERATOR_ARGS ?? '').split(' ').filter(Boolean);
/** Node flags added to the Deployment's NODE_OPTIONS, to try one, e.g. `--max-semi-space-size=4`. */
const NODE_FLAGS = process.env.BENCH_NODE_OPTIONS;

/** The non-compliant objects, kept current by one informer per kind (the operator's own runtime); `compliant()` resolves when none are left. */
class ComplianceWatch {
  private readonly failing = new Set<string>();
  private readonly versions = new Map<string, string>();
  private readonly informers: Informer<AckObject>[];
  private done?: () => void;

  static async start(admin: ApiClient, kinds: readonly BenchKind[]): Promise<ComplianceWatch> {
    const watch = new ComplianceWatch(admin, kinds);
    await Promise.all(watch.informers.map((informer) => informer.start()));
    return watch;
  }

  private constructor(admin: ApiClient, kinds: readonly BenchKind[]) {
    const [logger, metrics] = [createLogger({ level: 'error' }), new OperatorMetrics()];
    this.informers = kinds.map((kind) => {
      const informer = new Informer<AckObject>({ api: admin, type: kind.type, logger, metrics });
      informer.addHandler({ onAdd: (object) => this.see(kind, object), onUpdate: (_, object) => this.see(kind, object) });
      return informer;
    });
  }

  private see(kind: BenchKind, object: AckObject): void {
    if (object.metadata!.namespace === 'bench-probe') return;
    const key = `${kind.type.kind}/${object.metadata!.namespace}/${object.metadata!.name}`;
    this.versions.set(key, object.metadata!.resourceVersion!);
    const tags = readTags(kind.shape, object.spec);
    if ([...REQUIRED].every(([k, v]) => tags.get(k) === v)) this.failing.delete(key);
    else this.failing.add(key);
    if (this.failing.size === 0) this.done?.();
  }

  compliant(): Promise<void> {
    return this.failing.size === 0 ? Promise.resolve() : new Promise((resolve) => (this.done = resolve));
  }

  /** resourceVersion of every object, as last seen. */
  snapshot(): Map<string, string> {
    return new Map(this.versions);
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.stop()));
  }
}

/** Requests by verb from a /metrics text: `rest_client_requests_total` with `verb` (ours) or `method` (client-go). */
function requestsByVerb(metricsText: string): Record<string, number> {
  const byVerb: Record<string, number> = {};
  for (const [, labels, value] of metricsText.matchAll(/^rest_client_requests_total\{([^}]*)\} (\S+)/gm)) {
    const verb = /(?:verb|method)="(\w+)"/.exec(labels)?.[1] ?? '?';
    byVerb[verb] = (byVerb[verb] ?? 0) + Number(value);
  }
  return byVerb;
}
const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const writesOf = (counts: Record<string, number>) => WRITE_VERBS.reduce((sum, verb) => sum + (counts[verb] ?? 0), 0);
const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([verb, n]) => [verb, n - (b[verb] ?? 0)]));
const verbs = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort()
    .map(([verb, n]) => `${verb} ${n}`)
    .join(', ');

const peakRssMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Established TCP connections from `pid` to `port` (its sockets matched against /proc/net/tcp{,6}). */
function connectionsTo(pid: number, port: number): number {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter(Boolean) as string[];
      } catch {
        return [];
      }
    }),
  );
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1)).filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields.length > 9 && fields[2].endsWith(`:${hexPort}`) && fields[3] === '01' && inodes.has(fields[9]);
  }).length;
}

/** One contender as a running process. */
interface Running {
  readonly child: ChildProcess;
  /** Resolves with the time from spawn at which it leads with caches synced and workers started. */
  ready(): Promise<number>;
  requests(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

interface Contender {
  readonly name: string;
  /** What it needs in a fresh cluster before it starts. */
  prepare(controlPlane: ControlPlane, admin: ApiClient): Promise<void>;
  start(controlPlane: ControlPlane): Promise<Running>;
}

const ours: Contender = {
  name: 'TypeScript operator',
  async prepare(controlPlane, admin) {
    installOperator(controlPlane);
    await admin.create(collectionPath(TAG_POLICY_TYPE), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name: 'bench' }, spec: { tags: Object.fromEntries(REQUIRED) } } as never);
  },
  async start(controlPlane) {
    const started = Date.now();
    const operator = spawnOperator(operatorServiceAccount(controlPlane).kubeconfigPath, 'bench', OPERATOR_ARGS, NODE_FLAGS ? { NODE_OPTIONS: `${deployedNodeOptions()} ${NODE_FLAGS}` } : {});
    const port = await operator.port();
    return {
      child: operator.child,
      ready: () =>
        eventually('the enforcer started', () => {
          const line = operator.logs.find((l) => l.msg === 'controller started' && l.controller === TAG_POLICY_CONTROLLERS.enforcer);
          return line ? Date.parse(line.time as string) - started : undefined;
        }, 600_000),
      requests: async () => requestsByVerb((await operatorEndpoint(port, '/metrics')).body),
      stop: async () => {
        operator.child.kill('SIGTERM');
        await operator.closed();
      },
    };
  },
};

function peer(binary: string, kinds: readonly BenchKind[]): Contender {
  return {
    name: 'controller-runtime peer',
    async prepare() {},
    async start(controlPlane) {
      const kindsFile = join(controlPlane.dir, 'peer-kinds.json');
      writeFileSync(kindsFile, JSON.stringify(kinds.map(({ type, shape }) => ({ group: type.group, version: type.version, kind: type.kind, path: shape.path, form: shape.form, ...(shape.form === 'list' ? { keyField: shape.keyField, valueField: shape.valueField } : {}) }))));
      const port = await freePort();
      const started = performance.now();
      const child = spawn(binary, ['--kinds', kindsFile, '--tags', [...REQUIRED].map(([k, v]) => `${k}=${v}`).join(','), '--metrics-bind-address', `127.0.0.1:${port}`, '--leader-election-namespace', 'default'], {
        env: { ...process.env, KUBECONFIG: controlPlane.admin.kubeconfigPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let workersStarted = 0;
      let readyAt: number | undefined;
      let buffered = '';
      // controller-runtime logs JSON to stderr; a controller logs "Starting workers" once its cache has synced.
      child.stderr!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.includes('"Starting workers"') && ++workersStarted === kinds.length) readyAt = performance.now() - started;
      });
      child.stdout!.resume();
      const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
      return {
        child,
        ready: () => eventually('every controller started its workers', () => readyAt, 600_000),
        requests: async () => requestsByVerb(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()),
        stop: async () => {
          child.kill('SIGTERM');
          await closed;
        },
      };
    },
  };
}

interface Result {
  readonly contender: string;
  readonly complianceMs: number;
  readonly requests: Record<string, number>;
  readonly rssMiB: number;
  readonly connections: number;
  readonly quietChanged: number;
  readonly quietWrites: number;
  readonly restartReadyMs: number;
  readonly restartChanged: number;
  readonly restartWrites: number;
}

async function measure(contender: Contender, kinds: readonly BenchKind[], count: number): Promise<Result> {
  const { controlPlane, admin, createMs } = await freshCluster(kinds, count);
  try {
    console.log(`  ${contender.name}: ${count} objects created in ${seconds(createMs)}`);
    await contender.prepare(controlPlane, admin);
    const watch = await ComplianceWatch.start(admin, kinds);
    const started = performance.now();
    let running = await contender.start(controlPlane);
    await watch.compliant();
    const complianceMs = performance.now() - started;
    const atCompliance = await running.requests();
    const rssMiB = peakRssMiB(running.child.pid!);
    const connections = connectionsTo(running.child.pid!, Number(new URL(controlPlane.server).port));
    const before = watch.snapshot();
    await new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
    const changed = (since: Map<string, string>) => [...watch.snapshot()].filter(([key, version]) => since.get(key) !== version).length;
    const quietChanged = changed(before);
    const quietWrites = writesOf(minus(await running.requests(), atCompliance));
    // A restart with everything compliant: how soon it is ready, and that it writes nothing.
    await running.stop();
    const beforeRestart = watch.snapshot();
    running = await contender.start(controlPlane);
    const restartReadyMs = await running.ready();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const restartChanged = changed(beforeRestart);
    const restartWrites = writesOf(await running.requests());
    await running.stop();
    await watch.stop();
    return { contender: contender.name, complianceMs, requests: atCompliance, rssMiB, connections, quietChanged, quietWrites, restartReadyMs, restartChanged, restartWrites };
  } finally {
    await controlPlane.stop();
  }
}

/**
 * The practical limit: the same tag writes as blind server-side applies from a
 * tight loop, timed like the contenders: from the first write until the
 * bench's watches see every object compliant (so the loop pays for being
 * watched, as they do).
 */
async function blindLoop(kinds: readonly BenchKind[], count: number): Promise<number> {
  const { controlPlane, admin } = await freshCluster(kinds, count);
  try {
    const watch = await ComplianceWatch.start(admin, kinds);
    const started = performance.now();
    await parallel(objectsOf(kinds, count), PARALLELISM, ({ kind, namespace, name }) =>
      admin.apply(objectPath(kind.type, namespace, name), { apiVersion: `${kind.type.group}/${kind.type.version}`, kind: kind.type.kind, metadata: { name, namespace }, spec: tagPatch(kind.shape, undefined, REQUIRED) } as never, 'bench-loop', { force: true }),
    );
    await watch.compliant();
    const elapsed = performance.now() - started;
    await watch.stop();
    return elapsed;
  } finally {
    await controlPlane.stop();
  }
}

buildOperatorBundle();
const peerBinary = await ensureBenchPeer();
const kinds = await acceptedKinds();
const shapes = new Set(kinds.map((k) => JSON.stringify(k.shape)));
console.log(`operator benchmark: ${kinds.length} ACK kinds (${shapes.size} tag shapes), ${NAMESPACES.length} namespaces, scales ${SCALES.join(', ')}; both contenders watch all ${kinds.length} kinds`);
const growth: string[] = [];
for (const count of SCALES) {
  console.log(`\n${count} objects`);
  const results = [await measure(ours, kinds, count), await measure(peer(peerBinary, kinds), kinds, count)];
  const loopMs = await blindLoop(kinds, count);
  const [ts, go] = results;
  const row = (label: string, value: (r: Result) => string) => console.log(`  ${label.padEnd(44)}${results.map((r) => value(r).padEnd(56)).join('')}`);
  row('', (r) => r.contender);
  row('start to every object compliant', (r) => seconds(r.complianceMs));
  row('requests until then', (r) => verbs(r.requests));
  row('peak RSS', (r) => `${r.rssMiB.toFixed(0)} MiB`);
  row('TCP connections to the API server', (r) => String(r.connections));
  row(`objects changed in the ${QUIET_SECONDS} s after`, (r) => String(r.quietChanged));
  row(`write requests in those ${QUIET_SECONDS} s`, (r) => String(r.quietWrites));
  row('restart, all compliant: ready after', (r) => seconds(r.restartReadyMs));
  row('restart: objects changed, write requests', (r) => `${r.restartChanged}, ${r.restartWrites} (Lease and Events included)`);
  console.log(`  blind apply loop (parallelism ${PARALLELISM}): ${seconds(loopMs)}`);
  console.log(`  goals: time ${(ts.complianceMs / go.complianceMs).toFixed(2)}x the peer (≤ 1.0), ${(ts.complianceMs / loopMs).toFixed(2)}x the loop (≤ 1.3); RSS ${(ts.rssMiB / go.rssMiB).toFixed(2)}x the peer (≤ 1.5) and ${ts.rssMiB.toFixed(0)} MiB (< 200)`);
  growth.push(`  ${String(count).padStart(6)}   ${seconds(ts.complianceMs).padStart(8)} ${ts.rssMiB.toFixed(0).padStart(5)} MiB   ${seconds(go.complianceMs).padStart(8)} ${go.rssMiB.toFixed(0).padStart(5)} MiB   ${seconds(loopMs).padStart(8)}`);
}
console.log(`\ngrowth   objects   TypeScript (time, RSS)   peer (time, RSS)   blind loop\n${growth.join('\n')}`);
