/**
 * What a FailoverGroup should do now, as a pure function of its spec, its
 * status and what was observed (R-O2). No I/O and no clock of its own, so
 * every safety rule is tested with plain values:
 *
 * - never move to an unhealthy side, and never take the only serving side out;
 * - one move at a time: a move in progress is continued, never restarted;
 * - a cooldown between automatic failovers (anti-flap);
 * - an unplanned database failover only with `allowDataLoss`, and within
 *   `maxReplicationLagSeconds`;
 * - failback only once the old primary has rejoined and caught up;
 * - `freeze` stops everything but the health report.
 *
 * A refused action leaves everything as it is and sets phase Blocked with a
 * condition that says why.
 */
import type { FailoverGroup, FailoverGroupStatus, FailoverMove, Side } from './crd';

export const other = (side: Side): Side => (side === 'primary' ? 'secondary' : 'primary');

/** What the controller saw in one round. */
export interface Observation {
  readonly now: Date;
  /** Whether each side passed this round's checks (probes and members); `undefined`: nothing to judge by yet. */
  readonly sides: Readonly<Record<Side, { readonly passed: boolean | undefined; readonly reasons: readonly string[] }>>;
  /** The global database, when the group has one. */
  readonly database?: {
    /** The side whose cluster is the writer. */
    readonly writer?: Side;
    /** Whether the non-writer member is replicating (`SynchronizationStatus=connected`). */
    readonly replicaConnected: boolean;
    /** Replication lag of the non-writer member, seconds. */
    readonly lagSeconds?: number;
  };
}

/** The steps of a move, in order; each is idempotent and recorded in status before it runs. */
export type StepName = 'take-out-source' | 'bring-in-target' | 'switchover-database' | 'failover-database' | 'wait-database' | 'swap-records';

export type Decision =
  | { readonly kind: 'none'; readonly phase: NonNullable<FailoverGroupStatus['phase']>; readonly blocked?: string; readonly handledRequest?: string }
  | { readonly kind: 'start'; readonly move: FailoverMove; readonly handledRequest?: string }
  | { readonly kind: 'continue'; readonly step: StepName | undefined };

/** The side health after this round: failed rounds in a row, and when the current run of failures began. */
export function countFailures(
  status: FailoverGroupStatus | undefined,
  observation: Observation,
  threshold: number,
): { failedRounds: Record<Side, number>; firstFailureAt: Partial<Record<Side, string>>; healthy: Record<Side, boolean> } {
  const failedRounds = { primary: 0, secondary: 0 };
  const firstFailureAt: Partial<Record<Side, string>> = {};
  const healthy = { primary: true, secondary: true };
  for (const side of ['primary', 'secondary'] as const) {
    const passed = observation.sides[side].passed;
    const before = status?.failedRounds?.[side] ?? 0;
    failedRounds[side] = passed === false ? before + 1 : passed === true ? 0 : before;
    if (failedRounds[side] > 0) firstFailureAt[side] = before > 0 ? (status?.firstFailureAt?.[side] ?? observation.now.toISOString()) : observation.now.toISOString();
    healthy[side] = failedRounds[side] < threshold;
  }
  return { failedRounds, firstFailureAt, healthy };
}

/** The steps a move takes, given what the group has. */
export function planSteps(group: FailoverGroup, kind: FailoverMove['kind'], from: Side, to: Side): StepName[] {
  const spec = group.spec;
  const hasDatabase = spec.globalCluster !== undefined;
  const hasControl = spec[from].trafficControl !== undefined && spec[to].trafficControl !== undefined;
  const hasRecords = spec.primary.recordSet !== undefined;
  if (kind === 'Planned') {
    // Healthy on both sides: switch the writer without loss, then point DNS at the target.
    return [...(hasDatabase ? (['switchover-database', 'wait-database'] as const) : []), ...(hasRecords ? (['swap-records'] as const) : []), ...(hasControl ? (['bring-in-target'] as const) : [])];
  }
  // The source is down: take it out of DNS through state prepared in advance (no Route 53 control
  // plane), then promote the target's database. Rewriting records is the fallback without a control alarm.
  return [
    ...(hasControl ? (['bring-in-target', 'take-out-source'] as const) : hasRecords ? (['swap-records'] as const) : []),
    ...(hasDatabase ? (['failover-database', 'wait-database'] as const) : []),
  ];
}

