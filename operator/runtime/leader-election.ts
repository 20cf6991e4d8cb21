/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules
 * (`tools/leaderelection`): a lease is free when its holder has not renewed it
 * for leaseDuration, judged by when this replica last saw it change (not by
 * the holder's clock); the leader renews every retryPeriod and steps down if
 * it cannot renew within renewDeadline; on shutdown it releases the lease so
 * that a standby takes over at once.
 */
import { isStatus, type ApiClient } from './api-client';
import type { Logger } from './log';
import type { OperatorMetrics } from './metrics';

export interface LeaderElectionOptions {
  readonly api: ApiClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica, e.g. the pod name. */
  readonly identity: string;
  /** @default 15000 */
  readonly leaseDurationMs?: number;
  /** @default 10000 */
  readonly renewDeadlineMs?: number;
  /** @default 2000 */
  readonly retryPeriodMs?: number;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/**
 * client-go's rule: a leader must give up (renewDeadline) before others may
 * take over (leaseDuration), and get several renewal attempts (retryPeriod)
 * before giving up.
 */
export function leaseTimingError(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number): string | undefined {
  if (leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs * 1.2) return undefined;
  return `lease duration (${leaseDurationMs} ms) must exceed renew deadline (${renewDeadlineMs} ms), which must exceed 1.2 × retry period (${retryPeriodMs} ms)`;
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
const microTime = (date: Date) => date.toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly leaseDuration: number;
  private readonly renewDeadline: number;
  private readonly retryPeriod: number;
  private observed?: { record: string; at: number; lease: Lease };
  private leading = false;
  private stopped = false;
  private wake?: () => void;

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDuration = options.leaseDurationMs ?? 15_000;
    this.renewDeadline = options.renewDeadlineMs ?? 10_000;
    this.retryPeriod = options.retryPeriodMs ?? 2_000;
    const timingError = leaseTimingError(this.leaseDuration, this.renewDeadline, this.retryPeriod);
    if (timingError) throw new Error(`leader election: ${timingError}`);
    if (!options.identity) throw new Error('leader election needs an identity');
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until leader, then keeps renewing. Resolves with `true` when
   * leadership is lost (the caller must stop working), `false` when stopped.
   */
  async run(onStartedLeading: () => void): Promise<boolean> {
    while (!this.stopped && !(await this.tryAcquireOrRenew())) await this.pause(this.retryPeriod);
    if (this.stopped) return false;
    this.setLeading(true);
    onStartedLeading();
    let lastRenew = Date.now();
    while (!this.stopped) {
      await this.pause(this.retryPeriod);
      if (this.stopped) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew > this.renewDeadline) {
        this.options.logger.error('could not renew the lease in time; leadership lost', { lease: this.options.name });
        this.setLeading(false);
        return true;
      }
    }
    return false;
  }

  /** Stops campaigning and, when leading, releases the lease. */
  async release(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (!this.leading || !this.observed) return;
    const lease = this.observed.lease;
    try {
      await this.options.api.replace(this.path(), {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) },
      });
      this.options.logger.info('released the lease', { lease: this.options.name });
    } catch (error) {
      this.options.logger.warn('could not release the lease; it will expire', { error });
    }
    this.setLeading(false);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, identity, namespace, name } = this.options;
    const now = new Date();
    const desired = (previous?: Lease['spec']): Lease['spec'] => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDuration / 1000),
      acquireTime: previous?.holderIdentity === identity ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (previous?.holderIdentity === identity ? 0 : 1),
    });
    try {
      let lease: Lease;
      try {
        lease = await api.get<Lease>(this.path());
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        const created = await api.create<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: { ...desired(), leaseTransitions: 0 },
        });
        this.observe(created);
        return true;
      }
      this.observe(lease);
      const holder = lease.spec.holderIdentity;
      const expired = Date.now() > this.observed!.at + (lease.spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder && holder !== identity && !expired) return false;
      const updated = await api.replace<Lease>(this.path(), { ...lease, spec: desired(lease.spec) });
      this.observe(updated);
      return true;
    } catch (error) {
      // A conflict means another replica wrote first: not ours this round.
      if (!isStatus(error, 409)) this.options.logger.warn('lease request failed', { error, lease: name });
      return false;
    }
  }

  private observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now(), lease };
    else this.observed.lease = lease;
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.metrics.leader.set({ name: this.options.name }, leading ? 1 : 0);
  }

  private path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases/${this.options.name}`;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
