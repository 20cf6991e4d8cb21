/**
 * S5 `dr`: one payment system serving from two regions (SPEC S5, seed 004).
 * Everything the seed only "prepared" is configured: the Aurora global
 * database, the DynamoDB global table, two-way S3 replication with its role,
 * and Route 53 failover with a health check per region. Both regions run the
 * payment function and its API, so a lost region leaves a warm one serving.
 *
 * Named for the failover controller that will act on it: every regional
 * object carries `DRRole` (primary or dr), and the outputs name each member.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { EnvironmentConfig } from '../lib/config/environment';
import type { DrConfig } from '../lib/config/dr';
import { FUNCTION_HANDLER, functionPackage } from '../functions/build';
import { TRAFFIC_CONTROL_METRIC, TRAFFIC_CONTROL_NAMESPACE } from '../operator/aws/traffic-control';
import { LOST_WRITES_COPY_PREFIX } from '../operator/aws/global-database';
import { FAILOVER_GROUP_TYPE, failoverGroupGitSpecSchema, type failoverGroupSpecSchema } from '../operator/failover-group/crd';
import { Tags } from '../lib/tags/tags';
import { addWarning } from '../lib/warnings';
import type { AwsRegion } from '../lib/validation/aws';
import { AuroraGlobalDatabase } from './constructs/aurora-global-database';
import { arn } from './constructs/aws-context';
import { dataProtectionFor, type DataProtection } from './constructs/database';
import { FailoverDns, type FailoverEndpoint } from './constructs/failover-dns';
import { defer, lateBound, valueOf, type DeferredInput } from './constructs/late-binding';
import { HttpApi } from './constructs/http-api';
import { acknowledge } from './constructs/acknowledge';
import { Role } from './constructs/iam';
import { OperatorPolicy } from './constructs/operator-policy';
import { KmsKey } from './constructs/kms-key';
import { LambdaFunction } from './constructs/lambda-function';
import { Alarm, AlarmTopic, Dashboard, type GraphWidget, type Metric } from './constructs/monitoring';
import { Network } from './constructs/network';
import { RegionScope } from './constructs/region-scope';
import { SecureBucket } from './constructs/secure-bucket';
import { Peer } from './constructs/security-group';
import { SystemOutputs } from './constructs/system-outputs';
import { Table } from './constructs/table';
import { SystemChart } from './system-chart';

type RegionRole = 'primary' | 'dr';
const ROUTE53_REGION: AwsRegion = 'us-east-1';

interface DrRegionProps {
  readonly role: RegionRole;
  /** The global table's name, the same in every region. */
  readonly tableName: string;
  readonly side: DrConfig['primary'];
  readonly environment: EnvironmentConfig;
  readonly config: DrConfig;
  readonly protection: DataProtection;
}

/** What each region runs: its key, network, bucket, payment function and API, and alarm topic. */
class DrRegion extends RegionScope {
  readonly role: RegionRole;
  readonly key: KmsKey;
  readonly network: Network;
  readonly bucket: SecureBucket;
  readonly handler: LambdaFunction;
  readonly api: HttpApi;
  readonly topic: AlarmTopic;

