/**
 * The manager (R-O3, issue 10): a shutdown that arrives while controllers are
 * starting (caches syncing) starts nothing more, stops what started, and a
 * failing metrics scrape is an answer, not an unhandled rejection.
 */
import { describe, expect, test } from '@jest/globals';
import type { ApiClient } from '../../../operator/runtime/api-client';
import { createLogger } from '../../../operator/runtime/log';
import { Manager, type Runnable } from '../../../operator/runtime/manager';
import { OperatorMetrics } from '../../../operator/runtime/metrics';
import { ScriptedListWatch } from '../../support/scripted-list-watch';

const logger = createLogger({ level: 'error', write: () => undefined });
/** The manager's cache lists CRDs at start: an empty cluster. */
const emptyCluster = () => new ScriptedListWatch() as unknown as ApiClient;
const events = { component: 'test', instance: 'test' };

function runnable(name: string, log: string[], started: Promise<void> = Promise.resolve(), entered: () => void = () => undefined): Runnable {
  return {
    name,
    start: async () => {
      log.push(`start ${name}`);
      entered();
      await started;
      log.push(`synced ${name}`);
    },
    stop: async () => void log.push(`stop ${name}`),
  };
}

describe('manager (R-O3)', () => {
  test('R-O3 a shutdown during cache sync starts no controller afterwards and stops the one that started', async () => {
    const log: string[] = [];
    let synced!: () => void;
    const manager = new Manager({ api: emptyCluster(), logger, metrics: new OperatorMetrics(), port: 0, events });
    let entered!: () => void;
    const syncing = new Promise<void>((resolve) => (entered = resolve));
    manager.add(runnable('caches', log, new Promise((resolve) => (synced = resolve)), entered));
    manager.add(runnable('controllers', log));
    const started = manager.start();
    await syncing;
    expect(log).toEqual(['start caches']);
    const shutdown = manager.shutdown();
    synced();
    await Promise.all([started, shutdown]);
    expect(log).toEqual(['start caches', 'synced caches', 'stop caches']);
  });

  test('R-O3 a runnable whose start waits until it is stopped (a controller whose source never syncs) does not hang the shutdown', async () => {
    const log: string[] = [];
    const manager = new Manager({ api: emptyCluster(), logger, metrics: new OperatorMetrics(), port: 0, events });
    let entered!: () => void;
    const starting = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    manager.add({ name: 'stuck', start: async () => (log.push('start stuck'), entered(), await released), stop: async () => (log.push('stop stuck'), release()) });
    manager.add(runnable('after', log));
    const started = manager.start();
    await starting;
    await Promise.all([started, manager.shutdown()]);
    expect(log).toEqual(['start stuck', 'stop stuck']);
  });

  test('R-O3 a metrics collector that throws gives a 500 and a log line', async () => {
    const lines: string[] = [];
    const metrics = new OperatorMetrics();
    metrics.registry.registerMetric({ name: 'broken', help: 'x', get: async () => Promise.reject(new Error('boom')), reset: () => undefined, type: 'gauge' } as never);
    const manager = new Manager({ api: emptyCluster(), logger: createLogger({ level: 'warn', write: (line) => void lines.push(line) }), metrics, port: 0, events });
    await manager.start();
    const response = await fetch(`http://127.0.0.1:${manager.port}/metrics`);
    expect(response.status).toBe(500);
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('collecting metrics failed');
    await manager.shutdown();
  });
});

describe('manager and cache (R-O3, issue 10)', () => {
  test('R-O3 controllers start only once the cache has synced; a shutdown while it syncs ends the wait and starts nothing', async () => {
    const cluster = new ScriptedListWatch();
    const refused = new Error('connection refused');
    cluster.failNext('apiextensions.k8s.io/customresourcedefinitions', ...Array.from({ length: 100 }, () => refused));
    const log: string[] = [];
    const manager = new Manager({ api: cluster as unknown as ApiClient, logger, metrics: new OperatorMetrics(), port: 0, events });
    manager.add(runnable('controller', log));
    const starting = manager.start();
    while (manager.port === 0) await new Promise((resolve) => setImmediate(resolve));
    const ready = await fetch(`http://127.0.0.1:${manager.port}/readyz`);
    expect({ status: ready.status, body: await ready.text() }).toEqual({ status: 503, body: 'not ready: caches syncing (apiextensions.k8s.io/CustomResourceDefinition)' });
    await manager.shutdown();
    await starting;
    expect(log).toEqual([]);
  });
});
