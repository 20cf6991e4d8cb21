/**
 * A lease that outlives a region (R-O2): one failover controller acts at a
 * time across clusters in different regions. It lives in a DynamoDB table the
 * operators of every cluster reach (a table in a third region, or a
 * multi-region strongly consistent global table), written only with
 * conditional writes:
 *
 * - renewing requires that this holder still holds it, with the same fence;
 * - taking over requires that the record read is still the record there
 *   (compare-and-swap on holder and expiry), and increments the fence;
 * - a holder stops acting at `lastRenew + renewDeadline`, by its own clock,
 *   whatever its requests are doing, which is before the lease could expire
 *   for anyone else (`renewDeadline < duration`): a partitioned old holder
 *   has stopped before another takes over.
 */
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LeaseTiming {
  /** How long a record holds the lease after its last renewal. */
  readonly durationMs: number;
  /** A holder that could not renew for this long stops acting (< durationMs). */
  readonly renewDeadlineMs: number;
}

export interface LeaseView {
  readonly holder?: string;
  readonly expiresAt?: number;
  readonly fence: number;
}

export class CrossRegionLease {
  private lastRenew?: number;
  private fence = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    /** The lease's name (one per scope, e.g. per operator installation). */
    private readonly name: string,
    private readonly holder: string,
    private readonly timing: LeaseTiming,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(timing.renewDeadlineMs < timing.durationMs)) throw new Error(`renewDeadlineMs ${timing.renewDeadlineMs} must be below durationMs ${timing.durationMs}: a stalled holder must stop before another may take over`);
  }

  /** Whether this holder may act now: renewed within the renew deadline. */
  held(): boolean {
    return this.lastRenew !== undefined && this.clock() < this.lastRenew + this.timing.renewDeadlineMs;
  }

  /** The fencing token of the current holding (increases with every takeover). */
  get token(): number {
    return this.fence;
  }

  /** One attempt to acquire or renew; returns whether this holder holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const started = this.clock();
    try {
      const current = await this.read();
      if (current.holder === this.holder && current.fence === this.fence && this.lastRenew !== undefined) {
        await this.write(started, { condition: '#holder = :me AND #fence = :fence', values: { ':me': { S: this.holder }, ':fence': { N: String(this.fence) } } }, this.fence);
      } else if (current.holder === undefined || current.expiresAt === undefined || current.expiresAt <= started) {
        const next = current.fence + 1;
        const condition = current.holder === undefined ? 'attribute_not_exists(#holder)' : '#holder = :seen AND #expires = :seenExpires';
        const values: Record<string, { S: string } | { N: string }> = current.holder === undefined ? {} : { ':seen': { S: current.holder }, ':seenExpires': { N: String(current.expiresAt) } };
        await this.write(started, { condition, values }, next);
      } else {
        this.lastRenew = undefined;
        return false;
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        this.lastRenew = undefined;
        return false;
      }
      // Unreachable store: keep the last renewal; `held()` ends at the renew deadline.
      throw error;
    }
  }

  async read(): Promise<LeaseView> {
    const result = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { name: { S: this.name } }, ConsistentRead: true }));
    const item = result.Item;
    return { holder: item?.holder?.S, expiresAt: item?.expiresAt?.N ? Number(item.expiresAt.N) : undefined, fence: item?.fence?.N ? Number(item.fence.N) : 0 };
  }

  private async write(started: number, guard: { condition: string; values: Record<string, { S: string } | { N: string }> }, fence: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { name: { S: this.name } },
        UpdateExpression: 'SET #holder = :holder, #expires = :expires, #fence = :newFence',
        ConditionExpression: guard.condition,
        // Attribute names through placeholders: DynamoDB reserves many plain words.
        ExpressionAttributeNames: { '#holder': 'holder', '#expires': 'expiresAt', '#fence': 'fence' },
        ExpressionAttributeValues: { ...guard.values, ':holder': { S: this.holder }, ':expires': { N: String(started + this.timing.durationMs) }, ':newFence': { N: String(fence) } },
      }),
    );
    // Counted from before the request: a slow write cannot stretch the holding.
    this.lastRenew = started;
    this.fence = fence;
  }
}