  constructor(scope: Construct, props: DrRegionProps) {
    const { role, side, environment, config, protection, tableName } = props;
    super(scope, role === 'primary' ? 'Primary' : 'Dr', { region: side.region });
    this.role = role;
    Tags.of(this).add('DRRole', role);
    const suffix = environment.environmentSuffix;
    const settings = environment.settings;
    this.key = new KmsKey(this, 'DataKey', {
      name: `${role}-data`,
      alias: `alias/dr-${role}-data-${suffix}`,
      description: `DR ${role} region: database, table replica, bucket, logs, alarm topic and function environment`,
      users: ['rds', 'dynamodb', 's3', 'logs', 'cloudwatch', 'sns', 'lambda'],
    });
    this.network = new Network(this, 'Network', {
      name: role,
      cidr: side.network.cidr.text,
      availabilityZones: side.network.availabilityZones,
      // Only the database lives in the VPC: isolated subnets, no route out.
      subnets: { isolated: 24 },
      flowLogs: { retentionDays: settings.logRetentionDays, encryptionKey: this.key },
      vpcId: side.network.vpcID,
      vpcIdConfigPath: `systems.dr.${role}.network.vpcID`,
      flowLogRoleName: `${environment.name}-dr-${role}-flow-logs-role-${suffix}`,
    });
    this.bucket = new SecureBucket(this, 'Bucket', {
      name: `${role}-documents`,
      nameParts: ['dr', environment.name, role, 'documents'],
      encryptionKey: this.key,
      lifecycleRules: [{ id: 'noncurrent', noncurrentExpirationDays: 90 }],
      protection,
    });
    this.handler = new LambdaFunction(this, 'Handler', {
      name: `${role}-payment-processor`,
      roleName: `${environment.name}-dr-${role}-lambda-role-${suffix}`,
      runtime: config.lambda.runtime,
      handler: FUNCTION_HANDLER,
      code: { s3Bucket: side.code.s3Bucket, ...functionPackage('payment-api') },
      memoryMB: 512,
      timeoutSeconds: 30,
      reservedConcurrency: settings.lambdaReservedConcurrency,
      logRetentionDays: settings.logRetentionDays,
      encryptionKey: this.key,
      // It talks only to DynamoDB (IAM-authenticated HTTPS): outside a VPC it needs no NAT gateway or endpoint in either region.
      environment: { TABLE_NAME: tableName, ENVIRONMENT: environment.name, DR_ROLE: role },
    });
    this.api = new HttpApi(this, 'Api', {
      name: `${role}-payment-api`,
      description: `Payment API, DR ${role} region (${environment.name})`,
      routes: [
        { method: 'POST', path: '/payment', handler: this.handler },
        { method: 'GET', path: '/payment/{id}', handler: this.handler },
        { method: 'GET', path: config.dns.healthCheck.path, handler: this.handler },
      ],
      accessLogRetentionDays: settings.logRetentionDays,
      encryptionKey: this.key,
      apiId: side.apiID,
      // Both regions answer to the one name; the failover records are the chart's.
      customDomain: { domainName: config.dns.domainName, certificateArn: side.certificateARN },
    });
    this.topic = new AlarmTopic(this, 'AlarmTopic', { name: `${role}-alarms`, encryptionKey: this.key, subscriptions: environment.alarmSubscriptions });
  }
}

/** What the FailoverGroup names, from the rest of the chart. */
interface FailoverMembers {
  readonly database: AuroraGlobalDatabase;
  readonly dns: FailoverDns;
  readonly controls: Record<'primary' | 'secondary', { readonly control: string }>;
  readonly handlerAlarms: Record<'primary' | 'secondary', Alarm>;
  readonly table: Table;
  readonly buckets: Record<'primary' | 'secondary', SecureBucket>;
}

