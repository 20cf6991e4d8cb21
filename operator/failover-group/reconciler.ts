/**
 * Reconciles a FailoverGroup (R-O2): one round probes both sides and reads the
 * members' ACK status, `decide` says what to do, and a move runs step by step.
 * The move and the step reached are written to status before each step runs
 * and after it completes, and every step is idempotent, so a new leader or a
 * restarted process continues where the last one stopped without repeating a
 * completed step.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { lostWritesCopyName, type GlobalDatabase } from '../aws/global-database';
import type { HealthSignals } from '../aws/health-signals';
import type { TrafficControl } from '../aws/traffic-control';
import { isStatus, objectPath, type ApiClient } from '../runtime/api-client';
import type { ReconcileResult, Reconciler } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import type { Logger } from '../runtime/log';
import { setCondition, writeStatus, type Condition } from '../runtime/status';
import type { Store } from '../runtime/store';
import { FAILOVER_GROUP_TYPE, SIDES, type FailoverGroup, type FailoverGroupStatus, type FailoverMove, type Side } from './crd';
import { countFailures, decide, other, planSteps, type Observation, type StepName } from './decide';
import { HealthObserver, type Prober } from './health';
import { databaseMembers, MEMBER_TYPES, type AckObject, type MemberStores } from './members';
import type { FailoverMetrics } from './metrics';

/** How long a waiting step (the database switching its writer) waits before looking again. */
const WAIT_MS = 10_000;

export interface FailoverReconcilerOptions {
  readonly api: ApiClient;
  readonly groups: Store<FailoverGroup>;
  readonly members: MemberStores;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly fieldManager: string;
  readonly prober: Prober;
  /** Absent without AWS credentials: groups with a global cluster are then only reported. */
  readonly database?: GlobalDatabase;
  readonly trafficControl?: TrafficControl;
  /** Route 53, CloudWatch alarm and replication-lag reads; absent, health comes from probes and ACK status only. */
  readonly signals?: HealthSignals;
  readonly metrics?: FailoverMetrics;
  /** Whether this operator may act (it holds the cross-region lease). @default always */
  readonly acting?: () => boolean;
  readonly now?: () => Date;
}

export class FailoverGroupReconciler implements Reconciler {
  private readonly now: () => Date;
  private readonly health: HealthObserver;

  constructor(private readonly options: FailoverReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.health = new HealthObserver(options);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.options.groups.get(key);
    if (!cached) return this.health.forget(key);
    // Decided on the object as it is now, not as the cache last saw it: a status written by the
    // previous round (a move completed) may not have reached the cache, and acting on the older
    // one would start the same move again.
    const group = await this.options.api
      .get<FailoverGroup>(objectPath(FAILOVER_GROUP_TYPE, cached.metadata!.namespace, cached.metadata!.name!))
      .catch((error: unknown) => (isStatus(error, 404) ? undefined : Promise.reject(error)));
    if (!group) return this.health.forget(key);
    const observation = await this.health.observe(group, this.now());
    const decision = decide(group, observation);
    const interval = group.spec.policy.probeIntervalSeconds * 1000;
    if (this.options.acting && !this.options.acting()) {
      // Another cluster's operator holds the cross-region lease: report health, never act.
      await this.report(group, observation, group.status?.phase ?? 'Healthy', undefined, undefined, undefined, 'another operator holds the cross-region lease and acts; this one reports only');
      return { requeueAfterMs: interval };
    }
    if (decision.kind === 'none') {
      await this.report(group, observation, decision.phase, decision.blocked, decision.handledRequest);
      await this.holdTrafficControls(group);
      await this.recordLostWrites(group);
      return { requeueAfterMs: interval };
    }
    let move: FailoverMove;
    if (decision.kind === 'start') {
      move = decision.move;
      await this.report(group, observation, move.to === 'secondary' ? 'FailingOver' : 'FailingBack', undefined, decision.handledRequest, move);
      this.options.events.record(group, move.kind === 'Unplanned' ? 'Warning' : 'Normal', 'MoveStarted', `${move.kind.toLowerCase()} move ${move.from} → ${move.to} (${move.trigger}, ${move.id}): ${planSteps(group, move.kind, move.from, move.to).join(', ')}`);
    } else {
      move = group.status!.move!;
    }
    return this.runMove(group, move, interval);
  }

