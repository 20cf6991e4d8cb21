/**
 * A real Kubernetes control plane for integration tests: etcd and
 * kube-apiserver on free loopback ports, like controller-runtime's envtest.
 *
 * - Secure serving (the apiserver's self-signed certificate), RBAC, token
 *   authentication for an admin (`system:masters`) and a restricted user.
 * - Every process runs under a small shell watchdog that terminates it when
 *   the test process's end of a pipe closes, so nothing outlives the tests,
 *   not even a killed jest worker.
 * - Logs go to files in the control plane's folder, which is deleted on a
 *   clean stop and kept (and its path printed) when asked to, e.g. after a
 *   failed test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { testbinPaths } from '../../scripts/testbin';
import { ApiClient } from '../../operator/runtime/api-client';

/** Options of `startControlPlane`. */
export interface ControlPlaneOptions {
  /** Folders (or files) of CRD YAML to install; each is waited for until served. @default - none */
  readonly crdPaths?: readonly string[];
  /** How long each process may take to become ready. @default 60 s (2-core CI is slow) */
  readonly startTimeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. `--watch-cache=false` so that watches hit etcd directly. @default none */
  readonly apiserverArgs?: readonly string[];
}

export interface ControlPlaneUser {
  readonly name: string;
  readonly token: string;
  /** A kubeconfig file for this user. */
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
}

/** Durations of the start phases, in milliseconds. */
export interface StartupTimes {
  readonly etcd: number;
  readonly apiserver: number;
  readonly crds: number;
  readonly total: number;
}

export interface ControlPlane {
  readonly server: string;
  /** etcd's client URL (its v3 JSON gateway serves e.g. `/v3/kv/compaction`). */
  readonly etcdUrl: string;
  readonly dir: string;
  /** In `system:masters`: bypasses RBAC. */
  readonly admin: ControlPlaneUser;
  /** Authenticated but bound to nothing: RBAC must grant whatever it needs. */
  readonly restricted: ControlPlaneUser;
  readonly logs: { readonly etcd: string; readonly apiserver: string };
  /** Process groups (watchdog, binary and watcher) of etcd and kube-apiserver. */
  readonly processGroups: { readonly etcd: number; readonly apiserver: number };
  readonly startup: StartupTimes;
  /** Path of the kubectl binary matching the server. */
  readonly kubectl: string;
  /**
   * Stops the apiserver, then etcd, and deletes the folder unless `keepLogs`.
   * @returns the log paths when they were kept.
   */
  stop(options?: { keepLogs?: boolean }): Promise<string[]>;
}

/**
 * Runs `binary` under a shell watchdog: the shell starts it, waits for it,
 * and terminates it as soon as its stdin (a pipe from this process) closes,
 * whether because `stop()` closed it or because this process died; a binary
 * still running 5 s after SIGTERM gets SIGKILL.
 */
const WATCHDOG = [
  // Background jobs of a non-interactive shell get /dev/null as stdin: keep the pipe on fd 3.
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- &',
  'child=$!',
  '( while read -r _; do :; done <&3; kill -TERM "$child" 2>/dev/null; sleep 5; kill -KILL "$child" 2>/dev/null ) &',
  'watcher=$!',
  'wait "$child"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit $status',
].join('\n');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/**
 * Whether any process of the group is still running. Zombies do not count:
 * they have exited and only wait to be reaped by PID 1, which in a container
 * can take a while.
 */
export function processGroupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces, so split after its ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

function startProcess(binary: string, args: string[], logPath: string): ChildProcess {
  const log = openSync(logPath, 'a');
  const child = spawn('sh', ['-c', WATCHDOG, binary, ...args], { stdio: ['pipe', log, log], detached: true });
  closeSync(log);
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** Closes the watchdog's pipe, waits for the process, kills its group after `graceMs`. */
async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL'); // the watchdog's grace-period `sleep`, if still counting
  for (let i = 0; i < 50 && processGroupAlive(child.pid!); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A TCP port free on loopback now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `count` distinct TCP ports free on loopback now. All are held open until
 * every one is known: one at a time, the kernel may hand the port it just
 * released out again (etcd once got the same port for clients and peers).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** GET `url`; resolves with the status code, or 0 when nothing answers. */
function probe(url: string, token?: string): Promise<number> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? request : httpRequest;
    const req = get(url, { method: 'GET', rejectUnauthorized: false, timeout: 2000, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, process?: ChildProcess, logPath?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process && (process.exitCode !== null || process.signalCode !== null)) {
      throw new Error(`${what}: the process exited (${process.exitCode ?? process.signalCode}); log: ${logPath}\n${tail(logPath)}`);
    }
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${logPath ? `; log: ${logPath}\n${tail(logPath)}` : ''}`);
}

function tail(path: string | undefined, lines = 20): string {
  if (!path) return '';
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Writes `<dir>/<user>.kubeconfig` for a bearer token; `server` may be a proxy in front of the API server. */
export function writeKubeconfig(dir: string, server: string, user: string, token: string): ControlPlaneUser {
  const kubeconfigPath = join(dir, `${user}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'certificate-authority': join(dir, 'pki', 'apiserver.crt') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user, namespace: 'default' } }],
    'current-context': 'test',
  };
  writeFileSync(kubeconfigPath, JSON.stringify(config, null, 2));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return { name: user, token, kubeconfigPath, kubeConfig };
}

/** Every CustomResourceDefinition in the YAML files at `paths` (files or folders, recursively). */
export function readCrdManifests(paths: readonly string[]): any[] {
  const files = (path: string): string[] => {
    try {
      return readdirSync(path, { withFileTypes: true }).flatMap((entry) => files(join(path, entry.name)));
    } catch {
      return /\.ya?ml$/.test(path) ? [path] : [];
    }
  };
  return paths
    .flatMap(files)
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS()))
    .filter((doc) => doc?.kind === 'CustomResourceDefinition');
}