export function decide(group: FailoverGroup, observation: Observation): Decision {
  const spec = group.spec;
  const status = group.status ?? {};
  const policy = spec.policy;
  const now = observation.now;
  const active: Side = status.activeSide ?? 'primary';
  const { healthy, firstFailureAt } = countFailures(status, observation, policy.failureThreshold);

  // One move at a time: continue the one in progress.
  const move = status.move;
  if (move && !move.completedAt) {
    // Undefined once every step completed but the completion was not yet recorded: it is, next.
    const next = planSteps(group, move.kind, move.from, move.to).find((step) => !move.steps.some((s) => s.name === step && s.completedAt));
    return { kind: 'continue', step: next };
  }
  if (spec.freeze) return { kind: 'none', phase: 'Frozen' };

  const start = (kind: FailoverMove['kind'], trigger: FailoverMove['trigger'], id: string, to: Side, handledRequest?: string): Decision => {
    const from = other(to);
    const refusal = refuse(group, observation, healthy, kind, from, to);
    if (refusal) return { kind: 'none', phase: 'Blocked', blocked: refusal, handledRequest };
    const first = kind === 'Unplanned' ? firstFailureAt[from] : undefined;
    return {
      kind: 'start',
      handledRequest,
      move: {
        id,
        trigger,
        kind,
        from,
        to,
        ...(first ? { firstFailureAt: first, detectedAt: now.toISOString(), detectionSeconds: (now.getTime() - Date.parse(first)) / 1000 } : {}),
        startedAt: now.toISOString(),
        steps: [],
        ...(kind === 'Unplanned' && observation.database?.lagSeconds !== undefined ? { expectedDataLossSeconds: observation.database.lagSeconds } : {}),
      },
    };
  };

  // A request (a drill, a failback) is carried out once per ID.
  const request = spec.request;
  if (request && request.id !== status.handledRequest) {
    const target: Side = request.action === 'Failover' ? 'secondary' : 'primary';
    if (target === active) return { kind: 'none', phase: phaseOf(active, healthy), handledRequest: request.id };
    return start('Planned', 'Request', request.id, target, request.id);
  }

  // Automatic failover when the active side is down.
  if (policy.failover === 'Automatic' && !healthy[active] && active === 'primary') {
    return start('Unplanned', 'Automatic', `auto-${now.toISOString()}`, 'secondary');
  }
  return { kind: 'none', phase: phaseOf(active, healthy) };
}

function phaseOf(active: Side, healthy: Record<Side, boolean>): NonNullable<FailoverGroupStatus['phase']> {
  if (active === 'secondary') return 'FailedOver';
  return healthy.primary && healthy.secondary ? 'Healthy' : 'Degraded';
}

/** Why a move must not happen, or undefined. */
function refuse(group: FailoverGroup, observation: Observation, healthy: Record<Side, boolean>, kind: FailoverMove['kind'], from: Side, to: Side): string | undefined {
  const policy = group.spec.policy;
  const database = group.spec.globalCluster ? observation.database : undefined;
  if (!healthy[to]) return `the ${to} side is not healthy (${observation.sides[to].reasons.join('; ') || 'failing its checks'}): moving there would leave no side serving`;
  if (kind === 'Unplanned') {
    const last = group.status?.move;
    const since = last?.completedAt ? (observation.now.getTime() - Date.parse(last.completedAt)) / 1000 : Infinity;
    if (since < policy.cooldownSeconds) return `the last move completed ${Math.round(since)} s ago; the cooldown is ${policy.cooldownSeconds} s (anti-flap)`;
    if (group.spec.globalCluster && !policy.allowDataLoss) return 'an unplanned database failover can lose the writes not yet replicated; set policy.allowDataLoss to allow it, or request a planned failover';
    const lag = database?.lagSeconds;
    if (database && policy.maxReplicationLagSeconds !== undefined) {
      if (lag === undefined) return `the ${to} database's replication lag is unknown (no lag metric read from CloudWatch in ${group.spec[to].region}): it cannot be shown within policy.maxReplicationLagSeconds ${policy.maxReplicationLagSeconds}; unset it to accept any lag`;
      if (lag > policy.maxReplicationLagSeconds) return `replication lag ${lag} s exceeds policy.maxReplicationLagSeconds ${policy.maxReplicationLagSeconds}`;
    }
  } else if (database) {
    if (!healthy[from]) return `a planned move needs both sides healthy; the ${from} side is not (use the automatic policy for an outage)`;
    if (!database.replicaConnected) return `the ${to} database is not replicating yet (SynchronizationStatus is not connected): a switchover would wait on it; retry once it has caught up`;
  }
  return undefined;
}
