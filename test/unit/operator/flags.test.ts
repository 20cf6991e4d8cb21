/** The operator's command line (R-O4): defaults that match the chart, and bad flags named. */
import { describe, expect, test } from '@jest/globals';
import { parseOperatorFlags } from '../../../operator/flags';
import { OPERATOR_METRICS_PORT, OPERATOR_NAME } from '../../../operator/identity';

describe('operator flags (R-O4)', () => {
  test('R-O4 defaults: leader election on the chart Lease, identity and namespace from the pod', () => {
    const flags = parseOperatorFlags([], { POD_NAME: 'op-7d9f', POD_NAMESPACE: 'ops' });
    expect(flags).toEqual({
      metricsPort: OPERATOR_METRICS_PORT,
      identity: 'op-7d9f',
      concurrency: 4,
      logLevel: 'info',
      leaderElection: { namespace: 'ops', name: OPERATOR_NAME, identity: 'op-7d9f', leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 },
    });
    expect(parseOperatorFlags([], {}).leaderElection?.namespace).toBe(OPERATOR_NAME);
  });

  test('R-O4 --leader-elect=false runs without a Lease', () => {
    expect(parseOperatorFlags(['--leader-elect=false'], {}).leaderElection).toBeUndefined();
  });

  test.each([
    [['--concurrency=0'], '--concurrency must be a whole number from 1 to 256, got "0"'],
    [['--metrics-port=http'], '--metrics-port must be a whole number from 0 to 65535, got "http"'],
    [['--leader-elect=yes'], '--leader-elect must be true or false, got "yes"'],
    [['--log-level=verbose'], '--log-level must be one of debug, info, warn, error, got "verbose"'],
    [['--identity='], '--identity must not be empty'],
    [['--lease-duration-ms=2000', '--renew-deadline-ms=3000'], '--lease-duration-ms, --renew-deadline-ms, --retry-period-ms: lease duration (2000 ms) must exceed renew deadline (3000 ms)'],
    [['--replicas=2'], "Unknown option '--replicas'"],
  ])('R-O4 %j is refused with the flag named and the usage shown', (args, message) => {
    expect(() => parseOperatorFlags(args, {})).toThrow(message);
    expect(() => parseOperatorFlags(args, {})).toThrow('Usage: npm run operator -- [flags]');
  });
});