  /** Runs the move's remaining steps in order; stops at a step that must wait. */
  private async runMove(group: FailoverGroup, initial: FailoverMove, interval: number): Promise<ReconcileResult> {
    let move = initial;
    for (const step of planSteps(group, move.kind, move.from, move.to)) {
      if (move.steps.some((s) => s.name === step && s.completedAt)) continue;
      if (!move.steps.some((s) => s.name === step)) {
        move = { ...move, steps: [...move.steps, { name: step, startedAt: this.now().toISOString() }] };
        await this.saveMove(group, move);
      }
      const done = await this.act(group, move, step);
      if (!done.completed) {
        if (done.detail) move = withStep(move, step, { detail: done.detail });
        await this.saveMove(group, move);
        return { requeueAfterMs: WAIT_MS };
      }
      move = withStep(move, step, { completedAt: this.now().toISOString(), ...(done.detail ? { detail: done.detail } : {}) });
      await this.saveMove(group, move);
      this.options.events.record(group, 'Normal', 'StepCompleted', `${step}${done.detail ? `: ${done.detail}` : ''}`);
    }
    const completedAt = this.now();
    const since = move.firstFailureAt ?? move.startedAt;
    move = { ...move, completedAt: completedAt.toISOString(), rtoSeconds: (completedAt.getTime() - Date.parse(since)) / 1000 };
    await this.saveMove(group, move, { activeSide: move.to, activeRegion: group.spec[move.to].region, phase: move.to === 'secondary' ? 'FailedOver' : 'Healthy' });
    this.options.events.record(group, 'Normal', 'MoveCompleted', `traffic and writer on the ${move.to} side (${group.spec[move.to].region}); RTO ${move.rtoSeconds} s`);
    const labels = { namespace: group.metadata!.namespace!, group: group.metadata!.name! };
    this.options.metrics?.moves.inc({ ...labels, kind: move.kind, trigger: move.trigger });
    this.options.metrics?.rtoSeconds.observe({ ...labels, kind: move.kind }, move.rtoSeconds!);
    if (move.detectionSeconds !== undefined) this.options.metrics?.detectionSeconds.observe(labels, move.detectionSeconds);
    this.options.logger.info('failover move completed', { group: `${group.metadata!.namespace}/${group.metadata!.name}`, id: move.id, from: move.from, to: move.to, rtoSeconds: move.rtoSeconds });
    return { requeueAfterMs: interval };
  }

  /**
   * Publishes, every round, which sides may serve: the active side and the
   * standby do, a primary failed away from does not. The alarms treat missing
   * data as missing, and their health checks keep the last known status, so a
   * stopped operator leaves traffic where it is rather than flapping it back.
   */
  private async holdTrafficControls(group: FailoverGroup): Promise<void> {
    const { trafficControl } = this.options;
    const active = group.status?.activeSide ?? 'primary';
    for (const side of SIDES) {
      const control = group.spec[side].trafficControl;
      if (!trafficControl || !control) continue;
      try {
        await trafficControl.set(group.spec[side].region, control, side === active || side === 'secondary');
      } catch (error) {
        this.options.logger.warn('traffic control not published', { group: group.metadata!.name, side, error: error as Error });
      }
    }
  }

  /**
   * After an unplanned failover, finds the old primary's snapshot holding the
   * writes not replicated (it appears once that region answers again),
   * records it with an Event, and by policy copies it to a manual snapshot:
   * Aurora keeps the original only for the cluster's backup retention.
   */
  private async recordLostWrites(group: FailoverGroup): Promise<void> {
    const move = group.status?.move;
    const { database } = this.options;
    if (!move?.completedAt || move.kind !== 'Unplanned' || !database || !group.spec.globalCluster) return;
    const copying = group.spec.policy.copyLostWrites;
    if (move.lostWritesSnapshot && (move.lostWritesCopy || !copying)) return;
    const ref = group.spec[move.from].dbCluster;
    const identifier = ref && this.options.members.dbCluster.get(`${group.metadata!.namespace}/${ref.name}`)?.spec?.dbClusterIdentifier;
    const region = group.spec[move.from].region;
    if (!identifier) return;
    try {
      const snapshot = move.lostWritesSnapshot ?? (await database.findFailoverSnapshot(identifier, region));
      if (!snapshot) return;
      const copy = copying ? lostWritesCopyName(snapshot) : undefined;
      if (copy) await database.keepSnapshot(snapshot, copy, region);
      await this.saveMove(group, { ...move, lostWritesSnapshot: snapshot, ...(copy ? { lostWritesCopy: copy } : {}) });
      this.options.events.record(
        group,
        'Warning',
        'LostWritesSnapshot',
        copy
          ? `the writes not replicated before the failover are in snapshot ${snapshot} (${region}), copied to the manual snapshot ${copy}, kept until you delete it`
          : `the writes not replicated before the failover are in snapshot ${snapshot} (${region}), kept for the cluster's backup retention: copy it if you need them`,
      );
    } catch (error) {
      this.options.logger.debug('lost-writes snapshot not found or copied yet', { group: group.metadata!.name, error: error as Error });
    }
  }

