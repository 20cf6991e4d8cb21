/**
 * Runs the operator's parts behind leader election (controller-runtime
 * `pkg/manager`): the shared cache runs on every replica, so that a standby
 * taking over starts warm; controllers start only on the leader, once the
 * cache has synced. It serves /healthz, /readyz and /metrics on one port,
 * records Events for every controller, and shuts down gracefully:
 * controllers finish their in-flight work, queued Events are sent, then the
 * lease is released so a standby replica takes over immediately.
 */
import { createServer, type Server } from 'node:http';
import { ApiClient } from './api-client';
import { SharedCache, type CacheOptions } from './cache';
import { EventRecorder } from './events';
import { LeaderElector, type LeaderElectionOptions } from './leader-election';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';

/** Something the manager starts when leading and stops on shutdown. */
export interface Runnable {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ManagerOptions {
  readonly api: ApiClient;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  /** Who reports Events (`source.component`) and this replica's name in them. */
  readonly events: { readonly component: string; readonly instance: string };
  /** @default - informers with their defaults and no RBAC hint */
  readonly cache?: Pick<CacheOptions, 'rbacHint' | 'informer'>;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. */
  readonly port: number;
  /** @default - no leader election: runs at once (one replica only) */
  readonly leaderElection?: Omit<LeaderElectionOptions, 'api' | 'logger' | 'metrics'> & {
    /** @default - its own client from `api`'s kubeconfig: Lease requests never queue behind reconcile traffic */
    readonly api?: LeaderElectionOptions['api'];
  };
  /** Called when leadership is lost: the process must stop working. @default exit(1), as controller-runtime does */
  readonly onLeadershipLost?: () => void;
}

export class Manager {
  /** Reconcile traffic's client (Lease traffic has its own). */
  readonly api: ApiClient;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
  /** The informers every controller reads from. */
  readonly cache: SharedCache;
  /** Events about objects, sent in the background; flushed on shutdown. */
  readonly events: EventRecorder;
  private readonly runnables: Runnable[] = [];
  private readonly readyChecks = new Map<string, () => boolean>();
  private readonly elector?: LeaderElector;
  private server?: Server;
  private started: Runnable[] = [];
  private state: 'idle' | 'standby' | 'leading' | 'stopping' = 'idle';

  private cacheSynced?: Promise<void>;

  constructor(private readonly options: ManagerOptions) {
    const { api, logger, metrics } = options;
    [this.api, this.logger, this.metrics] = [api, logger, metrics];
    this.cache = new SharedCache({ ...options.cache, api, logger, metrics });
    this.events = new EventRecorder(api, options.events.component, options.events.instance, logger, metrics);
    if (options.leaderElection) {
      const leaseApi = options.leaderElection.api ?? new ApiClient(options.api.kubeConfig, options.metrics, 2);
      this.elector = new LeaderElector({ ...options.leaderElection, api: leaseApi, logger: options.logger, metrics: options.metrics });
    }
  }

  add(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  /** A condition /readyz reports while leading (e.g. caches synced). */
  addReadyCheck(name: string, check: () => boolean): void {
    this.readyChecks.set(name, check);
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Serves health and metrics, starts the cache, then campaigns (or leads right away without leader election). */
  async start(): Promise<void> {
    await this.listen();
    // On every replica: a standby's caches are warm when it takes over.
    this.cacheSynced = this.cache.start();
    if (!this.elector) return this.lead();
    this.state = 'standby';
    this.options.logger.info('waiting for leadership', { lease: this.options.leaderElection!.name, identity: this.options.leaderElection!.identity });
    // Leadership ends at the renew deadline, by a timer: stop acting then, not when a hung request returns.
    void this.elector.run(
      () => void this.lead(),
      () => {
        this.options.logger.error('leadership lost; stopping');
        (this.options.onLeadershipLost ?? (() => process.exit(1)))();
      },
    );
  }

  /** Stops every part (in-flight work finishes), releases the lease, closes the server. */
  async shutdown(): Promise<void> {
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    this.options.logger.info('shutting down');
    // Stopping the cache ends any wait for it to sync; a start in progress then
    // finishes and starts nothing more. Controllers keep reading the stores it leaves.
    await this.cache.stop();
    // A runnable still starting (a controller waiting for a source) is stopped, so its start can end.
    this.stoppedWhileStarting = this.startingRunnable;
    await this.stoppedWhileStarting?.stop();
    await this.starting;
    for (const runnable of this.started.reverse()) await runnable.stop();
    this.started = [];
    await this.events.flush();
    await this.elector?.release();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.options.logger.info('shut down');
  }

  private lead(): Promise<void> {
    if (this.state === 'stopping') return Promise.resolve();
    this.state = 'leading';
    this.options.logger.info('leading; starting', { runnables: this.runnables.map((r) => r.name) });
    this.starting = (async () => {
      // Controllers decide from the cache: it must hold the cluster's state first.
      await this.cacheSynced;
      for (const runnable of this.runnables) {
        if (this.state === 'stopping') return;
        this.startingRunnable = runnable;
        await runnable.start();
        this.startingRunnable = undefined;
        // One the shutdown stopped while it started is not stopped again.
        if (runnable !== this.stoppedWhileStarting) this.started.push(runnable);
        if (this.stopping()) return;
      }
    })();
    return this.starting;
  }

  private starting?: Promise<void>;
  private startingRunnable?: Runnable;
  private stoppedWhileStarting?: Runnable;

  /** Read through a method: the state changes across the awaits of `lead()`. */
  private stopping(): boolean {
    return this.state === 'stopping';
  }

  private ready(): { ok: boolean; failing: string[] } {
    if (this.state !== 'leading' && this.state !== 'standby') return { ok: false, failing: [this.state] };
    const unsynced = this.cache.unsynced();
    const failing = unsynced.length > 0 ? [`caches syncing (${unsynced.slice(0, 5).join(', ')}${unsynced.length > 5 ? ', …' : ''})`] : [];
    if (this.state === 'leading') failing.push(...[...this.readyChecks].filter(([, check]) => !check()).map(([name]) => name));
    return { ok: failing.length === 0, failing };
  }

  private listen(): Promise<void> {
    this.server = createServer((request, response) => {
      const send = (status: number, body: string, type = 'text/plain') => {
        response.writeHead(status, { 'Content-Type': type });
        response.end(body);
      };
      if (request.url === '/healthz') return send(this.state === 'stopping' ? 503 : 200, this.state === 'stopping' ? 'stopping' : 'ok');
      if (request.url === '/readyz') {
        const { ok, failing } = this.ready();
        return send(ok ? 200 : 503, ok ? `ok (${this.state})` : `not ready: ${failing.join(', ')}`);
      }
      if (request.url === '/metrics') {
        this.options.metrics.registry.metrics().then(
          (text) => send(200, text, this.options.metrics.registry.contentType),
          (error) => {
            this.options.logger.warn('collecting metrics failed', { error });
            send(500, 'collecting metrics failed');
          },
        );
        return;
      }
      send(404, 'not found');
    });
    return new Promise((resolve) => this.server!.listen(this.options.port, () => resolve()));
  }
}