export class DrChart extends SystemChart {
  constructor(scope: Construct, environment: EnvironmentConfig) {
    const config = environment.systems.dr;
    super(scope, { environment, system: 'dr', region: config.primary.region, tags: config.tags });
    // The seed's `Environment=DR` marker: `Environment` stays the environment's name (R-G3, the
    // same key across systems for cost and policy), so the marker is a tag of its own.
    Tags.of(this).add('DisasterRecovery', 'true');
    const protection = dataProtectionFor(environment);
    const tableName = `payment-transactions-${environment.environmentSuffix}`;
    const primary = new DrRegion(this, { role: 'primary', side: config.primary, environment, config, protection, tableName });
    const dr = new DrRegion(this, { role: 'dr', side: config.dr, environment, config, protection, tableName });
    const regions = [primary, dr] as const;

    const database = new AuroraGlobalDatabase(this, 'Database', {
      name: 'payments-global',
      engineVersion: config.database.engineVersion,
      instanceClass: config.database.instanceClass,
      databaseName: 'payments',
      masterPassword: config.database.masterPasswordSecret,
      primary: { region: primary.region, network: primary.network, encryptionKey: primary.key, clients: [{ peer: Peer.ipv4(config.primary.network.cidr.text), description: 'PostgreSQL from the primary VPC' }] },
      secondary: { region: dr.region, network: dr.network, encryptionKey: dr.key, clients: [{ peer: Peer.ipv4(config.dr.network.cidr.text), description: 'PostgreSQL from the DR VPC' }] },
      backupRetentionDays: environment.settings.backupRetentionDays,
      protection,
    });
    for (const cluster of [database.primary, database.secondary]) {
      acknowledge(cluster.cluster, 'ACKS-REF-002', 'the VPC holds only the database\'s isolated subnets (the payment functions run outside it), so its block is the narrowest client range known; name the clients\' security group when something in the VPC connects');
    }

    // The replica's key ARN is AWS's: from config, or (late binding) from the DR key's status; ACK compares it verbatim.
    const drKey = { name: 'drKey', object: dr.key.resource };
    const lateReplicaKey = !config.globalTable.drKeyARN && lateBound(this);
    const replicaKey = config.globalTable.drKeyARN ?? (lateReplicaKey ? valueOf(drKey, 'status.ackResourceMetadata.arn') : undefined);
    const table = new Table(primary, 'Table', {
      name: 'payment-transactions',
      tableName,
      partitionKey: { name: 'transactionId', type: 'S' },
      sortKey: { name: 'timestamp', type: 'N' },
      stream: 'NEW_AND_OLD_IMAGES',
      encryptionKey: primary.key,
      replicas: replicaKey ? [{ region: dr.region, kmsKeyArn: replicaKey }] : [],
      protection,
    });
    if (lateReplicaKey) defer(table.resource, [drKey]);
    if (!replicaKey) {
      addWarning(table, 'DR-TABLE-REPLICA-PENDING', `the table has no replica in ${dr.region} until the DR data key's ARN is in config (globalTable.drKeyARN, outputs ConfigMap drDataKeyARN): ACK compares the replica's key verbatim`);
    }
    for (const region of regions) table.grantReadWrite(region.handler, region.region);

    // Two-way replication: writes made in the DR region during a failover come back on failback.
    for (const [from, to] of [
      [primary, dr],
      [dr, primary],
    ] as const) {
      const role = new Role(from, 'ReplicationRole', {
        name: `${from.role}-replication`,
        roleName: `${environment.name}-dr-${from.role}-to-${to.role}-replication-${environment.environmentSuffix}`,
        description: `S3 replication of the DR ${from.role} bucket into the ${to.role} bucket`,
        assumedBy: 's3.amazonaws.com',
      });
      from.bucket.replicateTo(to.bucket, { role, ruleId: `to-${to.role}`, replicaModifications: true });
    }

    // Each side's record follows an alarm the failover controller feeds (research dr.md §4, §7).
    const controls = Object.fromEntries(
      regions.map((region) => {
        const side = region.role === 'primary' ? 'primary' : 'secondary';
        const control = `${environment.name}-dr-${side}`;
        const alarm = new Alarm(region, 'TrafficControlAlarm', {
          name: `${region.role}-traffic-control`,
          description: `The failover controller took the ${region.role} region (${region.region}) out of DNS: traffic goes to the other region`,
          metric: { namespace: TRAFFIC_CONTROL_NAMESPACE, metricName: TRAFFIC_CONTROL_METRIC, dimensions: { Control: control }, statistic: 'Minimum', periodSeconds: 60 },
          threshold: 1,
          comparison: 'LessThanThreshold',
          evaluationPeriods: 1,
          // Nothing published (no operator yet, or a stopped one): the health check keeps its last status.
          treatMissingData: 'missing',
          topic: region.topic,
        });
        return [side, { control, alarmName: alarm.alarmName, region: region.region }];
      }),
    ) as Record<'primary' | 'secondary', { control: string; alarmName: string; region: string }>;

    const endpoints = { primary: endpoint(config.primary, primary, config.dns.domainName), secondary: endpoint(config.dr, dr, config.dns.domainName) };
    const dns = new FailoverDns(this, 'Dns', {
      trafficControl: controls,
      name: 'payment-api',
      recordName: config.dns.domainName,
      zoneName: config.dns.hostedZone.name,
      hostedZoneId: config.dns.hostedZone.id,
      primary: endpoints.primary,
      secondary: endpoints.secondary,
      healthCheckPath: config.dns.healthCheck.path,
      intervalSeconds: config.dns.healthCheck.intervalSeconds,
      failureThreshold: config.dns.healthCheck.failureThreshold,
    });
    if (dns.pending.length > 0) {
      addWarning(
        dns,
        'DR-FAILOVER-DNS-PENDING',
        `${config.dns.domainName} has no failover records until both regions' API IDs and regional targets are in config (missing: ${dns.pending.map((p) => p.replace('secondary', 'dr').replace('healthCheckHost', 'apiID').replace('aliasTarget', 'regionalTarget')).join(', ')})`,
      );
    }

    const handlerAlarms = this.alarms(config, primary, dr, database, table, dns.healthChecks);
    this.failoverGroup(config, { database, dns, controls, handlerAlarms, table, buckets: { primary: primary.bucket, secondary: dr.bucket } });
    // The domains whose regional target the operator looks up (late binding).
    const lookups = Object.values(endpoints).flatMap((e) => e.inputs?.aliasTarget ?? []).flatMap((input) => ('apiGatewayDomainName' in input ? [input.apiGatewayDomainName] : []));
    this.failoverOperatorRole(primary, dr, database, handlerAlarms, lookups);

    const outputs = new SystemOutputs(this, 'Outputs', {
      name: 'dr-outputs',
      staticValues: {
        primaryRegion: primary.region,
        drRegion: dr.region,
        globalClusterIdentifier: database.globalClusterIdentifier,
        primaryClusterIdentifier: database.primary.identifier,
        drClusterIdentifier: database.secondary.identifier,
        tableName: table.tableName,
        domainName: config.dns.domainName,
        primaryBucketName: primary.bucket.bucketName,
        drBucketName: dr.bucket.bucketName,
      },
    });
    const arnOf = '.status.ackResourceMetadata.arn';
    outputs.exportField('globalClusterARN', database.globalCluster, arnOf);
    outputs.exportField('hostedZoneID', dns.hostedZone, '.status.id');
    for (const region of regions) {
      outputs.exportField(`${region.role}VpcID`, region.network.vpc, '.status.vpcID');
      outputs.exportField(`${region.role}ApiID`, region.api.api, '.status.apiID');
      outputs.exportField(`${region.role}DataKeyARN`, region.key.resource, arnOf);
      outputs.exportField(`${region.role}ClusterEndpoint`, (region === primary ? database.primary : database.secondary).cluster, '.status.endpoint');
    }
    for (const [role, check] of Object.entries(dns.healthChecks)) if (check) outputs.exportField(`${role}HealthCheckID`, check, '.status.id');
  }

