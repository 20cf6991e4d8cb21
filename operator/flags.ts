/**
 * The operator's command-line flags, parsed and checked before anything
 * starts: a bad flag exits with one line naming the flag and what it
 * accepts, and the usage (the grammar is `lib/cli.ts`, shared with synth).
 */
import { hostname } from 'node:os';
import { parseFlags, shown, UsageError } from '../lib/cli';
import { K8S_LABEL_NAME, K8S_SUBDOMAIN_NAME, nameProblem } from '../lib/naming';
import { OPERATOR_CLUSTER_CONFIG, OPERATOR_METRICS_PORT, OPERATOR_NAME } from './identity';
import { leaseTimingError } from './runtime/leader-election';
import type { LogLevel } from './runtime/log';
import { AWS_GAP_CONTROLLERS } from './aws-gaps/controllers';
import { DEFERRED_OBJECT_CONTROLLER } from './deferred-object/controllers';
import { FAILOVER_GROUP_CONTROLLER } from './failover-group/controllers';
import { TAG_POLICY_CONTROLLERS } from './tag-policy/controllers';

/** Every controller the operator runs, by the name its metrics and logs carry. */
export const CONTROLLER_NAMES = [...Object.values(TAG_POLICY_CONTROLLERS), FAILOVER_GROUP_CONTROLLER, DEFERRED_OBJECT_CONTROLLER, ...Object.values(AWS_GAP_CONTROLLERS)] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];

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
  /** Keys reconciled in parallel, for the controllers given (the others keep their defaults). */
  readonly concurrency: Partial<Record<ControllerName, number>>;
  readonly logLevel: LogLevel;
  /** The cross-region lease of the failover controller, when several clusters hold the same groups. */
  readonly failoverLease?: { readonly region: string; readonly table: string; readonly holder: string };
}

