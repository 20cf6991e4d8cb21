/**
 * What the operator checks before it starts anything, so that a wrong
 * kubeconfig or an unreachable cluster is one clear line and exit 1, not a
 * stack trace or a retry loop that never ends (issue 9).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import type { ApiClient } from './runtime/index';

/** The operator cannot start; the message is one line. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * In a pod: the ServiceAccount; elsewhere: the files of $KUBECONFIG, or
 * ~/.kube/config. (client-node's `loadFromDefault` would fall back to an
 * unauthenticated localhost:8080 when nothing is found: never what is meant.)
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  const paths = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME ?? homedir(), '.kube', 'config')];
  const source = env.KUBECONFIG ? `KUBECONFIG=${env.KUBECONFIG}` : paths[0];
  for (const path of paths) {
    if (!existsSync(path)) throw new StartupError(`no kubeconfig at ${path} (from ${env.KUBECONFIG ? 'KUBECONFIG' : 'the default location'}); set KUBECONFIG to a kubeconfig file`);
    try {
      const file = new KubeConfig();
      file.loadFromFile(path);
      kubeConfig.mergeConfig(file);
    } catch (error) {
      throw new StartupError(`cannot read the kubeconfig from ${source}: ${firstLine(error)}`);
    }
  }
  if (!kubeConfig.getCurrentContext() && kubeConfig.getContexts().length > 0) kubeConfig.setCurrentContext(kubeConfig.getContexts()[0].name);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) throw new StartupError(`the kubeconfig from ${source} names no cluster to talk to (no current context with a server); set KUBECONFIG to a valid file`);
  return kubeConfig;
}

/** One request to the API server, bounded by `timeoutMs`. */
export async function checkApiReachable(api: ApiClient, timeoutMs = 10_000): Promise<void> {
  const server = api.kubeConfig.getCurrentCluster()!.server;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      api.request(HttpMethod.GET, '/version'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs))),
    ]);
  } catch (error) {
    throw new StartupError(`cannot reach the Kubernetes API at ${server}: ${connectionFailure(error)}; check the kubeconfig and that the cluster is up`);
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return String(message).split('\n')[0];
}

/** A connection failure's system code (ECONNREFUSED, ENOTFOUND, a certificate's) when it has one (undici's own errors say more in words). */
function connectionFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code && !code.startsWith('UND_ERR') ? code : firstLine(error);
}