  /**
   * The FailoverGroup the operator acts on: this system's members in both
   * regions, and the policy from config. A side's health: its API's probe and
   * Route 53 check (once the API ID is known), its payment function's error
   * alarm, its database cluster, bucket and table (replica); the traffic
   * control checks are the operator's own output, never its input.
   */
  private failoverGroup(config: DrConfig, members: FailoverMembers): void {
    const { database, dns, controls, handlerAlarms, table, buckets } = members;
    // The DR side reads the table's replica, which exists once its key is known.
    const replicated = config.globalTable.drKeyARN !== undefined || lateBound(this);
    const side = (role: 'primary' | 'secondary', regionConfig: DrConfig['primary']): z.input<typeof failoverGroupSpecSchema>['primary'] => ({
      region: regionConfig.region,
      dbCluster: { name: (role === 'primary' ? database.primary : database.secondary).cluster.name },
      ...(dns.records ? { recordSet: { name: dns.records[role].name } } : {}),
      ...(dns.healthChecks[role] ? { healthCheck: { name: dns.healthChecks[role].name } } : {}),
      trafficControl: controls[role].control,
      probes: regionConfig.apiID ? [{ url: `https://${regionConfig.apiID}.execute-api.${regionConfig.region}.amazonaws.com${config.dns.healthCheck.path}` }] : [],
      alarms: [{ name: handlerAlarms[role].resource.name }],
      tables: role === 'primary' || replicated ? [{ name: table.resource.name }] : [],
      buckets: [{ name: buckets[role].resource.name }],
    });
    const spec: z.input<typeof failoverGroupSpecSchema> = {
      primary: side('primary', config.primary),
      secondary: side('secondary', config.dr),
      globalCluster: { name: database.globalCluster.name },
      policy: {
        failover: config.failover.automatic ? 'Automatic' : 'Manual',
        failureThreshold: config.failover.failureThreshold,
        cooldownSeconds: config.failover.cooldownSeconds,
        allowDataLoss: config.failover.allowDataLoss,
      },
    };
    new ApiObject(this, 'FailoverGroup', {
      apiVersion: `${FAILOVER_GROUP_TYPE.group}/${FAILOVER_GROUP_TYPE.version}`,
      kind: FAILOVER_GROUP_TYPE.kind,
      metadata: { name: 'payments' },
      spec: failoverGroupGitSpecSchema.parse(spec),
    });
  }

