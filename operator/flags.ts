/**
 * The operator's command-line flags, parsed and checked before anything
 * starts: a bad flag exits with a message naming the flag and what it accepts.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { OPERATOR_METRICS_PORT, OPERATOR_NAME } from './identity';
import { leaseTimingError } from './runtime/leader-election';
import type { LogLevel } from './runtime/log';

export interface OperatorFlags {
  readonly metricsPort: number;
  /** Absent when --leader-elect=false. */
  readonly leaderElection?: {
    readonly namespace: string;
    readonly name: string;
    readonly identity: string;
    readonly leaseDurationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
  readonly identity: string;
  readonly concurrency: number;
  readonly logLevel: LogLevel;
}

export const OPERATOR_USAGE = `Usage: npm run operator -- [flags]
  --metrics-port <n>        /healthz, /readyz, /metrics             (default ${OPERATOR_METRICS_PORT}; 0 picks a free port)
  --leader-elect <bool>     run controllers only while holding the Lease (default true)
  --lease-namespace <ns>    (default $POD_NAMESPACE, else ${OPERATOR_NAME})
  --lease-name <name>       (default ${OPERATOR_NAME})
  --identity <id>           this replica's name in the Lease         (default $POD_NAME, else <hostname>-<pid>)
  --lease-duration-ms <n>   (default 15000)
  --renew-deadline-ms <n>   (default 10000)
  --retry-period-ms <n>     (default 2000)
  --concurrency <n>         ACK objects reconciled in parallel      (default 4)
  --log-level <level>       debug | info | warn | error             (default info)`;

export class FlagError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${OPERATOR_USAGE}`);
    this.name = 'FlagError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function parseOperatorFlags(args: readonly string[], env: NodeJS.ProcessEnv = process.env): OperatorFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        'metrics-port': { type: 'string', default: String(OPERATOR_METRICS_PORT) },
        'leader-elect': { type: 'string', default: 'true' },
        'lease-namespace': { type: 'string', default: env.POD_NAMESPACE ?? OPERATOR_NAME },
        'lease-name': { type: 'string', default: OPERATOR_NAME },
        identity: { type: 'string', default: env.POD_NAME ?? `${hostname()}-${process.pid}` },
        'lease-duration-ms': { type: 'string', default: '15000' },
        'renew-deadline-ms': { type: 'string', default: '10000' },
        'retry-period-ms': { type: 'string', default: '2000' },
        concurrency: { type: 'string', default: '4' },
        'log-level': { type: 'string', default: 'info' },
      },
    }));
  } catch (error) {
    throw new FlagError((error as Error).message);
  }

  const integer = (flag: keyof typeof values, min: number, max: number): number => {
    const text = values[flag] as string;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) throw new FlagError(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
    return value;
  };
  const leaderElect = values['leader-elect'];
  if (leaderElect !== 'true' && leaderElect !== 'false') throw new FlagError(`--leader-elect must be true or false, got "${leaderElect}"`);
  const logLevel = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new FlagError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  for (const flag of ['identity', 'lease-namespace', 'lease-name'] as const) {
    if (!values[flag]) throw new FlagError(`--${flag} must not be empty`);
  }

  const leaseDurationMs = integer('lease-duration-ms', 1000, 600_000);
  const renewDeadlineMs = integer('renew-deadline-ms', 500, 600_000);
  const retryPeriodMs = integer('retry-period-ms', 100, 600_000);
  const timingError = leaseTimingError(leaseDurationMs, renewDeadlineMs, retryPeriodMs);
  if (timingError) throw new FlagError(`--lease-duration-ms, --renew-deadline-ms, --retry-period-ms: ${timingError}`);

  return {
    metricsPort: integer('metrics-port', 0, 65535),
    identity: values.identity!,
    concurrency: integer('concurrency', 1, 256),
    logLevel,
    leaderElection:
      leaderElect === 'true'
        ? {
            namespace: values['lease-namespace']!,
            name: values['lease-name']!,
            identity: values.identity!,
            leaseDurationMs,
            renewDeadlineMs,
            retryPeriodMs,
          }
        : undefined,
  };
}
