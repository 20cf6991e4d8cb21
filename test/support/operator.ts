/**
 * Running the operator in tests and benchmarks (no Jest here): installed from
 * `dist/operator/` exactly as a user would, and run under the chart's ServiceAccount (never as admin), either
 * in-process (to read its caches and metrics) or as the bundled binary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { OPERATOR_MANIFESTS } from '../../charts/operator';
import { OPERATOR_BUNDLE, REPO_ROOT } from '../../lib/paths';
import { OPERATOR_NAME } from '../../operator/identity';
import { assembleOperator, type OperatorOptions } from '../../operator/assemble';
import { createLogger, type LogLevel, type OperatorMetrics } from '../../operator/runtime/index';
import type { TagPolicyControllers } from '../../operator/tag-policy/controllers';
import { kubectl, writeKubeconfig, type ControlPlane, type ControlPlaneUser } from './control-plane';

/** Runs kubectl as admin; any failure or warning (stderr) throws with kubectl's output. */
function kubectlOrThrow(controlPlane: ControlPlane, args: string[]): string {
  const result = kubectl(controlPlane, args);
  if (result.status !== 0 || result.stderr) throw new Error(`kubectl ${args.join(' ')} (exit ${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** What docs/getting-started.md tells users: `kubectl apply --server-side` of dist/operator/, CRD first. */
export function installOperator(controlPlane: ControlPlane): void {
  kubectlOrThrow(controlPlane, ['apply', '--server-side', '--validate=strict', '-f', join(REPO_ROOT, 'dist', OPERATOR_MANIFESTS.crds)]);
  kubectlOrThrow(controlPlane, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tagpolicies.ack-systems.io']);
  kubectlOrThrow(controlPlane, ['apply', '--server-side', '--validate=strict', '-f', join(REPO_ROOT, 'dist', OPERATOR_MANIFESTS.operator)]);
}

/** A kubeconfig holding a token of the chart's ServiceAccount; `server` may be a proxy. */
export function operatorServiceAccount(controlPlane: ControlPlane, server = controlPlane.server): ControlPlaneUser {
  const token = kubectlOrThrow(controlPlane, ['create', 'token', OPERATOR_NAME, '-n', OPERATOR_NAME, '--duration=2h']).trim();
  return writeKubeconfig(controlPlane.dir, server, `${OPERATOR_NAME}-${server.split(':').pop()}`, token);
}

export interface InProcessOperator {
  readonly tagPolicies: TagPolicyControllers;
  readonly metrics: OperatorMetrics;
  /** Every log line, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The port of its /healthz, /readyz and /metrics. */
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts the operator in this process, as main.ts assembles it but without
 * leader election, and waits for its caches. At `debug`, each reconcile is
 * logged (`reconciled` with its key): what tests wait for before a negative check.
 */
export async function startOperatorInProcess(kubeConfig: KubeConfig, level: LogLevel = 'info', failover?: OperatorOptions['failover']): Promise<InProcessOperator> {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level, write: (line) => void logs.push(JSON.parse(line)) });
  const { manager, tagPolicies, metrics } = assembleOperator(kubeConfig, { logger, identity: 'test', port: 0, failover });
  await manager.start();
  return { tagPolicies, metrics, logs, port: manager.port, stop: () => manager.shutdown() };
}

/** Sum of a counter's values whose labels include `labels`. */
export async function counter(metrics: OperatorMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value)).reduce((sum, v) => sum + v.value, 0);
}

/** Polls `check` until it returns a value other than undefined/false, or fails with the last value seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/** Bundles the operator the way the image does (`npm run build:operator`). */
export function buildOperatorBundle(): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'build-operator.ts')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0 || result.stderr) throw new Error(`npm run build:operator failed:\n${result.stderr}`);
}

export interface OperatorProcess {
  readonly child: ChildProcess;
  readonly identity: string;
  /** Log lines so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The health/metrics port, once the process has logged it. */
  port(): Promise<number>;
  /** The exit code, once the process has exited and its output has been read to the end (`close`, not `exit`). */
  closed(): Promise<number | null>;
}

/**
 * Runs the bundled operator as the image does (its ENTRYPOINT and ENV, from
 * the Dockerfile) as `identity`, with the kubeconfig at `kubeconfigPath` and
 * the NODE_OPTIONS the chart's Deployment sets, and `env` (e.g. where AWS is).
 */
export function spawnOperator(kubeconfigPath: string, identity: string, args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): OperatorProcess {
  const image = imageRuntime();
  const child = spawn(process.execPath, [...image.nodeArgs, OPERATOR_BUNDLE, `--identity=${identity}`, '--metrics-port=0', `--lease-namespace=${OPERATOR_NAME}`, ...args], {
    env: { ...image.env, PATH: process.env.PATH, KUBECONFIG: kubeconfigPath, NODE_OPTIONS: deployedNodeOptions(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) logs.push(JSON.parse(line));
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    identity,
    logs,
    port: () =>
      eventually(`${identity} serving /metrics${stderr.length ? `; stderr: ${stderr.join('')}` : ''}`, () => {
        const line = logs.find((l) => l.msg === 'operator running');
        return line ? (line.metricsPort as number) : undefined;
      }),
    closed: () => closed,
  };
}

/** How the image runs the operator: node's own flags in its ENTRYPOINT, and its ENV. */
export function imageRuntime(): { nodeArgs: string[]; env: Record<string, string> } {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(runtimeStage)![1]) as string[];
  const env = Object.fromEntries([...runtimeStage.matchAll(/^ENV (.+)$/gm)].flatMap((line) => line[1].split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])));
  if (entrypoint[0] !== 'node' || !entrypoint.at(-1)!.endsWith('operator.mjs')) throw new Error(`the Dockerfile's ENTRYPOINT is not node <flags> <bundle>: ${JSON.stringify(entrypoint)}`);
  return { nodeArgs: entrypoint.slice(1, -1), env };
}

let nodeOptions: string | undefined;

/** NODE_OPTIONS of the operator container in dist/operator/ (its heap limit), read once. */
export function deployedNodeOptions(): string {
  if (nodeOptions === undefined) {
    const objects = parseAllDocuments(readFileSync(join(REPO_ROOT, 'dist', OPERATOR_MANIFESTS.operator), 'utf8')).map((doc) => doc.toJS());
    const container = objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0];
    nodeOptions = container.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value ?? '';
  }
  return nodeOptions!;
}

/** GET a path of an operator's health/metrics server. */
export async function operatorEndpoint(port: number, path: '/healthz' | '/readyz' | '/metrics'): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}
