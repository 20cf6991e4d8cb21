/**
 * Maintained tables of values AWS accepts (R-G9): engine versions, instance
 * classes, Lambda runtimes. Synth rejects anything else, naming the valid
 * choices, so a stale value fails here instead of in an ACK controller after
 * apply (seed 001: Aurora PostgreSQL "15.3" broke the whole deployment).
 *
 * Source: the RDS, Aurora, ElastiCache and Lambda release notes and
 * deprecation schedules, as of 2026-11. When AWS adds or retires a value,
 * change it here; tests pin the behaviour, not the lists.
 */

export type RdsEngine = 'aurora-postgresql' | 'aurora-mysql' | 'postgres' | 'mysql';

export interface RdsEngineSpec {
  readonly versions: readonly string[];
  /** Log types the engine can export to CloudWatch Logs. */
  readonly logExports: readonly string[];
  readonly port: number;
  /** Aurora engines are clusters of instances; the others are single instances. */
  readonly aurora: boolean;
}

export const RDS_ENGINES: Readonly<Record<RdsEngine, RdsEngineSpec>> = {
  'aurora-postgresql': {
    versions: ['14.12', '14.13', '14.15', '14.17', '14.18', '15.7', '15.8', '15.10', '15.12', '15.13', '16.4', '16.6', '16.8', '16.9', '17.4', '17.5'],
    logExports: ['postgresql'],
    port: 5432,
    aurora: true,
  },
  'aurora-mysql': {
    versions: ['8.0.mysql_aurora.3.05.2', '8.0.mysql_aurora.3.06.1', '8.0.mysql_aurora.3.07.1', '8.0.mysql_aurora.3.08.2', '8.0.mysql_aurora.3.09.0', '8.0.mysql_aurora.3.10.0'],
    logExports: ['audit', 'error', 'general', 'slowquery'],
    port: 3306,
    aurora: true,
  },
  postgres: {
    versions: ['14.17', '14.18', '14.19', '15.12', '15.13', '15.14', '16.8', '16.9', '16.10', '17.4', '17.5', '17.6'],
    logExports: ['postgresql', 'upgrade'],
    port: 5432,
    aurora: false,
  },
  mysql: {
    versions: ['8.0.40', '8.0.41', '8.0.42', '8.4.4', '8.4.5', '8.4.6'],
    logExports: ['audit', 'error', 'general', 'slowquery'],
    port: 3306,
    aurora: false,
  },
};

/** DB instance classes this project allows (Graviton, current generation). */
export const RDS_INSTANCE_CLASSES = [
  'db.t4g.micro', 'db.t4g.small', 'db.t4g.medium', 'db.t4g.large',
  'db.m7g.large', 'db.m7g.xlarge', 'db.m7g.2xlarge',
  'db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge',
  'db.r7g.large', 'db.r7g.xlarge', 'db.r7g.2xlarge',
] as const;

/** Instance classes Aurora does not offer. */
const NOT_FOR_AURORA = new Set(['db.t4g.micro', 'db.t4g.small', 'db.m7g.large', 'db.m7g.xlarge', 'db.m7g.2xlarge']);

/**
 * Why `version` is not a valid version of `engine`, naming the valid ones;
 * `undefined` when valid.
 * @param major only this major version is allowed here (and only it is suggested)
 */
export function engineVersionProblem(engine: RdsEngine, version: string, major?: string): string | undefined {
  const versions = RDS_ENGINES[engine].versions.filter((v) => major === undefined || v.split('.')[0] === major);
  if (versions.includes(version)) return undefined;
  if (major !== undefined) return `${engine} ${version} is not allowed here; valid ${major}.x: ${versions.join(', ')}`;
  const givenMajor = version.split('.')[0];
  const sameMajor = versions.filter((v) => v.split('.')[0] === givenMajor);
  return `${engine} ${version} is not an available version; valid ${sameMajor.length > 0 ? `${givenMajor}.x: ${sameMajor.join(', ')}` : `versions: ${versions.join(', ')}`}`;
}

export function instanceClassProblem(engine: RdsEngine, instanceClass: string): string | undefined {
  const allowed = RDS_INSTANCE_CLASSES.filter((c) => !RDS_ENGINES[engine].aurora || !NOT_FOR_AURORA.has(c));
  return (allowed as readonly string[]).includes(instanceClass) ? undefined : `${engine} instance class ${instanceClass} is not allowed; use one of ${allowed.join(', ')}`;
}

/**
 * Lambda runtimes. Deprecated ones are listed so that the error can say so
 * (and when), not just "unknown".
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const LAMBDA_RUNTIMES: Readonly<Record<string, { readonly deprecated?: string }>> = {
  'nodejs24.x': {},
  'nodejs22.x': {},
  'nodejs20.x': { deprecated: '2026-04-30' },
  'nodejs18.x': { deprecated: '2025-09-01' },
  'nodejs16.x': { deprecated: '2024-06-12' },
  'python3.14': {},
  'python3.13': {},
  'python3.12': {},
  'python3.11': {},
  'python3.10': { deprecated: '2026-06-30' },
  'python3.9': { deprecated: '2025-12-15' },
  'java25': {},
  'java21': {},
  'java17': {},
  'provided.al2023': {},
  'provided.al2': { deprecated: '2026-06-30' },
};

/** The project's functions (`functions/`) are Node.js: their runtimes must be. */
export const FUNCTION_RUNTIME_FAMILY = 'nodejs';

