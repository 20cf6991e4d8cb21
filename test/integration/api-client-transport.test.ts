/**
 * The operator's REST client over a real kube-apiserver (R-O3): its watches
 * share one HTTP/2 connection when the server offers HTTP/2 (ALPN; undici 8,
 * which client-node's dispatcher is, allows it by default), and fall back to
 * one HTTP/1.1 connection per watch when it does not
 * (`--disable-http2-serving`). A TCP proxy in front of each API server counts
 * the connections the client opens.
 */
import { describe, expect, test } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { ApiClient, type WatchEvent } from '../../operator/runtime/api-client';
import type { ControlPlane } from '../support/control-plane';
import { eventually } from '../support/operator';
import { useControlPlane } from '../support/shared-control-plane';
import { TcpProxy } from '../support/tcp-proxy';

const offersHttp2 = useControlPlane({ crdPaths: [] });
const http1Only = useControlPlane({ crdPaths: [], apiserverArgs: ['--disable-http2-serving=true'] });
const WATCHES = 8;

/** Opens WATCHES watches through a proxy (one per namespace), sees an event on each, and returns how many connections the client opened. */
async function watchThroughProxy(controlPlane: ControlPlane, prefix: string): Promise<number> {
  const proxy = await TcpProxy.start(new URL(controlPlane.server));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(readFileSync(controlPlane.admin.kubeconfigPath, 'utf8').replace(controlPlane.server, proxy.url));
  const client = new ApiClient(kubeConfig);
  const admin = new ApiClient(controlPlane.admin.kubeConfig);
  const abort = new AbortController();
  const seen = new Set<string>();
  try {
    const namespaces = Array.from({ length: WATCHES }, (_, i) => `${prefix}-${i}`);
    for (const name of namespaces) await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    for (const namespace of namespaces) {
      const onEvent = (event: WatchEvent) => void (event.type === 'ADDED' && seen.add(namespace));
      void client.watch(`/api/v1/namespaces/${namespace}/configmaps`, { timeoutSeconds: '300' }, onEvent, abort.signal).catch(() => undefined);
    }
    // A watch is open once its first event can arrive: create a ConfigMap in each namespace until every watch has seen one.
    await eventually('an event on every watch', async () => {
      for (const namespace of namespaces.filter((n) => !seen.has(n))) {
        await admin.create(`/api/v1/namespaces/${namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'probe-', namespace } } as never);
      }
      return seen.size === WATCHES || undefined;
    }, 30_000);
    return proxy.connections;
  } finally {
    abort.abort();
    await proxy.close();
  }
}

describe('the API client\'s transport (R-O3)', () => {
  test('R-O3 watches share one HTTP/2 connection when the API server offers HTTP/2', async () => {
    expect(await watchThroughProxy(offersHttp2(), 'h2')).toBe(1);
  });

  test('R-O3 without HTTP/2 on the API server, each watch falls back to its own HTTP/1.1 connection and events still arrive', async () => {
    expect(await watchThroughProxy(http1Only(), 'h1')).toBeGreaterThanOrEqual(WATCHES);
  });
});