  /** Carries out one step; idempotent (each looks before it acts). */
  private async act(group: FailoverGroup, move: FailoverMove, step: StepName): Promise<{ completed: boolean; detail?: string }> {
    const spec = group.spec;
    const { trafficControl, database } = this.options;
    switch (step) {
      case 'bring-in-target':
      case 'take-out-source': {
        const side = step === 'bring-in-target' ? move.to : move.from;
        if (!trafficControl) throw new Error(`${step}: no AWS credentials for traffic control`);
        await trafficControl.set(spec[side].region, spec[side].trafficControl!, step === 'bring-in-target');
        return { completed: true };
      }
      case 'switchover-database':
      case 'failover-database': {
        const db = databaseMembers(group, this.options.members);
        if (!database || !db) throw new Error(`${step}: the global cluster or its members are not known yet (no AWS credentials, or ACK has not reported their ARNs)`);
        const state = await database.describe(db.identifier, spec[move.to].region);
        if (state.failoverState || state.members.some((m) => m.writer && m.clusterArn === db.arns[move.to])) return { completed: true, detail: 'already under way or done' };
        if (step === 'switchover-database') await database.switchover(db.identifier, db.arns[move.to], spec[move.from].region);
        else await database.failover(db.identifier, db.arns[move.to], spec[move.to].region);
        return { completed: true };
      }
      case 'wait-database': {
        const db = databaseMembers(group, this.options.members);
        if (!database || !db) throw new Error('wait-database: the global cluster is not known');
        const state = await database.describe(db.identifier, spec[move.to].region);
        const writer = state.members.find((m) => m.writer)?.clusterArn;
        return writer === db.arns[move.to] && !state.failoverState ? { completed: true } : { completed: false, detail: `waiting: ${state.failoverState ?? 'writer not moved yet'}` };
      }
      case 'swap-records':
        await this.swapRecords(group, move.to);
        return { completed: true };
    }
  }

  /**
   * Points the PRIMARY record at the target and the SECONDARY at the source by
   * exchanging their alias targets and health checks (never their failover
   * roles: two PRIMARY records at once would be refused by Route 53, Terminal
   * in ACK). Each record is applied under the operator's field manager, so a
   * re-apply of `dist/` does not undo it (and Argo CD ignores these fields).
   * ACK sends each change as one UPSERT of the whole record set
   * (route53-controller v1.5.2 `record_set/hooks.go:178-197`), so each record
   * is valid on its own at every moment of the swap.
   */
  private async swapRecords(group: FailoverGroup, to: Side): Promise<void> {
    const namespace = group.metadata!.namespace!;
    const records = Object.fromEntries(
      SIDES.map((side) => {
        const record = this.options.members.recordSet.get(`${namespace}/${group.spec[side].recordSet!.name}`);
        if (!record) throw new Error(`swap-records: RecordSet ${group.spec[side].recordSet!.name} not found`);
        return [side, record];
      }),
    ) as Record<Side, AckObject>;
    const original = (side: Side) => records[side].metadata?.annotations?.['ack-systems.io/original-target'] ?? JSON.stringify({ aliasTarget: records[side].spec.aliasTarget, healthCheckRef: records[side].spec.healthCheckRef });
    for (const side of SIDES) {
      // The record of `side` serves whichever side should be there now: PRIMARY gets the target.
      const serves = side === 'primary' ? to : other(to);
      const target = JSON.parse(original(serves));
      await this.options.api.apply(
        objectPath(MEMBER_TYPES.recordSet, namespace, records[side].metadata!.name!),
        {
          apiVersion: `${MEMBER_TYPES.recordSet.group}/${MEMBER_TYPES.recordSet.version}`,
          kind: MEMBER_TYPES.recordSet.kind,
          metadata: { name: records[side].metadata!.name, namespace, annotations: { 'ack-systems.io/original-target': original(side) } },
          spec: { aliasTarget: target.aliasTarget, healthCheckRef: target.healthCheckRef },
        } as KubernetesObject,
        this.options.fieldManager,
        { force: true },
      );
    }
  }

