/**
 * Keeps the cross-region lease while this replica leads in its cluster: one
 * attempt every `retryMs`, so that exactly one FailoverGroup controller acts
 * across the clusters of both regions. Without a lease configured every
 * leading replica acts (one cluster: in-cluster leader election suffices).
 */
import type { CrossRegionLease } from '../aws/cross-region-lease';
import type { Logger } from '../runtime/log';
import type { Runnable } from '../runtime/manager';

export class LeaseKeeper implements Runnable {
  readonly name = 'failover-lease';
  private timer?: NodeJS.Timeout;
  private running = false;
  private wasHeld?: boolean;

  constructor(
    private readonly lease: CrossRegionLease,
    private readonly retryMs: number,
    private readonly logger: Logger,
  ) {}

  /** Whether this replica may act on FailoverGroups now. */
  acting(): boolean {
    return this.running && this.lease.held();
  }

  async start(): Promise<void> {
    this.running = true;
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
  }

  private async attempt(): Promise<void> {
    try {
      await this.lease.tryAcquireOrRenew();
    } catch (error) {
      this.logger.warn('cross-region lease store unreachable; acting ends at the renew deadline', { error: error as Error });
    }
    const held = this.lease.held();
    if (held !== this.wasHeld) this.logger.info(held ? 'cross-region lease acquired: acting on FailoverGroups' : 'cross-region lease not held: reporting only', { fence: this.lease.token });
    this.wasHeld = held;
    if (this.running) this.timer = setTimeout(() => void this.attempt(), this.retryMs);
  }
}
