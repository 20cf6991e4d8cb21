/**
 * Runs the operator's parts (informers, controllers) behind leader election,
 * serves /healthz, /readyz and /metrics on one port, and shuts down
 * gracefully: controllers finish their in-flight work, then the lease is
 * released so a standby replica takes over immediately.
 */
import { createServer, type Server } from 'node:http';
import { ApiClient } from './api-client';
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
  private readonly runnables: Runnable[] = [];
  private readonly readyChecks = new Map<string, () => boolean>();
  private readonly elector?: LeaderElector;
  private server?: Server;
  private started: Runnable[] = [];
  private state: 'idle' | 'standby' | 'leading' | 'stopping' = 'idle';

  constructor(private readonly options: ManagerOptions) {
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

  /** Serves health and metrics, then campaigns (or starts right away without leader election). */
  async start(): Promise<void> {
    await this.listen();
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
    // A start in progress (caches syncing) finishes first and starts nothing more.
    await this.starting;
    for (const runnable of this.started.reverse()) await runnable.stop();
    this.started = [];
    await this.elector?.release();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.options.logger.info('shut down');
  }

  private lead(): Promise<void> {
    if (this.state === 'stopping') return Promise.resolve();
    this.state = 'leading';
    this.options.logger.info('leading; starting', { runnables: this.runnables.map((r) => r.name) });
    this.starting = (async () => {
      for (const runnable of this.runnables) {
        if (this.state === 'stopping') return;
        await runnable.start();
        this.started.push(runnable);
      }
    })();
    return this.starting;
  }

  private starting?: Promise<void>;

  private ready(): { ok: boolean; failing: string[] } {
    if (this.state === 'standby') return { ok: true, failing: [] };
    if (this.state !== 'leading') return { ok: false, failing: [this.state] };
    const failing = [...this.readyChecks].filter(([, check]) => !check()).map(([name]) => name);
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
