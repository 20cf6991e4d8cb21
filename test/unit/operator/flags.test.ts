/** The operator's command line (R-O4): defaults that match the chart, and bad flags named. */
import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../../lib/cli';
import { parseOperatorFlags } from '../../../operator/flags';
import { OPERATOR_METRICS_PORT, OPERATOR_NAME } from '../../../operator/identity';

describe('operator flags (R-O4)', () => {
  test('R-O4 defaults: leader election on the chart Lease, identity and namespace from the pod', () => {
    const flags = parseOperatorFlags([], { POD_NAME: 'op-7d9f', POD_NAMESPACE: 'ops' });
    expect(flags).toEqual({
      metricsPort: OPERATOR_METRICS_PORT,
      identity: 'op-7d9f',
      concurrency: {},
      logLevel: 'info',
      leaderElection: { namespace: 'ops', name: OPERATOR_NAME, identity: 'op-7d9f', leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 },
    });
    expect(parseOperatorFlags([], {})!.leaderElection?.namespace).toBe(OPERATOR_NAME);
  });

  test('R-O4 --leader-elect=false runs without a Lease; a bare --leader-elect means true', () => {
    expect(parseOperatorFlags(['--leader-elect=false'], {})!.leaderElection).toBeUndefined();
    expect(parseOperatorFlags(['--leader-elect'], {})!.leaderElection).toBeDefined();
  });

  test('-h and --help ask for the usage', () => {
    expect(parseOperatorFlags(['-h'], {})).toBeUndefined();
    expect(parseOperatorFlags(['--concurrency', '2', '--help'], {})).toBeUndefined();
  });

  test('R-O2 --failover-lease and --cluster-name: the holder is the cluster and the replica', () => {
    expect(parseOperatorFlags(['--failover-lease=us-west-2/ack-systems-failover', '--cluster-name=prod-use2', '--identity=op-1'], {})!.failoverLease).toEqual({ region: 'us-west-2', table: 'ack-systems-failover', holder: 'prod-use2/op-1' });
    expect(parseOperatorFlags([], {})!.failoverLease).toBeUndefined();
    // From the per-cluster ConfigMap, through the chart's variables; a flag wins.
    const env = { ACK_SYSTEMS_FAILOVER_LEASE: 'us-west-2/leases', ACK_SYSTEMS_CLUSTER_NAME: 'prod-use1', POD_NAME: 'op-7' };
    expect(parseOperatorFlags([], env)!.failoverLease).toEqual({ region: 'us-west-2', table: 'leases', holder: 'prod-use1/op-7' });
    expect(parseOperatorFlags(['--cluster-name=other'], env)!.failoverLease!.holder).toBe('other/op-7');
    expect(parseOperatorFlags([], { ACK_SYSTEMS_FAILOVER_LEASE: '', ACK_SYSTEMS_CLUSTER_NAME: '' })!.failoverLease).toBeUndefined();
  });

  test('R-O3 --concurrency per controller: a number for every controller, or <controller>=<n> items applied in order', () => {
    expect(parseOperatorFlags(['--concurrency', '8'], {})!.concurrency).toEqual({ 'tagpolicy-enforcer': 8, 'tagpolicy-status': 8, failovergroup: 8, deferredobject: 8, webaclassociation: 8, traillogging: 8, targettrackingpolicy: 8 });
    expect(parseOperatorFlags(['--concurrency=tagpolicy-enforcer=16'], {})!.concurrency).toEqual({ 'tagpolicy-enforcer': 16 });
    expect(parseOperatorFlags(['--concurrency=2,tagpolicy-status=1'], {})!.concurrency).toEqual({ 'tagpolicy-enforcer': 2, 'tagpolicy-status': 1, failovergroup: 2, deferredobject: 2, webaclassociation: 2, traillogging: 2, targettrackingpolicy: 2 });
  });

  test.each([
    [['--concurrency=0'], '--concurrency <n> must be a whole number from 1 to 256, got "0"'],
    [['--concurrency', '-3'], '--concurrency <n> must be a whole number from 1 to 256, got "-3"'],
    [['--concurrency', 'tagpolicy-status=lots'], '--concurrency tagpolicy-status=<n> must be a whole number from 1 to 256, got "lots"'],
    [['--concurrency', 'enforcer=2'], '--concurrency names an unknown controller "enforcer"; the controllers are tagpolicy-enforcer, tagpolicy-status, failovergroup'],
    [['--metrics-port=http'], '--metrics-port must be a whole number from 0 to 65535, got "http"'],
    [['--failover-lease=ack-systems'], '--failover-lease must be <region>/<table>, e.g. us-west-2/ack-systems-failover, got "ack-systems"'],
    [['--failover-lease=us-west-2/ack-systems-failover'], '--failover-lease needs --cluster-name: the lease names its holder by cluster'],
    [['--leader-elect=yes'], '--leader-elect is true or false, got "yes"'],
    [['--log-level=verbose'], '--log-level must be one of debug, info, warn, error, got "verbose"'],
    [['--identity='], '--identity needs a value, got an empty one'],
    [['--lease-namespace', 'Ops_Team'], '--lease-namespace "Ops_Team" is not a namespace name: lowercase letters, digits and dashes, at most 63'],
    [['--lease-name', 'my lease'], '--lease-name "my lease" is not an object name'],
    [['--lease-duration-ms=2000', '--renew-deadline-ms=3000'], '--lease-duration-ms, --renew-deadline-ms, --retry-period-ms: lease duration (2000 ms) must exceed renew deadline (3000 ms)'],
    [['--replicas=2'], 'unknown option --replicas'],
  ])('R-O4 %j is refused in one line naming the flag', (args, message) => {
    expect(() => parseOperatorFlags(args, {})).toThrow(UsageError);
    expect(() => parseOperatorFlags(args, {})).toThrow(message);
  });
});