/** Creates the CRDs, then waits until each is Established and its versions are served by discovery. */
export async function installCrds(kubeConfig: KubeConfig, crds: readonly any[], timeoutMs = 60_000): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  // Sent as they are: client-node's typed serializer would drop keys it spells differently
  // (it knows `x-kubernetes-validations` only as `xKubernetesValidations`), losing CEL rules.
  const raw = new ApiClient(kubeConfig);
  await Promise.all(crds.map((body) => raw.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body)));
  const names = new Set(crds.map((crd) => crd.metadata.name as string));
  await waitFor(
    'CRDs Established',
    async () => {
      const list = await api.listCustomResourceDefinition();
      const established = list.items.filter((crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
      return [...names].every((name) => established.some((crd) => crd.metadata?.name === name));
    },
    timeoutMs,
  );
  const discovery = kubeConfig.makeApiClient(CustomObjectsApi);
  const served = new Map<string, Set<string>>();
  for (const crd of crds) {
    for (const version of crd.spec.versions.filter((v: any) => v.served)) {
      const key = `${crd.spec.group}/${version.name}`;
      served.set(key, (served.get(key) ?? new Set()).add(crd.spec.names.plural));
    }
  }
  await waitFor(
    'CRDs served by discovery',
    async () => {
      for (const [groupVersion, plurals] of served) {
        const [group, version] = groupVersion.split('/');
        const resources = await discovery.getAPIResources({ group, version }).catch(() => undefined);
        const listed = new Set(resources?.resources.map((r) => r.name));
        if ([...plurals].some((plural) => !listed.has(plural))) return false;
      }
      return true;
    },
    timeoutMs,
  );
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = testbinPaths();
  const timeout = options.startTimeoutMs ?? 60_000;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ack-control-plane-'));
  const logs = { etcd: join(dir, 'etcd.log'), apiserver: join(dir, 'kube-apiserver.log') };
  const processes: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of processes.reverse()) await stopProcess(child);
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiserverPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcd = startProcess(
      binaries.etcd,
      [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync=true',
      ],
      logs.etcd,
    );
    processes.push(etcd);
    await waitFor('etcd', async () => (await probe(`${etcdUrl}/health`)) === 200, timeout, etcd, logs.etcd);
    const etcdReady = Date.now();

    mkdirSync(join(dir, 'pki'));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    writeFileSync(join(dir, 'pki', 'sa.key'), privateKey, { mode: 0o600 });
    writeFileSync(join(dir, 'pki', 'sa.pub'), publicKey);
    const adminToken = randomBytes(24).toString('hex');
    const restrictedToken = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'pki', 'tokens.csv'), `${adminToken},admin,admin-uid,"system:masters"\n${restrictedToken},restricted,restricted-uid\n`, { mode: 0o600 });

    const server = `https://127.0.0.1:${apiserverPort}`;
    const apiserver = startProcess(
      binaries['kube-apiserver'],
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiserverPort}`,
        `--cert-dir=${join(dir, 'pki')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'pki', 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'pki', 'sa.key')}`,
        `--token-auth-file=${join(dir, 'pki', 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        // No controller-manager creates ServiceAccounts; the plugin would reject pods without one.
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        // Nothing routes to the service network here; and on shutdown the lease reconciler
        // would retry removing this server's endpoint from an etcd that may be gone.
        '--endpoint-reconciler-type=none',
        ...(options.apiserverArgs ?? []),
      ],
      logs.apiserver,
    );
    processes.push(apiserver);
    await waitFor('kube-apiserver /readyz', async () => (await probe(`${server}/readyz`, adminToken)) === 200, timeout, apiserver, logs.apiserver);
    await waitFor('namespace default', async () => (await probe(`${server}/api/v1/namespaces/default`, adminToken)) === 200, timeout, apiserver, logs.apiserver);
    const apiserverReady = Date.now();

    const admin = writeKubeconfig(dir, server, 'admin', adminToken);
    const restricted = writeKubeconfig(dir, server, 'restricted', restrictedToken);
    const crds = readCrdManifests(options.crdPaths ?? []);
    if (crds.length > 0) await installCrds(admin.kubeConfig, crds, timeout);
    const crdsReady = Date.now();

    return {
      server,
      etcdUrl,
      dir,
      admin,
      restricted,
      logs,
      processGroups: { etcd: etcd.pid!, apiserver: apiserver.pid! },
      kubectl: binaries.kubectl,
      startup: { etcd: etcdReady - started, apiserver: apiserverReady - etcdReady, crds: crdsReady - apiserverReady, total: crdsReady - started },
      async stop({ keepLogs = false } = {}) {
        await stopAll();
        if (keepLogs) return [logs.apiserver, logs.etcd];
        rmSync(dir, { recursive: true, force: true });
        return [];
      },
    };
  } catch (error) {
    await stopAll();
    (error as Error).message += `\ncontrol plane logs kept in ${dir}`;
    throw error;
  }
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the control plane's kubectl as `user` (default admin). */
export function kubectl(controlPlane: ControlPlane, args: readonly string[], options: { input?: string; user?: 'admin' | 'restricted' } = {}): CommandResult {
  const user = options.user === 'restricted' ? controlPlane.restricted : controlPlane.admin;
  const result = spawnSync(controlPlane.kubectl, args, {
    env: { ...process.env, KUBECONFIG: user.kubeconfigPath },
    input: options.input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