export const OPERATOR_USAGE = `Usage: npm run operator -- [flags]
  --metrics-port <n>        /healthz, /readyz, /metrics             (default ${OPERATOR_METRICS_PORT}; 0 picks a free port)
  --leader-elect[=<bool>]   run controllers only while holding the Lease (default true; --leader-elect=false to run alone)
  --lease-namespace <ns>    (default $POD_NAMESPACE, else ${OPERATOR_NAME})
  --lease-name <name>       (default ${OPERATOR_NAME})
  --identity <id>           this replica's name in the Lease         (default $POD_NAME, else <hostname>-<pid>)
  --lease-duration-ms <n>   (default 15000)
  --renew-deadline-ms <n>   (default 10000)
  --retry-period-ms <n>     (default 2000)
  --concurrency <list>      keys reconciled in parallel: <n> for every controller, or
                            <controller>=<n>, comma-separated      (default ${TAG_POLICY_CONTROLLERS.enforcer}=4,${TAG_POLICY_CONTROLLERS.status}=1)
  --log-level <level>       debug | info | warn | error             (default info)
  --failover-lease <region>/<table>
                            a DynamoDB table every cluster's operator reaches: only the holder of its
                            lease acts on FailoverGroups (default $ACK_SYSTEMS_FAILOVER_LEASE, else none)
  --cluster-name <name>     this cluster's name in that lease      (default $ACK_SYSTEMS_CLUSTER_NAME; required with a lease)
  -h, --help                this text`;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const FLAGS = {
  'metrics-port': { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string' },
  identity: { type: 'string' },
  'lease-duration-ms': { type: 'string' },
  'renew-deadline-ms': { type: 'string' },
  'retry-period-ms': { type: 'string' },
  concurrency: { type: 'string' },
  'log-level': { type: 'string' },
  'failover-lease': { type: 'string' },
  'cluster-name': { type: 'string' },
} as const;

/**
 * The flags, checked; `undefined` when `--help` was asked for.
 * @throws UsageError with one line naming the flag and what it accepts
 */
export function parseOperatorFlags(args: readonly string[], env: NodeJS.ProcessEnv = process.env): OperatorFlags | undefined {
  const { help, values } = parseFlags(args, FLAGS);
  if (help) return undefined;
  const text = (flag: keyof typeof FLAGS, fallback: string) => (values[flag] as string | undefined) ?? fallback;
  const integer = (flag: keyof typeof FLAGS, fallback: number, min: number, max: number): number => {
    const given = text(flag, String(fallback));
    const value = Number(given);
    if (!/^-?\d+$/.test(given) || value < min || value > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${shown(given)}`);
    return value;
  };
  const logLevel = text('log-level', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${shown(logLevel)}`);
  const identity = text('identity', env.POD_NAME ?? `${hostname()}-${process.pid}`);
  const namespace = text('lease-namespace', env.POD_NAMESPACE ?? OPERATOR_NAME);
  const leaseName = text('lease-name', OPERATOR_NAME);
  const namespaceProblem = nameProblem(namespace, K8S_LABEL_NAME);
  if (namespaceProblem) throw new UsageError(`--lease-namespace ${shown(namespace)} is not a namespace name: lowercase letters, digits and dashes, at most 63`);
  if (nameProblem(leaseName, K8S_SUBDOMAIN_NAME)) throw new UsageError(`--lease-name ${shown(leaseName)} is not an object name: lowercase letters, digits, dashes and dots, at most 253`);
  if (/[\s\u0000-\u001f]/.test(identity) || identity.length > 253) throw new UsageError(`--identity ${shown(identity)} must be printable, without spaces, at most 253 characters`);

  const leaseDurationMs = integer('lease-duration-ms', 15000, 1000, 600_000);
  const renewDeadlineMs = integer('renew-deadline-ms', 10000, 500, 600_000);
  const retryPeriodMs = integer('retry-period-ms', 2000, 100, 600_000);
  const timingError = leaseTimingError(leaseDurationMs, renewDeadlineMs, retryPeriodMs);
  if (timingError) throw new UsageError(`--lease-duration-ms, --renew-deadline-ms, --retry-period-ms: ${timingError}`);

  // Flags win; else the per-cluster ConfigMap's values, which the chart passes as variables.
  const failoverLease = (values['failover-lease'] as string | undefined) ?? (env[OPERATOR_CLUSTER_CONFIG.env['failover-lease']] || undefined);
  const clusterName = (values['cluster-name'] as string | undefined) ?? (env[OPERATOR_CLUSTER_CONFIG.env['cluster-name']] || undefined);
  const lease = failoverLease === undefined ? undefined : /^([a-z]{2}(?:-gov)?-[a-z]+-\d)\/([A-Za-z0-9_.-]{3,255})$/.exec(failoverLease);
  if (failoverLease !== undefined && !lease) throw new UsageError(`--failover-lease must be <region>/<table>, e.g. us-west-2/ack-systems-failover, got ${shown(failoverLease)}`);
  if (lease && !clusterName) throw new UsageError('--failover-lease needs --cluster-name: the lease names its holder by cluster');
  if (clusterName !== undefined && nameProblem(clusterName, K8S_LABEL_NAME)) throw new UsageError(`--cluster-name ${shown(clusterName)} must be lowercase letters, digits and dashes, at most 63`);

  return {
    ...(lease ? { failoverLease: { region: lease[1], table: lease[2], holder: `${clusterName}/${identity}` } } : {}),
    metricsPort: integer('metrics-port', OPERATOR_METRICS_PORT, 0, 65535),
    identity,
    concurrency: parseConcurrency(values.concurrency as string | undefined),
    logLevel,
    leaderElection: values['leader-elect'] === false ? undefined : { namespace, name: leaseName, identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs },
  };
}

/** `--concurrency`: items `<n>` (every controller) or `<controller>=<n>`, applied in order. */
function parseConcurrency(given: string | undefined): Partial<Record<ControllerName, number>> {
  const concurrency: Partial<Record<ControllerName, number>> = {};
  for (const item of given?.split(',') ?? []) {
    const [name, count] = item.includes('=') ? item.split('=', 2) : [undefined, item];
    if (name !== undefined && !CONTROLLER_NAMES.includes(name as ControllerName)) {
      throw new UsageError(`--concurrency names an unknown controller ${shown(name)}; the controllers are ${CONTROLLER_NAMES.join(', ')}`);
    }
    const value = Number(count);
    if (!/^-?\d+$/.test(count) || value < 1 || value > 256) throw new UsageError(`--concurrency ${name ? `${name}=` : ''}<n> must be a whole number from 1 to 256, got ${shown(count)}`);
    for (const controller of name ? [name as ControllerName] : CONTROLLER_NAMES) concurrency[controller] = value;
  }
  return concurrency;
}