  /**
   * What the failover controller may do in this account, exactly: read the
   * global database, switch or fail it over to one of its two members, find
   * and keep an unplanned failover's snapshot, read its health inputs (the
   * endpoint checks, the function alarms, the replication lag), and publish
   * the traffic-control metric, and look up the regional targets of the
   * domains its late-bound records need. Assumed through EKS Pod Identity by
   * the operator's ServiceAccount (docs/operator.md).
   */
  private failoverOperatorRole(
    primary: DrRegion,
    dr: DrRegion,
    database: AuroraGlobalDatabase,
    handlerAlarms: Record<'primary' | 'secondary', Alarm>,
    lookups: readonly { readonly region: string; readonly domainName: string }[],
  ): void {
    const environment = this.environment;
    const role = new Role(primary, 'FailoverOperatorRole', {
      name: 'failover-operator',
      roleName: `${environment.name}-dr-failover-operator-${environment.environmentSuffix}`,
      description: 'ack-systems operator in this account: FailoverGroup actions on the DR system, and each system\'s operator policy',
      assumedBy: 'pods.eks.amazonaws.com',
      assumeActions: ['sts:AssumeRole', 'sts:TagSession'],
    });
    const globalArn = arn(primary, 'rds', `global-cluster:${database.globalClusterIdentifier}`, { region: '' });
    role.addToPolicy({ actions: ['rds:DescribeGlobalClusters'], resources: ['*'] });
    role.addToPolicy({ actions: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'], resources: [globalArn, database.primary.arn, database.secondary.arn] });
    // After an unplanned failover: find the old primary's snapshot holding the writes not replicated, and keep a manual copy.
    const clusters = [database.primary, database.secondary];
    const snapshot = (cluster: (typeof clusters)[number], prefix: string) => cluster.arn.replace(/:cluster:.*$/, `:cluster-snapshot:${prefix}*`);
    const snapshots = (prefix: string) => clusters.map((cluster) => snapshot(cluster, prefix));
    role.addToPolicy({ actions: ['rds:DescribeDBClusterSnapshots'], resources: clusters.flatMap((cluster) => [cluster.arn, snapshot(cluster, 'rds:unplanned-global-failover-')]) });
    role.addToPolicy({ actions: ['rds:CopyDBClusterSnapshot'], resources: [...snapshots('rds:unplanned-global-failover-'), ...snapshots(LOST_WRITES_COPY_PREFIX)] });
    role.addToPolicy({ actions: ['rds:AddTagsToResource'], resources: snapshots(LOST_WRITES_COPY_PREFIX) });
    // The copy stays encrypted with its region's data key: RDS uses the key on the caller's behalf.
    for (const region of [primary, dr]) region.key.grantServiceUse(role, 'rds');
    const ids = environment.systems.dr.dns.healthCheckIDs;
    const checks = ids?.primary && ids.dr ? [ids.primary, ids.dr] : ['*'];
    role.addToPolicy({ actions: ['route53:GetHealthCheckStatus'], resources: checks.map((id) => arn(primary, 'route53', `healthcheck/${id}`, { region: '', account: '' })) });
    role.addToPolicy({ actions: ['cloudwatch:DescribeAlarms'], resources: [primary, dr].map((region, i) => arn(region, 'cloudwatch', `alarm:${handlerAlarms[i === 0 ? 'primary' : 'secondary'].alarmName}`)) });
    role.addToPolicy({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] });
    role.addToPolicy({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': TRAFFIC_CONTROL_NAMESPACE } } });
    // What the operator does for the other systems of this environment (the ACK-gap kinds): their policies, by ARN.
    role.attachPolicies(() => OperatorPolicy.arnsIn(this));
    // DeferredObjects' AWS lookups: read the custom domain's regional target, nothing else of API Gateway.
    if (lookups.length > 0) role.addToPolicy({ actions: ['apigateway:GET'], resources: lookups.map(({ region, domainName }) => arn(primary, 'apigateway', `/domainnames/${domainName}`, { region, account: '' })) });
  }

  /**
   * Alarms where their metrics are: replication lag in the region that
   * receives, DNS health in us-east-1. Returns each side's payment-function
   * error alarm, a health input of the FailoverGroup.
   */
  private alarms(config: DrConfig, primary: DrRegion, dr: DrRegion, database: AuroraGlobalDatabase, table: Table, checks: FailoverDns['healthChecks']): Record<'primary' | 'secondary', Alarm> {
    const lag: Metric = { namespace: 'AWS/RDS', metricName: 'AuroraGlobalDBReplicationLag', dimensions: { DBClusterIdentifier: database.secondary.identifier }, statistic: 'Maximum', periodSeconds: 60 };
    // Aurora reports global replication lag only in secondary regions.
    new Alarm(dr, 'DatabaseLagAlarm', {
      name: 'global-db-replication-lag',
      description: `Aurora global replication lag in ${dr.region} at or above ${config.alarms.auroraReplicationLagMs} ms: a failover now would lose that much`,
      metric: lag,
      threshold: config.alarms.auroraReplicationLagMs,
      evaluationPeriods: 5,
      treatMissingData: 'breaching',
      topic: dr.topic,
    });
    const widgets: GraphWidget[] = [{ title: `Aurora global replication lag (${dr.region})`, metrics: [lag], region: dr.region }];
    for (const [from, to] of [
      [primary, dr],
      [dr, primary],
    ] as const) {
      const dimensions = { SourceBucket: from.bucket.bucketName, DestinationBucket: to.bucket.bucketName, RuleId: `to-${to.role}` };
      const latency: Metric = { namespace: 'AWS/S3', metricName: 'ReplicationLatency', dimensions, statistic: 'Maximum' };
      const failed: Metric = { namespace: 'AWS/S3', metricName: 'OperationsFailedReplication', dimensions, statistic: 'Sum' };
      new Alarm(from, 'BucketReplicationLatencyAlarm', {
        name: `${from.role}-bucket-replication-latency`,
        description: `S3 replication ${from.region} → ${to.region} slower than ${config.alarms.s3ReplicationLatencySeconds} s: objects are missing in ${to.region}`,
        metric: latency,
        threshold: config.alarms.s3ReplicationLatencySeconds,
        // S3 publishes replication metrics only while there is traffic.
        treatMissingData: 'ignore',
        topic: from.topic,
      });
      new Alarm(from, 'BucketReplicationFailedAlarm', {
        name: `${from.role}-bucket-replication-failed`,
        description: `S3 replication ${from.region} → ${to.region} failed for some objects: they will not be replicated without a batch replication job`,
        metric: failed,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: 'ignore',
        topic: from.topic,
      });
      widgets.push({ title: `S3 replication ${from.region} → ${to.region}`, metrics: [latency, failed], region: from.region });
    }
    if (config.globalTable.drKeyARN) {
      const latency: Metric = { namespace: 'AWS/DynamoDB', metricName: 'ReplicationLatency', dimensions: { TableName: table.tableName, ReceivingRegion: dr.region } };
      new Alarm(primary, 'TableReplicationAlarm', {
        name: 'table-replication-latency',
        description: `DynamoDB replication ${primary.region} → ${dr.region} at or above ${config.alarms.dynamoReplicationLatencyMs} ms`,
        metric: latency,
        threshold: config.alarms.dynamoReplicationLatencyMs,
        topic: primary.topic,
      });
      widgets.push({ title: `DynamoDB replication ${primary.region} → ${dr.region}`, metrics: [latency], region: primary.region });
    }
    for (const [region, cluster] of [
      [primary, database.primary],
      [dr, database.secondary],
    ] as const) {
      const cpu: Metric = { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: { DBClusterIdentifier: cluster.identifier } };
      new Alarm(region, 'DatabaseCpuAlarm', {
        name: `${region.role}-db-cpu`,
        description: `Database CPU in ${region.region} at or above ${config.alarms.databaseCpuPercent}% for 10 minutes: check slow queries, or scale the class in both regions`,
        metric: cpu,
        threshold: config.alarms.databaseCpuPercent,
        topic: region.topic,
      });
      widgets.push({ title: `Database CPU in ${region.region}`, metrics: [cpu], region: region.region });
    }
    const handlerAlarms = {} as Record<'primary' | 'secondary', Alarm>;
    for (const region of [primary, dr]) {
      const errors: Metric = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: region.handler.functionName }, statistic: 'Sum' };
      handlerAlarms[region === primary ? 'primary' : 'secondary'] = new Alarm(region, 'HandlerErrorsAlarm', {
        name: `${region.role}-handler-errors`,
        description: `Payment function errors in ${region.region} at or above ${config.alarms.lambdaErrors} per 5 minutes`,
        metric: errors,
        threshold: config.alarms.lambdaErrors,
        evaluationPeriods: 1,
        topic: region.topic,
      });
      widgets.push({ title: `Payment function in ${region.region}`, metrics: [{ ...errors, metricName: 'Invocations' }, errors], region: region.region });
    }
    const dashboardInputs = this.healthAlarms(config, primary, checks, widgets);
    const dashboard = new Dashboard(primary, 'Dashboard', { name: 'dr-dashboard', widgets });
    if (dashboardInputs.length > 0) defer(dashboard.resource, dashboardInputs);
    return handlerAlarms;
  }

  /**
   * Route 53 publishes `HealthCheckStatus` only in us-east-1, and an alarm can
   * notify only a topic of its own region: the alarms need the health checks'
   * IDs (AWS assigns them) and a primary in us-east-1.
   */
  private healthAlarms(config: DrConfig, primary: DrRegion, checks: FailoverDns['healthChecks'], widgets: GraphWidget[]): DeferredInput[] {
    const configured = config.dns.healthCheckIDs;
    // Late binding: each check's ID from its status, once Route 53 has assigned it.
    const inputs = { primary: { name: 'primaryCheck', object: checks.primary! }, dr: { name: 'drCheck', object: checks.secondary! } };
    const late = !(configured?.primary && configured.dr) && lateBound(this) && checks.primary !== undefined && checks.secondary !== undefined;
    const ids = late ? { primary: valueOf(inputs.primary, 'status.id'), dr: valueOf(inputs.dr, 'status.id') } : configured;
    if (!ids?.primary || !ids.dr) {
      addWarning(this, 'DR-HEALTH-ALARM-PENDING', 'the health checks have no alarms until their IDs are in config (dns.healthCheckIDs, outputs ConfigMap primaryHealthCheckID / secondaryHealthCheckID)');
      return [];
    }
    if (primary.region !== ROUTE53_REGION) {
      addWarning(this, 'DR-HEALTH-ALARM-PENDING', `health-check alarms live in ${ROUTE53_REGION} with their topic; with the primary in ${primary.region} none is written`);
      return [];
    }
    for (const [role, id] of Object.entries(ids) as ['primary' | 'dr', string][]) {
      const status: Metric = { namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimensions: { HealthCheckId: id }, statistic: 'Minimum', periodSeconds: 60 };
      const alarm = new Alarm(primary, `${role}HealthAlarm`, {
        name: `${role}-endpoint-unhealthy`,
        description: `The ${role} region's API fails its Route 53 health check: ${role === 'primary' ? 'DNS now answers with the DR region' : 'a failover would have nowhere to go'}`,
        metric: status,
        threshold: 1,
        comparison: 'LessThanThreshold',
        evaluationPeriods: 2,
        treatMissingData: 'breaching',
        topic: primary.topic,
      });
      if (late) defer(alarm.resource, [inputs[role]]);
      widgets.push({ title: `Health check, ${role} (Route 53, ${ROUTE53_REGION})`, metrics: [status], region: ROUTE53_REGION });
    }
    return late ? [inputs.primary, inputs.dr] : [];
  }
}

/**
 * What AWS has assigned for one region: the health check calls its
 * execute-api host, the record points at its domain's regional target. From
 * config when set; else, with late binding, from the API's status and an AWS
 * lookup of the domain (ACK's DomainName reports no target).
 */
function endpoint(side: DrConfig['primary'], region: DrRegion, domainName: string): FailoverEndpoint {
  const late = lateBound(region);
  const api = { name: 'api', object: region.api.api };
  const domain = { name: 'domain', apiGatewayDomainName: { region: side.region, domainName } };
  const lateHost = !side.apiID && late;
  const lateTarget = !side.regionalTarget && late;
  return {
    healthCheckHost: side.apiID ? `${side.apiID}.execute-api.${side.region}.amazonaws.com` : lateHost ? `${valueOf(api, 'status.apiID')}.execute-api.${side.region}.amazonaws.com` : undefined,
    aliasTarget: side.regionalTarget
      ? { dnsName: side.regionalTarget.domainName, hostedZoneId: side.regionalTarget.hostedZoneID }
      : lateTarget
        ? { dnsName: valueOf(domain, 'regionalDomainName'), hostedZoneId: valueOf(domain, 'regionalHostedZoneId') }
        : undefined,
    inputs: { healthCheckHost: lateHost ? [api] : [], aliasTarget: lateTarget ? [domain] : [] },
  };
}
