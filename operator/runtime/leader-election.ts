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

/** What the elector needs of the API: the Lease, read and written, each call abortable. */
export type LeaseApi = Pick<ApiClient, 'get' | 'create' | 'replace'>;

export interface LeaderElectionOptions {
  /** Its own client, so that Lease requests never wait behind reconcile traffic. */
  readonly api: LeaseApi;
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

/**
 * Safety, as client-go's context timeouts give it: a leader stops leading at
 * `lastRenew + renewDeadline` by a timer, whatever its requests are doing, and
 * `lastRenew` is when the successful attempt was *sent*; every request is
 * aborted when the time left runs out. Another replica takes over only after
 * it has seen the record unchanged for leaseDuration, which is longer: there
 * is no instant at which two replicas both believe they lead.
 */
export class LeaderElector {
  private readonly leaseDuration: number;
  private readonly renewDeadline: number;
  private readonly retryPeriod: number;
  private observed?: { record: string; at: number; lease: Lease };
  private leading = false;
  private stopped = false;
  private wake?: () => void;
  /** Aborts the request in flight (on stop, or when leadership ends). */
  private inFlight?: AbortController;

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
   * Campaigns until leader, then keeps renewing. `onStoppedLeading` is called
   * at the moment leadership ends (the renew deadline passed), before any
   * request in flight returns. Resolves with `true` when leadership was lost
   * (the caller must stop working), `false` when stopped.
   */
  async run(onStartedLeading: () => void, onStoppedLeading: () => void = () => undefined): Promise<boolean> {
    let lastRenew = 0;
    while (!this.stopped) {
      const written = await this.attempt(Date.now() + this.renewDeadline);
      if (written !== undefined) {
        lastRenew = written;
        break;
      }
      await this.pause(this.retryPeriod);
    }
    if (this.stopped) return false;
    this.setLeading(true);
    onStartedLeading();

    let lost = false;
    let deadline: NodeJS.Timeout | undefined;
    const armDeadline = () => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        lost = true;
        this.setLeading(false);
        this.options.logger.error('could not renew the lease in time; leadership lost', { lease: this.options.name });
        this.inFlight?.abort();
        this.wake?.();
        onStoppedLeading();
      }, lastRenew + this.renewDeadline - Date.now());
    };
    armDeadline();
    while (!this.stopped && !lost) {
      await this.pause(this.retryPeriod);
      if (this.stopped || lost) break;
      const written = await this.attempt(lastRenew + this.renewDeadline);
      if (written !== undefined && !lost) {
        lastRenew = written;
        armDeadline();
      }
    }
    clearTimeout(deadline);
    return lost;
  }

  /** Stops campaigning and, when leading, releases the lease so that a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    this.inFlight?.abort();
    this.wake?.();
    if (!this.leading || !this.observed) return;
    this.setLeading(false);
    const lease = this.observed.lease;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.renewDeadline);
    try {
      await this.options.api.replace(this.path(), { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) } }, controller.signal);
      this.options.logger.info('released the lease', { lease: this.options.name });
    } catch (error) {
      this.options.logger.warn('could not release the lease; it will expire', { error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One acquire-or-renew, aborted at `deadline` (epoch ms) if still running.
   * @returns when the successful write was sent (no later than the server wrote it), or undefined
   */
  private async attempt(deadline: number): Promise<number | undefined> {
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()));
    try {
      return await this.tryAcquireOrRenew(controller.signal);
    } finally {
      clearTimeout(timer);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<number | undefined> {
    const { api, identity, namespace, name } = this.options;
    const now = new Date();
    const write = async (send: () => Promise<Lease>): Promise<number | undefined> => {
      const sent = Date.now();
      this.observe(await send());
      return signal.aborted ? undefined : sent;
    };
    const desired = (previous?: Lease['spec']): Lease['spec'] => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDuration / 1000),
      acquireTime: previous?.holderIdentity === identity ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (previous?.holderIdentity === identity ? 0 : 1),
    });
    try {
      // The leader renews from the lease it last wrote, in one request (client-go's fast path);
      // a conflict sends it through the full path next time.
      const known = this.observed?.lease;
      if (this.leading && known?.spec.holderIdentity === identity) return await write(() => api.replace<Lease>(this.path(), { ...known, spec: desired(known.spec) }, signal));
      let lease: Lease;
      try {
        lease = await api.get<Lease>(this.path(), signal);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        return await write(() =>
          api.create<Lease>(
            `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
            { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { ...desired(), leaseTransitions: 0 } },
            signal,
          ),
        );
      }
      this.observe(lease);
      const holder = lease.spec.holderIdentity;
      const expired = Date.now() > this.observed!.at + (lease.spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder && holder !== identity && !expired) return undefined;
      return await write(() => api.replace<Lease>(this.path(), { ...lease, spec: desired(lease.spec) }, signal));
    } catch (error) {
      // A conflict means another replica wrote first: not ours this round. An abort is the deadline or a stop.
      if (isStatus(error, 409)) this.observed = undefined;
      else if (!signal.aborted) this.options.logger.warn('lease request failed', { error, lease: name });
      return undefined;
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
