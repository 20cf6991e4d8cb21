/**
 * The FailoverGroup decisions (R-O2) as a pure function: safety rules, moves
 * continued not restarted, requests carried out once, with plain values and
 * an explicit clock.
 */
import { describe, expect, test } from '@jest/globals';
import type { FailoverGroup, FailoverGroupStatus } from '../../../operator/failover-group/crd';
import { countFailures, decide, planSteps, type Observation } from '../../../operator/failover-group/decide';

const NOW = new Date('2026-11-30T10:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function group(spec: Partial<FailoverGroup['spec']> = {}, status: FailoverGroupStatus = {}, policy: Partial<FailoverGroup['spec']['policy']> = {}): FailoverGroup {
  return {
    apiVersion: 'ack-systems.io/v1alpha1',
    kind: 'FailoverGroup',
    metadata: { name: 'dr', namespace: 'dr-prod', generation: 1 },
    spec: {
      primary: { region: 'us-east-1', dbCluster: { name: 'db-primary' }, recordSet: { name: 'rec-primary' }, trafficControl: 'primary-traffic', probes: [{ url: 'https://p.example/health', expectedStatus: 200, timeoutSeconds: 5 }] },
      secondary: { region: 'us-east-2', dbCluster: { name: 'db-secondary' }, recordSet: { name: 'rec-secondary' }, trafficControl: 'secondary-traffic', probes: [{ url: 'https://s.example/health', expectedStatus: 200, timeoutSeconds: 5 }] },
      globalCluster: { name: 'global' },
      policy: { failover: 'Automatic', failback: 'Manual', failureThreshold: 3, probeIntervalSeconds: 10, cooldownSeconds: 3600, allowDataLoss: true, ...policy },
      freeze: false,
      ...spec,
    } as FailoverGroup['spec'],
    status,
  };
}

const seen = (primary: boolean | undefined, secondary: boolean | undefined = true, now = NOW, database: Observation['database'] = { writer: 'primary', replicaConnected: true, lagSeconds: 1 }): Observation => ({
  now,
  sides: { primary: { passed: primary, reasons: primary === false ? ['probe https://p.example/health: timeout'] : [] }, secondary: { passed: secondary, reasons: secondary === false ? ['probe https://s.example/health: 503'] : [] } },
  database,
});

