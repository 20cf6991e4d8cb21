/**
 * One round's look at a FailoverGroup's two sides (R-O2): the controller's
 * own HTTPS probes, the members' ACK status, and, when the operator has AWS
 * credentials, Route 53's checkers, CloudWatch alarm states and Aurora's
 * replication lag. An AWS read that fails (no credentials, throttling, the
 * region being down) is no verdict either way: it neither fails a side nor
 * clears one, and it is logged once per change.
 */
import type { GlobalDatabase } from '../aws/global-database';
import type { HealthSignals } from '../aws/health-signals';
import type { Logger } from '../runtime/log';
import { SIDES, type FailoverGroup, type Side } from './crd';
import { other, type Observation } from './decide';
import { databaseMembers, memberProblem, sideMembers, type MemberStores } from './members';

/** Calls one HTTPS endpoint; undefined when it answered as expected, else why not. */
export interface Prober {
  probe(url: string, expectedStatus: number, timeoutMs: number): Promise<string | undefined>;
}

export const fetchProber: Prober = {
  async probe(url, expectedStatus, timeoutMs) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await response.body?.cancel();
      return response.status === expectedStatus ? undefined : `${url}: status ${response.status}, expected ${expectedStatus}`;
    } catch (error) {
      return `${url}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message}`;
    }
  },
};

export interface HealthObserverOptions {
  readonly members: MemberStores;
  readonly prober: Prober;
  readonly logger: Logger;
  readonly database?: GlobalDatabase;
  readonly signals?: HealthSignals;
}

export class HealthObserver {
  /** The last AWS read failures logged per group, so a persisting one is logged once. */
  private readonly unread = new Map<string, string>();

  constructor(private readonly options: HealthObserverOptions) {}

  async observe(group: FailoverGroup, now: Date): Promise<Observation> {
    const unread: string[] = [];
    const entries = await Promise.all(SIDES.map(async (side) => [side, await this.observeSide(group, side, unread)] as const));
    const sides = Object.fromEntries(entries) as Observation['sides'];
    const database = await this.observeDatabase(group, sides, now, unread);
    this.logUnread(group, unread);
    return { now, sides, database };
  }

  private async observeSide(group: FailoverGroup, side: Side, unread: string[]): Promise<Observation['sides'][Side]> {
    const namespace = group.metadata!.namespace!;
    const spec = group.spec[side];
    const object = (kind: Parameters<typeof memberProblem>[0], name: string) => this.options.members[kind].get(`${namespace}/${name}`);
    const [probeReasons, awsReasons] = await Promise.all([
      Promise.all(spec.probes.map((p) => this.options.prober.probe(p.url, p.expectedStatus, p.timeoutSeconds * 1000))),
      this.awsSignals(group, side, unread),
    ]);
    const named = sideMembers(spec);
    const memberReasons = named.map(({ kind, name }) => memberProblem(kind, name, object(kind, name), spec.region));
    const reasons = [...probeReasons, ...memberReasons, ...awsReasons].filter((reason): reason is string => reason !== undefined);
    const judged = spec.probes.length > 0 || named.length > 0;
    return { passed: judged ? reasons.length === 0 : undefined, reasons };
  }

  /** Route 53's view of the side's endpoint check and the side's alarms in ALARM, when AWS answers. */
  private async awsSignals(group: FailoverGroup, side: Side, unread: string[]): Promise<string[]> {
    const { signals, members } = this.options;
    if (!signals) return [];
    const namespace = group.metadata!.namespace!;
    const spec = group.spec[side];
    const reasons: string[] = [];
    const read = async (what: string, call: () => Promise<void>) => {
      try {
        await call();
      } catch (error) {
        unread.push(`${side} ${what}: ${(error as Error).name}`);
      }
    };
    const check = spec.healthCheck && members.healthCheck.get(`${namespace}/${spec.healthCheck.name}`);
    const checkId = check?.status?.id as string | undefined;
    const alarms = spec.alarms.flatMap((ref) => {
      const name = members.alarm.get(`${namespace}/${ref.name}`)?.spec?.name as string | undefined;
      return name ? [{ member: ref.name, name }] : [];
    });
    await Promise.all([
      checkId &&
        read('Route 53 health-check status', async () => {
          const verdict = await signals.healthCheck(checkId);
          if (!verdict.healthy) reasons.push(`healthCheck ${spec.healthCheck!.name}: ${verdict.detail}`);
        }),
      alarms.length > 0 &&
        read('CloudWatch alarm states', async () => {
          for (const alarm of await signals.alarming(spec.region, alarms.map((a) => a.name))) {
            reasons.push(`alarm ${alarms.find((a) => a.name === alarm.name)?.member ?? alarm.name}: ALARM: ${alarm.reason}`);
          }
        }),
    ]);
    return reasons;
  }

  /**
   * The writer (from ACK), whether the other member replicates (RDS: ACK's
   * status lacks SynchronizationStatus), and, while the writer's side is
   * failing, the replica's lag: what an unplanned failover would lose.
   */
  private async observeDatabase(group: FailoverGroup, sides: Observation['sides'], now: Date, unread: string[]): Promise<Observation['database']> {
    const db = databaseMembers(group, this.options.members);
    if (!db) return undefined;
    const global = this.options.members.globalCluster.get(`${group.metadata!.namespace}/${group.spec.globalCluster!.name}`);
    const writerArn = (global?.status?.globalClusterMembers as { dbClusterARN?: string; isWriter?: boolean }[] | undefined)?.find((m) => m.isWriter)?.dbClusterARN;
    const writer = SIDES.find((side) => db.arns[side] === writerArn);
    const { database, signals } = this.options;
    if (!database || !writer) return { writer, replicaConnected: false };
    const replica = other(writer);
    let replicaConnected = false;
    let lagSeconds: number | undefined;
    await Promise.all([
      database
        .describe(db.identifier, group.spec[replica].region)
        .then((state) => void (replicaConnected = state.members.find((m) => m.clusterArn === db.arns[replica])?.synchronizationStatus === 'connected'))
        .catch((error: Error) => void unread.push(`global database: ${error.name}`)),
      signals && db.identifiers[replica] && sides[writer].passed !== true
        ? signals
            .replicationLagSeconds(group.spec[replica].region, db.identifiers[replica]!, now)
            .then((lag) => void (lagSeconds = lag))
            .catch((error: Error) => void unread.push(`replication lag: ${error.name}`))
        : undefined,
    ]);
    return { writer, replicaConnected, ...(lagSeconds !== undefined ? { lagSeconds } : {}) };
  }

  /** Drops what was kept for a group that is gone. */
  forget(key: string): void {
    this.unread.delete(key);
  }

  private logUnread(group: FailoverGroup, unread: string[]): void {
    const key = `${group.metadata!.namespace}/${group.metadata!.name}`;
    const summary = unread.sort().join('; ');
    if ((this.unread.get(key) ?? '') === summary) return;
    if (summary) this.options.logger.warn('AWS health inputs not read: they count neither way this round', { group: key, unread: summary });
    else this.options.logger.info('AWS health inputs read again', { group: key });
    this.unread.set(key, summary);
  }
}