/**
 * Why `runtime` cannot be used, naming the ones that can; `undefined` when it can.
 * @param family only runtimes of this language are allowed (and suggested), e.g. `nodejs`
 */
export function lambdaRuntimeProblem(runtime: string, family?: string): string | undefined {
  const usable = Object.entries(LAMBDA_RUNTIMES)
    .filter(([name, r]) => !r.deprecated && (family === undefined || name.startsWith(family)))
    .map(([name]) => name);
  const entry = LAMBDA_RUNTIMES[runtime];
  if (usable.includes(runtime)) return undefined;
  const why = entry?.deprecated ? `is deprecated (since ${entry.deprecated})` : entry ? `is not a ${family} runtime` : 'is not a Lambda runtime';
  return `runtime ${runtime} ${why}; use one of ${usable.join(', ')}`;
}

/**
 * EC2 instance types for Auto Scaling groups (x86_64, current generation,
 * burstable for small tiers). The AMI's architecture must match.
 */
export const EC2_INSTANCE_TYPES = ['t3.micro', 't3.small', 't3.medium', 't3.large', 'm7i.large', 'm7i.xlarge', 'c7i.large', 'c7i.xlarge'] as const;

/** ElastiCache node types this project allows. */
export const CACHE_NODE_TYPES = ['cache.t4g.micro', 'cache.t4g.small', 'cache.t4g.medium', 'cache.m7g.large', 'cache.r7g.large', 'cache.r7g.xlarge'] as const;

/** Redis OSS engine versions ElastiCache offers for new replication groups. */
export const REDIS_VERSIONS = ['7.1', '7.0', '6.2'] as const;

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The Elastic Load Balancing account of each region opened before August 2022,
 * which writes load balancer access logs there; regions opened later use the
 * service principal `logdelivery.elasticloadbalancing.amazonaws.com` instead.
 * Source: Elastic Load Balancing user guide, "Enable access logs for your
 * Application Load Balancer", as of 2026-11.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-south-1': '718504428378',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-southeast-3': '589379963580',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-west-3': '009996457667',
  'eu-south-1': '635631232127',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
  'us-gov-west-1': '048591011584',
  'us-gov-east-1': '190560391635',
};

/**
 * Instance classes without Performance Insights (RDS user guide, "Amazon RDS
 * DB engine, Region, and instance class support for Performance Insights").
 */
const NO_PERFORMANCE_INSIGHTS = new Set(['db.t4g.micro', 'db.t4g.small']);

export function performanceInsightsSupported(instanceClass: string): boolean {
  return !NO_PERFORMANCE_INSIGHTS.has(instanceClass);
}

/**
 * The parameter that makes an engine refuse unencrypted connections, with the
 * value written exactly as `DescribeDB(Cluster)Parameters` reports it: ACK's
 * rds-controller compares parameter overrides as strings (v1.11.1
 * `pkg/resource/db_parameter_group/hooks.go`), so `"true"` for `"1"` would
 * never converge. All four are dynamic: applied without a reboot.
 */
export const FORCE_TLS_PARAMETER: Readonly<Record<RdsEngine, { readonly name: string; readonly value: string }>> = {
  postgres: { name: 'rds.force_ssl', value: '1' },
  'aurora-postgresql': { name: 'rds.force_ssl', value: '1' },
  mysql: { name: 'require_secure_transport', value: '1' },
  'aurora-mysql': { name: 'require_secure_transport', value: 'ON' },
};

/** The parameter group family of an engine version, e.g. `postgres15`, `aurora-postgresql16`, `aurora-mysql8.0`. */
export function parameterGroupFamily(engine: RdsEngine, version: string): string {
  const major = engine.endsWith('mysql') ? version.split('.').slice(0, 2).join('.') : version.split('.')[0];
  return `${engine}${major}`;
}

/** Fargate CPU units and the memory sizes (MiB) each allows (Amazon ECS developer guide, "Task CPU and memory"). */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: [4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384],
  4096: [8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 20480, 24576, 28672, 30720],
};

/** Why a CPU/memory pair is not a Fargate size, naming the sizes that are; undefined when it is. */
export function fargateSizeProblem(cpu: number, memoryMiB: number): string | undefined {
  const allowed = FARGATE_SIZES[cpu];
  if (!allowed) return `cpu ${cpu} is not a Fargate size; use one of ${Object.keys(FARGATE_SIZES).join(', ')}`;
  return allowed.includes(memoryMiB) ? undefined : `memoryMiB ${memoryMiB} is not allowed with cpu ${cpu}; use one of ${allowed.join(', ')}`;
}