describe('FailoverGroup decisions (R-O2)', () => {
  test('R-O2 failures are counted per round; a pass resets them; a run of failures keeps its first time', () => {
    let status: FailoverGroupStatus = {};
    const rounds = [false, false, true, false, false, false];
    const counts = rounds.map((passed, i) => {
      const result = countFailures(status, seen(passed, true, at(i * 10)), 3);
      status = { ...status, failedRounds: result.failedRounds, firstFailureAt: result.firstFailureAt };
      return [result.failedRounds.primary, result.healthy.primary, result.firstFailureAt.primary];
    });
    expect(counts).toEqual([
      [1, true, at(0).toISOString()],
      [2, true, at(0).toISOString()],
      [0, true, undefined],
      [1, true, at(30).toISOString()],
      [2, true, at(30).toISOString()],
      [3, false, at(30).toISOString()],
    ]);
  });

  test('R-O2 the primary failing N rounds starts an unplanned failover to a healthy secondary, with detection time and expected data loss', () => {
    const decision = decide(group({}, { failedRounds: { primary: 2, secondary: 0 }, firstFailureAt: { primary: at(-20).toISOString() } }), seen(false));
    expect(decision).toMatchObject({ kind: 'start', move: { trigger: 'Automatic', kind: 'Unplanned', from: 'primary', to: 'secondary', detectionSeconds: 20, expectedDataLossSeconds: 1, steps: [] } });
  });

  test('R-O2 a flapping primary (never N failures in a row) starts nothing', () => {
    let status: FailoverGroupStatus = {};
    for (const [i, passed] of [false, false, true, false, false, true, false].entries()) {
      const observation = seen(passed, true, at(i * 10));
      expect(decide(group({}, status), observation).kind).toBe('none');
      const counted = countFailures(status, observation, 3);
      status = { failedRounds: counted.failedRounds, firstFailureAt: counted.firstFailureAt };
    }
  });

  test('R-O2 an unhealthy secondary: Blocked, saying why; nothing starts', () => {
    const decision = decide(group({}, { failedRounds: { primary: 2, secondary: 2 } }), seen(false, false));
    expect(decision).toEqual({ kind: 'none', phase: 'Blocked', blocked: expect.stringContaining('the secondary side is not healthy (probe https://s.example/health: 503)'), handledRequest: undefined });
  });

  test('R-O2 unplanned without allowDataLoss, or beyond the RPO: Blocked with the policy to change', () => {
    const down = { failedRounds: { primary: 2, secondary: 0 } };
    expect(decide(group({}, down, { allowDataLoss: false }), seen(false))).toMatchObject({ kind: 'none', phase: 'Blocked', blocked: expect.stringContaining('set policy.allowDataLoss') });
    expect(decide(group({}, down, { maxReplicationLagSeconds: 5 }), seen(false, true, NOW, { writer: 'primary', replicaConnected: true, lagSeconds: 30 }))).toMatchObject({
      phase: 'Blocked',
      blocked: 'replication lag 30 s exceeds policy.maxReplicationLagSeconds 5',
    });
    // A lag that could not be read cannot be shown within the RPO; within it, the move starts.
    expect(decide(group({}, down, { maxReplicationLagSeconds: 5 }), seen(false, true, NOW, { writer: 'primary', replicaConnected: true }))).toMatchObject({
      phase: 'Blocked',
      blocked: expect.stringContaining('replication lag is unknown (no lag metric read from CloudWatch in us-east-2)'),
    });
    expect(decide(group({}, down, { maxReplicationLagSeconds: 5 }), seen(false, true, NOW, { writer: 'primary', replicaConnected: true, lagSeconds: 4 }))).toMatchObject({ kind: 'start', move: { expectedDataLossSeconds: 4 } });
  });

  test('R-O2 cooldown: no second automatic failover within cooldownSeconds of the last', () => {
    const last = { id: 'auto-1', trigger: 'Automatic' as const, kind: 'Unplanned' as const, from: 'secondary' as const, to: 'primary' as const, startedAt: at(-100).toISOString(), completedAt: at(-60).toISOString(), steps: [] };
    const decision = decide(group({}, { failedRounds: { primary: 2, secondary: 0 }, move: last }), seen(false));
    expect(decision).toMatchObject({ phase: 'Blocked', blocked: 'the last move completed 60 s ago; the cooldown is 3600 s (anti-flap)' });
  });

  test('R-O2 Manual policy: an outage is reported (Degraded), never acted on', () => {
    expect(decide(group({}, { failedRounds: { primary: 5, secondary: 0 } }, { failover: 'Manual' }), seen(false))).toEqual({ kind: 'none', phase: 'Degraded' });
  });

  test('R-O2 a drill (planned request) is a switchover then a DNS move; carried out once per ID; failback needs the old primary caught up', () => {
    const drill = group({ request: { action: 'Failover', id: 'drill-1' } });
    const decision = decide(drill, seen(true));
    expect(decision).toMatchObject({ kind: 'start', handledRequest: 'drill-1', move: { trigger: 'Request', kind: 'Planned', from: 'primary', to: 'secondary' } });
    expect(planSteps(drill, 'Planned', 'primary', 'secondary')).toEqual(['switchover-database', 'wait-database', 'swap-records', 'bring-in-target']);
    expect(decide(group({ request: { action: 'Failover', id: 'drill-1' } }, { handledRequest: 'drill-1', activeSide: 'secondary' }), seen(true)).kind).toBe('none');
    const failback = group({ request: { action: 'Failback', id: 'back-1' } }, { handledRequest: 'drill-1', activeSide: 'secondary' });
    expect(decide(failback, seen(true, true, NOW, { writer: 'secondary', replicaConnected: false }))).toMatchObject({ phase: 'Blocked', blocked: expect.stringContaining('not replicating yet') });
    expect(decide(failback, seen(true, true, NOW, { writer: 'secondary', replicaConnected: true }))).toMatchObject({ kind: 'start', move: { from: 'secondary', to: 'primary' } });
  });

  test('R-O2 a move in progress is continued at its first step not completed, even when frozen or unhealthy meanwhile', () => {
    const move = {
      id: 'auto-1',
      trigger: 'Automatic' as const,
      kind: 'Unplanned' as const,
      from: 'primary' as const,
      to: 'secondary' as const,
      startedAt: NOW.toISOString(),
      steps: [
        { name: 'bring-in-target', startedAt: NOW.toISOString(), completedAt: NOW.toISOString() },
        { name: 'take-out-source', startedAt: NOW.toISOString() },
      ],
    };
    expect(planSteps(group(), 'Unplanned', 'primary', 'secondary')).toEqual(['bring-in-target', 'take-out-source', 'failover-database', 'wait-database']);
    expect(decide(group({ freeze: true }, { move }), seen(false, false))).toEqual({ kind: 'continue', step: 'take-out-source' });
  });

  test('R-O2 a move whose steps all completed but whose completion was not recorded is completed, never started again', () => {
    const done = NOW.toISOString();
    const move = { id: 'auto-1', trigger: 'Automatic' as const, kind: 'Unplanned' as const, from: 'primary' as const, to: 'secondary' as const, startedAt: done, steps: ['bring-in-target', 'take-out-source', 'failover-database', 'wait-database'].map((name) => ({ name, startedAt: done, completedAt: done })) };
    expect(decide(group({}, { failedRounds: { primary: 5, secondary: 0 }, move }), seen(false))).toEqual({ kind: 'continue', step: undefined });
  });

  test('R-O2 freeze stops automation and requests; health is still judged', () => {
    expect(decide(group({ freeze: true, request: { action: 'Failover', id: 'x' } }, { failedRounds: { primary: 9, secondary: 0 } }), seen(false))).toEqual({ kind: 'none', phase: 'Frozen' });
  });

  test('R-O2 without a control alarm an unplanned move rewrites the records; without a database it has no database steps', () => {
    const plain = group({
      primary: { region: 'us-east-1', recordSet: { name: 'a' }, probes: [], alarms: [], tables: [], buckets: [] },
      secondary: { region: 'us-east-2', recordSet: { name: 'b' }, probes: [], alarms: [], tables: [], buckets: [] },
      globalCluster: undefined,
    } as Partial<FailoverGroup['spec']>);
    expect(planSteps(plain, 'Unplanned', 'primary', 'secondary')).toEqual(['swap-records']);
  });
});