  /** Writes the round's health and phase; Events on a change of phase or a new refusal. */
  private async report(
    group: FailoverGroup,
    observation: Observation,
    phase: NonNullable<FailoverGroupStatus['phase']>,
    blocked?: string,
    handledRequest?: string,
    move?: FailoverMove,
    standby?: string,
  ): Promise<void> {
    const counted = countFailures(group.status, observation, group.spec.policy.failureThreshold);
    for (const side of SIDES) this.options.metrics?.sideHealthy.set({ namespace: group.metadata!.namespace!, group: group.metadata!.name!, side }, counted.healthy[side] ? 1 : 0);
    const members = SIDES.flatMap((side) =>
      observation.sides[side].reasons.length > 0
        ? observation.sides[side].reasons.map((reason) => ({ side, member: reason.split(':')[0], healthy: false, reason }))
        : [{ side, member: 'all', healthy: counted.healthy[side], reason: counted.healthy[side] ? 'checks pass' : 'failing' }],
    );
    const ready: Omit<Condition, 'lastTransitionTime'> = standby
      ? { type: 'Ready', status: 'Unknown', reason: 'Standby', message: standby }
      : blocked
      ? { type: 'Ready', status: 'False', reason: 'Blocked', message: blocked }
      : { type: 'Ready', status: phase === 'Healthy' || phase === 'FailedOver' ? 'True' : 'False', reason: phase, message: describePhase(phase, counted.healthy) };
    const active = group.status?.activeSide ?? 'primary';
    await writeStatus<FailoverGroup, FailoverGroupStatus>(
      this.options.api,
      FAILOVER_GROUP_TYPE,
      { namespace: group.metadata!.namespace, name: group.metadata!.name! },
      (fresh) => ({
        ...fresh.status,
        phase,
        activeSide: fresh.status?.activeSide ?? active,
        activeRegion: group.spec[fresh.status?.activeSide ?? active].region,
        primaryHealthy: counted.healthy.primary,
        secondaryHealthy: counted.healthy.secondary,
        failedRounds: counted.failedRounds,
        firstFailureAt: counted.firstFailureAt,
        members,
        ...(handledRequest ? { handledRequest } : {}),
        ...(move ? { move } : {}),
        conditions: setCondition(fresh.status?.conditions, { ...ready, observedGeneration: fresh.metadata?.generation }, observation.now),
      }),
    );
    if (blocked && group.status?.conditions?.find((c) => c.type === 'Ready')?.message !== blocked) this.options.events.record(group, 'Warning', 'MoveBlocked', blocked);
    // Moves have Events of their own (MoveStarted …); every other change of phase gets one here.
    const before = group.status?.phase;
    if (!blocked && !standby && !move && before !== phase) {
      this.options.events.record(group, phase === 'Degraded' ? 'Warning' : 'Normal', 'PhaseChanged', `${before ?? 'new'} → ${phase}: ${describePhase(phase, counted.healthy)}`);
    }
  }

  private async saveMove(group: FailoverGroup, move: FailoverMove, extra: Partial<FailoverGroupStatus> = {}): Promise<void> {
    await writeStatus<FailoverGroup, FailoverGroupStatus>(this.options.api, FAILOVER_GROUP_TYPE, { namespace: group.metadata!.namespace, name: group.metadata!.name! }, (fresh) => ({
      ...fresh.status,
      move,
      ...extra,
    }));
  }
}

function withStep(move: FailoverMove, name: StepName, fields: Partial<FailoverMove['steps'][number]>): FailoverMove {
  return { ...move, steps: move.steps.map((step) => (step.name === name ? { ...step, ...fields } : step)) };
}

function describePhase(phase: NonNullable<FailoverGroupStatus['phase']>, healthy: Record<Side, boolean>): string {
  const sides = SIDES.map((side) => `${side} ${healthy[side] ? 'healthy' : 'unhealthy'}`).join(', ');
  return { Healthy: `serving from the primary; ${sides}`, Degraded: `a side is unhealthy; ${sides}`, FailedOver: `serving from the secondary; ${sides}`, Frozen: `frozen: no automatic or requested action; ${sides}` }[phase as 'Healthy'] ?? `${phase}; ${sides}`;
}
