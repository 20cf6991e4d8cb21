/**
 * Configuration of system S5 `dr` (SPEC S5, seed 004): one payment system
 * serving from two regions, with its data replicated (Aurora global database,
 * DynamoDB global table, two-way S3 replication) and DNS failing over between
 * them (Route 53 health checks and failover records).
 */
import { z } from 'zod';
import { engineVersionProblem, FUNCTION_RUNTIME_FAMILY, lambdaRuntimeProblem, instanceClassProblem } from '../catalog';
import { nameProblem, K8S_LABEL_NAME } from '../naming';
import { cidrsOverlap, dnsNameProblem, HOSTED_ZONE_ID_PATTERN } from '../validation/aws';
import { availabilityZones, certificateArn, checked, ec2Id, functionCode, region, strictObject, tagMap, vpcCidr, wholeNumber } from './fields';
import { networkProblems } from './network';

/** Subnets of each region: isolated /24s for the database, one per zone (the function runs outside the VPC). */
export const DR_SUBNETS = { isolated: 24 } as const;

const hostedZoneId = z.string().regex(HOSTED_ZONE_ID_PATTERN, { error: 'expected a Route 53 hosted zone ID: Z followed by uppercase letters and digits' });

/** One region's side: its network, its function package and certificate, and what AWS assigns there. */
function side(defaultRegion: 'us-east-1' | 'us-east-2', role: string) {
  return strictObject({
    region: region.default(defaultRegion).meta({ description: `The ${role} region. @default ${defaultRegion}` }),
    network: strictObject({
      cidr: vpcCidr.meta({ description: 'The VPC\'s block: an isolated /24 per zone for the database.' }),
      availabilityZones: availabilityZones.meta({ description: 'At least two zones of the region (Aurora needs two).' }),
      vpcID: ec2Id('vpc').optional().meta({ description: 'The VPC\'s ID once created; enables flow logs. @default unset (synth warns)' }),
    }),
    code: functionCode.meta({ description: 'The payment function\'s package, in a bucket of this region (Lambda reads code from its own region).' }),
    certificateARN: certificateArn.meta({ description: 'An ACM certificate for dns.domainName in this region (each regional API has its own).' }),
    apiID: z
      .string()
      .regex(/^[a-z0-9]{10}$/, { error: 'expected an API Gateway API ID (10 lowercase letters and digits)' })
      .optional()
      .meta({ description: 'This region\'s API ID once created (outputs ConfigMap `apiID`): the health check calls its execute-api endpoint. @default unset (synth warns)' }),
    regionalTarget: strictObject({
      domainName: z.string().regex(/^d-[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/, { error: 'expected the API Gateway regional domain name, d-….execute-api.<region>.amazonaws.com' }),
      hostedZoneID: hostedZoneId,
    })
      .optional()
      .meta({
        description:
          'The custom domain\'s regional endpoint in this region, which AWS assigns and ACK does not report (`aws apigatewayv2 get-domain-name --region <region>`): the failover record points there. @default unset (synth warns)',
      }),
  });
}

export const drSchema = strictObject({
  tags: tagMap({ Project: undefined, Application: undefined, CostCenter: 'Operations', Criticality: 'High' }).meta({
    description: 'System tags, added to (and overriding) the environment\'s: Project, Application, CostCenter: Operations and Criticality: High (the seed\'s) are required.',
  }),
  primary: side('us-east-1', 'primary').meta({ description: 'The region that serves and takes writes.' }),
  dr: side('us-east-2', 'disaster-recovery').meta({ description: 'The region that takes over: a warm standby that serves too.' }),
  database: strictObject({
    engineVersion: checked((version) => engineVersionProblem('aurora-postgresql', version)).meta({ description: 'Aurora PostgreSQL version of both regions (R-G9; every version in the table supports global databases).' }),
    instanceClass: checked((instanceClass) => instanceClassProblem('aurora-postgresql', instanceClass)).meta({
      description: 'Instance class in both regions (AWS recommends memory-optimized classes for global databases; the promoted region must carry the load).',
    }),
    masterPasswordSecret: strictObject({
      name: checked((name) => nameProblem(name, K8S_LABEL_NAME)),
      key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: 'expected a Secret data key' }),
    }).meta({
      description:
        'Kubernetes Secret in the system\'s namespace holding the master password (only referenced, R-G8): AWS-managed passwords are not supported for global databases. Create it before applying (docs/systems/dr.md).',
    }),
  }),
  globalTable: strictObject({
    drKeyARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, { error: 'expected a KMS key ARN: arn:aws:kms:<region>:<account>:key/<uuid>' })
      .optional()
      .meta({
        description:
          'The DR region\'s data key ARN once created (outputs ConfigMap `drDataKeyARN`): the table\'s replica is encrypted with it, and ACK compares it verbatim. @default unset (no replica yet; synth warns)',
      }),
  }),
  dns: strictObject({
    domainName: checked((name) => dnsNameProblem('domainName', name)).meta({ description: 'The name clients call, e.g. api.dr-payments.example.com; both regional APIs answer to it.' }),
    hostedZone: strictObject({
      name: checked((name) => dnsNameProblem('name', name)).meta({ description: 'The public zone domainName lies in, e.g. dr-payments.example.com.' }),
      id: hostedZoneId.optional().meta({ description: 'An existing zone to adopt (most organisations have one). @default unset: the zone is created' }),
    }),
    healthCheckIDs: strictObject({
      primary: z.uuid({ error: 'expected a Route 53 health check ID (a UUID)' }).optional(),
      dr: z.uuid({ error: 'expected a Route 53 health check ID (a UUID)' }).optional(),
    })
      .optional()
      .meta({ description: 'The health checks\' IDs once created (outputs ConfigMap primaryHealthCheckID, secondaryHealthCheckID): their alarms need them. @default unset (synth warns)' }),
    healthCheck: strictObject({
      path: z.string().regex(/^\/[\w./-]*$/, { error: 'expected a path starting with /' }).default('/health').meta({ description: '@default /health' }),
      intervalSeconds: z.union([z.literal(10), z.literal(30)], { error: 'expected 10 or 30 (Route 53 offers only these; 10 costs more)' }).default(30).meta({ description: '@default 30' }),
      failureThreshold: wholeNumber(1, 10).default(3).meta({ description: 'Failed checks in a row before an endpoint counts as down. @default 3' }),
    }).default({ path: '/health', intervalSeconds: 30, failureThreshold: 3 }),
  }),
  failover: strictObject({
    automatic: z.boolean({ error: 'expected true or false' }).default(false).meta({ description: 'Whether the failover controller fails over without a person when the primary fails its checks. @default false' }),
    allowDataLoss: z.boolean({ error: 'expected true or false' }).default(false).meta({ description: 'Whether an unplanned database failover may lose the writes not yet replicated. @default false' }),
    failureThreshold: wholeNumber(1, 100).default(3).meta({ description: 'Failed probe rounds (10 s apart) before the primary counts as down. @default 3' }),
    cooldownSeconds: wholeNumber(0, 604800).default(3600).meta({ description: 'Least time between two automatic failovers. @default 3600' }),
  })
    .default({ automatic: false, allowDataLoss: false, failureThreshold: 3, cooldownSeconds: 3600 })
    .meta({ description: 'The FailoverGroup policy the chart writes for the operator (docs/operator.md).' }),
  lambda: strictObject({
    runtime: checked((runtime) => lambdaRuntimeProblem(runtime, FUNCTION_RUNTIME_FAMILY)).meta({ description: 'A current Node.js runtime of the payment function in both regions (R-G9).' }),
  }),
  alarms: strictObject({
    auroraReplicationLagMs: wholeNumber(100, 3_600_000).meta({ description: 'Aurora global replication lag (ms, DR region) that pages.' }),
    databaseCpuPercent: wholeNumber(1, 100).meta({ description: 'CPU of a region\'s database cluster that pages (alarmed in both regions: a promoted cluster inherits no alarms).' }),
    s3ReplicationLatencySeconds: wholeNumber(60, 86_400).meta({ description: 'S3 replication latency (s) that pages (RTC promises 15 minutes).' }),
    dynamoReplicationLatencyMs: wholeNumber(100, 3_600_000).meta({ description: 'DynamoDB replication latency (ms) that pages.' }),
    lambdaErrors: wholeNumber(1, 100000).meta({ description: 'Errors of a region\'s function per 5 minutes.' }),
  }),
}).superRefine((dr, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (dr.primary.region === dr.dr.region) issue(['dr', 'region'], `must differ from primary.region ("${dr.primary.region}"): a second copy in the same region survives no regional outage`);
  if (cidrsOverlap(dr.primary.network.cidr, dr.dr.network.cidr)) issue(['dr', 'network', 'cidr'], `overlaps primary.network.cidr ${dr.primary.network.cidr.text}; the two VPCs need disjoint blocks (to peer them later)`);
  for (const key of ['primary', 'dr'] as const) {
    const s = dr[key];
    if (s.network.availabilityZones.length < 2) issue([key, 'network', 'availabilityZones'], 'name at least two zones: an Aurora subnet group needs two');
    for (const { path, message } of networkProblems(s.network, s.region, DR_SUBNETS)) issue([key, ...path], message);
    const certificateRegion = s.certificateARN.split(':')[3];
    if (certificateRegion !== s.region) issue([key, 'certificateARN'], `is in ${certificateRegion}; ${key}'s API is in ${s.region} and needs a certificate there`);
    if (s.regionalTarget && !s.regionalTarget.domainName.includes(`.execute-api.${s.region}.`)) issue([key, 'regionalTarget', 'domainName'], `is not an endpoint in ${s.region}`);
  }
  const keyRegion = dr.globalTable.drKeyARN?.split(':')[3];
  if (keyRegion !== undefined && keyRegion !== dr.dr.region) issue(['globalTable', 'drKeyARN'], `is a key in ${keyRegion}; the replica in ${dr.dr.region} needs a key of its own region`);
  const zone = dr.dns.hostedZone.name.replace(/\.$/, '');
  if (!dr.dns.domainName.endsWith(`.${zone}`)) issue(['dns', 'domainName'], `must be a name inside hostedZone.name ${zone}, e.g. api.${zone}`);
});

export type DrConfig = z.output<typeof drSchema>;
