/**
 * Leader election safety (R-O3, issue 10): with a Lease API the test controls
 * (hanging, slow, failing) and a fake clock, there is no instant at which two
 * electors both believe they lead, and a stalled leader stops before its
 * lease could be taken over.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { ApiError } from '../../../operator/runtime/api-client';
import { LeaderElector, type LeaseApi } from '../../../operator/runtime/leader-election';
import { createLogger } from '../../../operator/runtime/log';
import { OperatorMetrics } from '../../../operator/runtime/metrics';

type Mode = 'ok' | 'hang' | 'fail' | { delayMs: number };

/** One Lease, kept like the API server keeps it (resourceVersion, 404, 409); each client can be made to hang, fail or lag. */
class LeaseServer {
  lease?: any;
  private version = 0;

  client(): LeaseApi & { mode: Mode } {
    const server = this;
    const call = <T>(signal: AbortSignal | undefined, work: () => T): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const mode = client.mode;
        const abort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        if (signal?.aborted) return abort();
        signal?.addEventListener('abort', abort);
        if (mode === 'hang') return;
        if (mode === 'fail') return reject(new ApiError(503, 'ServiceUnavailable', 'unavailable'));
        const run = () => {
          try {
            resolve(work());
          } catch (error) {
            reject(error);
          }
        };
        if (mode === 'ok') run();
        else setTimeout(() => (signal?.aborted ? undefined : run()), mode.delayMs);
      });
    const client = {
      mode: 'ok' as Mode,
      get: (_path: string, signal?: AbortSignal) =>
        call(signal, () => {
          if (!server.lease) throw new ApiError(404, 'NotFound', 'no lease');
          return structuredClone(server.lease);
        }),
      create: (_path: string, body: any, signal?: AbortSignal) =>
        call(signal, () => {
          if (server.lease) throw new ApiError(409, 'AlreadyExists', 'exists');
          server.lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++server.version) } };
          return structuredClone(server.lease);
        }),
      replace: (_path: string, body: any, signal?: AbortSignal) =>
        call(signal, () => {
          if (body.metadata.resourceVersion !== server.lease.metadata.resourceVersion) throw new ApiError(409, 'Conflict', 'stale');
          server.lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(++server.version) } };
          return structuredClone(server.lease);
        }),
    };
    return client as unknown as LeaseApi & { mode: Mode };
  }
}

const TIMING = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };
const logger = createLogger({ level: 'error', write: () => undefined });

function elector(api: LeaseApi, identity: string) {
  const events: string[] = [];
  const instance = new LeaderElector({ api, namespace: 'ops', name: 'lease', identity, ...TIMING, logger, metrics: new OperatorMetrics() });
  const done = instance.run(
    () => events.push(`started ${Date.now()}`),
    () => events.push(`stopped ${Date.now()}`),
  );
  return { instance, events, done };
}

/** Advances the fake clock in small steps, checking `invariant` at every one. */
async function advance(ms: number, invariant: () => void, step = 10): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += step) {
    await jest.advanceTimersByTimeAsync(step);
    invariant();
  }
}

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('leader election (R-O3)', () => {
  test('R-O3 one leader; the other stands by while the leader renews', async () => {
    const server = new LeaseServer();
    const a = elector(server.client(), 'a');
    await jest.advanceTimersByTimeAsync(1);
    const b = elector(server.client(), 'b');
    await advance(5000, () => expect([a.instance.isLeader, b.instance.isLeader]).toEqual([true, false]));
    expect(server.lease.spec.holderIdentity).toBe('a');
  });

  test.each<[string, Mode]>([
    ['hang', 'hang'],
    ['fail', 'fail'],
    ['answer after the deadline', { delayMs: 5000 }],
  ])('R-O3 when the leader\'s renewals %s: it stops at lastRenew + renewDeadline, before anyone else leads; never two leaders', async (_case, mode) => {
    const server = new LeaseServer();
    const aClient = server.client();
    const a = elector(aClient, 'a');
    await jest.advanceTimersByTimeAsync(1);
    const b = elector(server.client(), 'b');
    await advance(1000, () => undefined);
    expect(a.instance.isLeader).toBe(true);
    const lastRenewSent = Date.parse(server.lease.spec.renewTime.replace('000Z', 'Z'));
    aClient.mode = mode;
    await advance(4000, () => expect(a.instance.isLeader && b.instance.isLeader).toBe(false));
    const stoppedAt = Number(a.events.find((e) => e.startsWith('stopped'))!.split(' ')[1]);
    const bStartedAt = Number(b.events.find((e) => e.startsWith('started'))!.split(' ')[1]);
    expect(stoppedAt).toBeLessThanOrEqual(lastRenewSent + TIMING.renewDeadlineMs);
    expect(stoppedAt).toBeLessThan(lastRenewSent + TIMING.leaseDurationMs);
    expect(bStartedAt).toBeGreaterThan(stoppedAt);
    await expect(a.done).resolves.toBe(true);
  });

  test('R-O3 slow renewals within the deadline keep the leader', async () => {
    const server = new LeaseServer();
    const client = server.client();
    client.mode = { delayMs: 300 };
    const a = elector(client, 'a');
    await advance(5000, () => undefined);
    expect(a.instance.isLeader).toBe(true);
    expect(a.events.filter((e) => e.startsWith('stopped'))).toEqual([]);
  });

  test('R-O3 release hands over at once: the standby leads within one retry period', async () => {
    const server = new LeaseServer();
    const a = elector(server.client(), 'a');
    await jest.advanceTimersByTimeAsync(1);
    const b = elector(server.client(), 'b');
    await advance(1000, () => undefined);
    await a.instance.release();
    expect(a.instance.isLeader).toBe(false);
    await advance(TIMING.retryPeriodMs + 20, () => undefined);
    expect(b.instance.isLeader).toBe(true);
    await expect(a.done).resolves.toBe(false);
  });
});
