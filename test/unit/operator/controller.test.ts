/**
 * The controller's worker contract (R-O3): concurrency without running one
 * key twice, retries with backoff, terminal errors, requeue-after, metrics,
 * and a stop that lets in-flight reconciles finish.
 */
import { describe, expect, test } from '@jest/globals';
import { Controller, TerminalError, type Reconciler } from '../../../operator/runtime/controller';
import { createLogger } from '../../../operator/runtime/log';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { ExponentialBackoffRateLimiter } from '../../../operator/runtime/rate-limiter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quiet = createLogger({ level: 'error', write: () => undefined });

function controller(reconciler: Reconciler, concurrency = 4) {
  const metrics = new OperatorMetrics();
  const c = new Controller({ name: 'test', reconciler, logger: quiet, metrics, concurrency, rateLimiter: new ExponentialBackoffRateLimiter(1, 50) });
  const count = async (result: string) => (await metrics.registry.getSingleMetric('controller_runtime_reconcile_total')!.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  return { c, metrics, count };
}

describe('Controller (R-O3)', () => {
  test('R-O3 keys run in parallel up to the concurrency, but one key never twice at once', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let overlapped = false;
    const { c } = controller({
      async reconcile(key) {
        running += 1;
        peak = Math.max(peak, running);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        if (perKey.get(key)! > 1) overlapped = true;
        await sleep(20);
        perKey.set(key, perKey.get(key)! - 1);
        running -= 1;
      },
    }, 3);
    c.start();
    for (let round = 0; round < 3; round++) for (const key of ['a', 'b', 'c', 'd', 'e']) c.enqueue(key);
    await sleep(150);
    await c.stop();
    expect(peak).toBe(3);
    expect(overlapped).toBe(false);
  });

  test('R-O3 an error is retried with backoff until it succeeds; the failure count is then forgotten', async () => {
    let attempts = 0;
    const { c, count } = controller({
      async reconcile() {
        attempts += 1;
        if (attempts < 4) throw new Error('API unavailable');
      },
    });
    c.start();
    c.enqueue('a');
    await sleep(100);
    await c.stop();
    expect(attempts).toBe(4);
    expect(await count('error')).toBe(3);
    expect(await count('success')).toBe(1);
    expect(c.queue.numRequeues('a')).toBe(0);
  });

  test('R-O3 a TerminalError is not retried', async () => {
    let attempts = 0;
    const { c, count } = controller({
      async reconcile() {
        attempts += 1;
        throw new TerminalError('bad input');
      },
    });
    c.start();
    c.enqueue('a');
    await sleep(50);
    await c.stop();
    expect(attempts).toBe(1);
    expect(await count('error')).toBe(1);
  });

  test('R-O3 requeueAfter processes the key again after the delay', async () => {
    let attempts = 0;
    const { c, count } = controller({
      async reconcile() {
        attempts += 1;
        return { requeueAfterMs: 20 };
      },
    });
    c.start();
    c.enqueue('a');
    await sleep(200);
    await c.stop();
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(await count('requeue_after')).toBe(attempts);
  });

  test('R-O3 stop() waits for in-flight reconciles to finish and starts no new ones', async () => {
    const finished: string[] = [];
    const { c } = controller({
      async reconcile(key) {
        await sleep(40);
        finished.push(key);
      },
    }, 1);
    c.start();
    c.enqueue('first');
    c.enqueue('second');
    await sleep(5);
    await c.stop();
    expect(finished).toEqual(['first']);
  });

  test('R-O3 concurrency must be a whole number of at least 1', () => {
    expect(() => controller({ reconcile: async () => undefined }, 0)).toThrow('controller test: concurrency 0 must be a whole number >= 1');
  });
});
