/**
 * S3 `payment-stack`: a reusable payment API component, parameterised per
 * environment (SPEC S3, seed 002). `PaymentStack` is the component (the seed's
 * ComponentResource); `PaymentStackChart` instantiates it from config.
 */
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../lib/config/environment';
import type { PaymentStackConfig } from '../lib/config/payment-stack';
import type { Settings } from '../lib/config/settings';
import type { AlarmSubscription } from '../lib/validation/aws';
import { FUNCTION_HANDLER, functionPackage } from '../functions/build';
import { PCI_AUDIT_LOG_RETENTION_DAYS } from '../lib/compliance';
import { addWarning } from '../lib/warnings';
import { acknowledge } from './constructs/acknowledge';
import { DatabaseInstance, dataProtectionFor, type DataProtection } from './constructs/database';
import { HttpApi } from './constructs/http-api';
import { KmsKey } from './constructs/kms-key';
import { defer, lateBound, valueOf } from './constructs/late-binding';
import { LambdaFunction } from './constructs/lambda-function';
import { Alarm, AlarmTopic, Dashboard, type GraphWidget, type Metric } from './constructs/monitoring';
import { Network } from './constructs/network';
import { PCI_LOG_LIFECYCLE, SecureBucket } from './constructs/secure-bucket';
import { Peer, Port } from './constructs/security-group';
import { SystemOutputs } from './constructs/system-outputs';
import { Table } from './constructs/table';
import { WebAcl } from './constructs/web-acl';
import { SystemChart } from './system-chart';

export interface PaymentStackProps {
  readonly environmentName: string;
  readonly config: PaymentStackConfig;
  readonly settings: Settings;
  readonly protection: DataProtection;
  /** Who the alarms notify. @default - nobody */
  readonly alarmSubscriptions?: readonly AlarmSubscription[];
}

/**
 * The payment component: VPC with three private subnets (reaching DynamoDB and
 * S3 through gateway endpoints), PostgreSQL on a customer key, a Lambda behind
 * an HTTP API with WAF in production, DynamoDB, an audit bucket, alarms and a
 * dashboard.
 */
export class PaymentStack extends Construct {
  readonly network: Network;
  readonly database: DatabaseInstance;
  readonly table: Table;
  readonly handler: LambdaFunction;
  readonly api: HttpApi;
  readonly auditBucket: SecureBucket;
  readonly outputs: SystemOutputs;

  constructor(scope: Construct, id: string, props: PaymentStackProps) {
    super(scope, id);
    const { config, settings, protection, environmentName } = props;
    const { customDomain } = config.api;
    const suffix = SystemChart.of(this).environment.environmentSuffix;

    const rdsKey = new KmsKey(this, 'RdsKey', {
      name: 'payment-rds',
      alias: `alias/payment-rds-${suffix}`,
      description: 'Payment database storage and its AWS-managed master password',
      users: ['rds', 'secretsmanager'],
      deletionWindowDays: 7,
    });
    const dataKey = new KmsKey(this, 'DataKey', {
      name: 'payment-data',
      alias: `alias/payment-data-${suffix}`,
      description: 'Payment table, audit bucket, logs, alarm topic and function environment',
      users: ['dynamodb', 's3', 'logs', 'cloudwatch', 'sns', 'lambda'],
    });

    this.network = new Network(this, 'Network', {
      name: 'payment',
      cidr: config.network.cidr.text,
      availabilityZones: config.network.availabilityZones,
      subnets: { private: config.network.subnetPrefixLength },
      flowLogs: { retentionDays: settings.logRetentionDays, encryptionKey: dataKey },
      vpcId: config.network.vpcID,
      gatewayEndpoints: ['dynamodb'],
      flowLogRoleName: `${environmentName}-payment-flow-logs-role-${suffix}`,
    });

    this.database = new DatabaseInstance(this, 'Database', {
      name: 'payment-db',
      engine: 'postgres',
      engineVersion: config.database.engineVersion,
      instanceClass: settings.dbInstanceClass,
      multiAz: settings.multiAZ,
      network: this.network,
      subnetTier: 'private',
      encryptionKey: rdsKey,
      databaseName: 'payments',
      clients: [{ peer: Peer.ipv4(config.network.cidr.text), description: 'PostgreSQL from the payment VPC only' }],
      backupRetentionDays: settings.backupRetentionDays,
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      protection,
    });
    acknowledge(this.database.instance, 'ACKS-REF-002', 'SPEC S3 admits PostgreSQL from the VPC CIDR; the function\'s own security group would be narrower');

    this.table = new Table(this, 'Table', {
      name: 'payment-transactions',
      partitionKey: { name: 'transactionId', type: 'S' },
      sortKey: { name: 'timestamp', type: 'N' },
      globalSecondaryIndexes: [
        { indexName: 'UserIdIndex', partitionKey: { name: 'userId', type: 'S' }, sortKey: { name: 'timestamp', type: 'N' }, projection: 'ALL' },
        { indexName: 'StatusIndex', partitionKey: { name: 'status', type: 'S' }, sortKey: { name: 'timestamp', type: 'N' }, projection: 'ALL' },
      ],
      timeToLiveAttribute: 'expirationTime',
      stream: 'NEW_AND_OLD_IMAGES',
      encryptionKey: dataKey,
      protection,
    });

    this.handler = new LambdaFunction(this, 'Handler', {
      name: 'payment-handler',
      roleName: `${environmentName}-payment-lambda-role-${suffix}`,
      runtime: config.lambda.runtime,
      handler: FUNCTION_HANDLER,
      code: { s3Bucket: config.lambda.code.s3Bucket, ...functionPackage('payment-api') },
      memoryMB: 512,
      timeoutSeconds: 30,
      reservedConcurrency: settings.lambdaReservedConcurrency,
      logRetentionDays: settings.logRetentionDays,
      encryptionKey: dataKey,
      environment: { TABLE_NAME: this.table.tableName, ENVIRONMENT: environmentName },
      vpc: {
        network: this.network,
        egress: [
          { peer: Peer.prefixList(config.network.dynamoDBPrefixListID), port: Port.tcp(443), description: 'HTTPS to DynamoDB through its gateway endpoint' },
          { peer: Peer.securityGroup(this.database.securityGroup), port: Port.tcp(this.database.port), description: 'PostgreSQL to the payment database' },
        ],
      },
    });
    // SPEC S3: PutItem/GetItem/Query/UpdateItem on the table (and its indexes, which Query needs).
    this.table.grantReadWrite(this.handler);

    this.api = new HttpApi(this, 'Api', {
      name: 'payment-api',
      description: `Payment API (${environmentName})`,
      routes: [
        { method: 'POST', path: '/payment', handler: this.handler },
        { method: 'GET', path: '/payment/{id}', handler: this.handler },
      ],
      cors: { allowOrigins: config.api.corsAllowOrigins },
      accessLogRetentionDays: settings.logRetentionDays,
      encryptionKey: dataKey,
      apiId: config.api.apiID,
      customDomain: customDomain && {
        domainName: customDomain.domainName,
        certificateArn: customDomain.certificateARN,
        hostedZoneId: customDomain.hostedZoneID,
        regionalTarget: customDomain.regionalTarget && { domainName: customDomain.regionalTarget.domainName, hostedZoneId: customDomain.regionalTarget.hostedZoneID },
        disableExecuteApiEndpoint: customDomain.disableExecuteAPIEndpoint,
      },
    });

    if (settings.waf) {
      const webAcl = new WebAcl(this, 'WebAcl', { name: 'payment-api-waf', rateLimitPerIp: 2000, managedRuleGroups: ['AWSManagedRulesCommonRuleSet'] });
      addWarning(
        webAcl,
        'S3-WAF-NOT-ASSOCIATED',
        'the web ACL is created but protects nothing yet: AWS WAF cannot be associated with API Gateway HTTP APIs, and ACK has no association kind (docs/systems/payment-stack.md)',
      );
      acknowledge(webAcl.resource, 'ACKS-CONV-010', 'AWS WAF cannot protect API Gateway HTTP APIs; the fix is a REST API or CloudFront in front (docs/systems/payment-stack.md, WAF in front of the API)');
    }

    // S3 delivers server access logs only to SSE-S3 buckets without a default retention.
    const auditAccessLogs = new SecureBucket(this, 'AuditAccessLogs', {
      name: 'payment-audit-access-logs',
      nameParts: ['payments', environmentName, 'audit-logs'],
      lifecycleRules: [PCI_LOG_LIFECYCLE],
      protection,
    });
    this.auditBucket = new SecureBucket(this, 'AuditBucket', {
      name: 'payment-audit',
      nameParts: ['payments', environmentName, 'audit'],
      // SSE-KMS with a customer key: the bucket key then saves KMS calls (with SSE-S3 it does nothing).
      encryptionKey: dataKey,
      // Production audit records cannot be altered or deleted by anyone for the PCI retention.
      objectLockDays: SystemChart.of(this).environment.tier === 'production' ? PCI_AUDIT_LOG_RETENTION_DAYS : undefined,
      serverAccessLogs: { bucket: auditAccessLogs, prefix: 'audit/' },
      lifecycleRules: [
        {
          id: 'archive',
          transitions: [
            { days: settings.auditGlacierAfterDays, storageClass: 'GLACIER' },
            { days: settings.auditGlacierAfterDays + 90, storageClass: 'DEEP_ARCHIVE' },
          ],
          noncurrentTransitions: [{ days: 30, storageClass: 'GLACIER' }],
          // PCI DSS v4.0.1 10.5.1 (SPEC's 90 days would lose overwritten records after three months).
          noncurrentExpirationDays: PCI_AUDIT_LOG_RETENTION_DAYS,
        },
      ],
      protection,
    });

    const alarmTopic = new AlarmTopic(this, 'AlarmTopic', { name: 'payment-alarms', encryptionKey: dataKey , subscriptions: props.alarmSubscriptions });
    const rdsCpu: Metric = { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: { DBInstanceIdentifier: this.database.identifier } };
    const lambdaMetric = (metricName: string, statistic: Metric['statistic'] = 'Sum'): Metric => ({
      namespace: 'AWS/Lambda',
      metricName,
      dimensions: { FunctionName: this.handler.functionName },
      statistic,
    });
    const tableMetric = (metricName: string): Metric => ({ namespace: 'AWS/DynamoDB', metricName, dimensions: { TableName: this.table.tableName }, statistic: 'Sum' });
    new Alarm(this, 'RdsCpuAlarm', {
      name: 'payment-db-cpu',
      description: `Payment database CPU at or above ${config.alarms.rdsCpuPercent}% for 10 minutes: check slow queries or scale the instance class`,
      metric: rdsCpu,
      threshold: config.alarms.rdsCpuPercent,
      topic: alarmTopic,
    });
    new Alarm(this, 'LambdaErrorsAlarm', {
      name: 'payment-handler-errors',
      description: `Payment handler errors at or above ${config.alarms.lambdaErrors} per 5 minutes: payments are failing`,
      metric: lambdaMetric('Errors'),
      threshold: config.alarms.lambdaErrors,
      evaluationPeriods: 1,
      topic: alarmTopic,
    });
    new Alarm(this, 'LambdaThrottlesAlarm', {
      name: 'payment-handler-throttles',
      description: `Payment handler throttled ${config.alarms.lambdaThrottles}+ times per 5 minutes: reserved concurrency is too low`,
      metric: lambdaMetric('Throttles'),
      threshold: config.alarms.lambdaThrottles,
      evaluationPeriods: 1,
      topic: alarmTopic,
    });

    const widgets: GraphWidget[] = [
      { title: 'RDS CPU and connections', metrics: [rdsCpu, { ...rdsCpu, metricName: 'DatabaseConnections' }] },
      { title: 'Lambda invocations, errors, throttles', metrics: [lambdaMetric('Invocations'), lambdaMetric('Errors'), lambdaMetric('Throttles')] },
      { title: 'Lambda duration', metrics: [lambdaMetric('Duration', 'Average')] },
      { title: 'DynamoDB capacity and throttling', metrics: [tableMetric('ConsumedReadCapacityUnits'), tableMetric('ConsumedWriteCapacityUnits'), tableMetric('ThrottledRequests')] },
    ];
    // The API's ID is AWS's: from config, or (late binding) from the API's status.
    const api = { name: 'api', object: this.api.api };
    const lateApiId = config.api.apiID === undefined && lateBound(this);
    const apiId = config.api.apiID ?? (lateApiId ? valueOf(api, 'status.apiID') : undefined);
    if (apiId) {
      const apiMetric = (metricName: string): Metric => ({ namespace: 'AWS/ApiGateway', metricName, dimensions: { ApiId: apiId, Stage: '$default' }, statistic: 'Sum' });
      const api5xx = new Alarm(this, 'Api5xxAlarm', {
        name: 'payment-api-5xx',
        description: `Payment API returned ${config.alarms.api5xx}+ server errors in 5 minutes: clients see failures`,
        metric: apiMetric('5xx'),
        threshold: config.alarms.api5xx,
        evaluationPeriods: 1,
        topic: alarmTopic,
      });
      if (lateApiId) defer(api5xx.resource, [api]);
      widgets.push({ title: 'API requests and errors', metrics: [apiMetric('Count'), apiMetric('4xx'), apiMetric('5xx')] });
    }
    const dashboard = new Dashboard(this, 'Dashboard', { name: 'payment-dashboard', widgets });
    if (lateApiId) defer(dashboard.resource, [api]);

    this.outputs = new SystemOutputs(this, 'Outputs', {
      name: 'payment-stack-outputs',
      staticValues: {
        tableName: this.table.tableName,
        auditBucketName: this.auditBucket.bucketName,
        functionName: this.handler.functionName,
        ...(customDomain ? { customDomain: customDomain.domainName } : {}),
      },
    });
    const arnOf = '.status.ackResourceMetadata.arn';
    this.outputs.exportField('vpcID', this.network.vpc, '.status.vpcID');
    this.outputs.exportField('databaseEndpoint', this.database.instance, '.status.endpoint.address');
    this.outputs.exportField('databaseARN', this.database.instance, arnOf);
    this.outputs.exportField('databaseSecretARN', this.database.instance, '.status.masterUserSecret.secretARN');
    this.outputs.exportField('rdsKeyARN', rdsKey.resource, arnOf);
    this.outputs.exportField('dataKeyARN', dataKey.resource, arnOf);
    this.outputs.exportField('functionARN', this.handler.resource, arnOf);
    this.outputs.exportField('apiID', this.api.api, '.status.apiID');
    this.outputs.exportField('apiEndpoint', this.api.api, '.status.apiEndpoint');
    this.outputs.exportField('tableARN', this.table.resource, arnOf);
    this.outputs.exportField('tableStreamARN', this.table.resource, '.status.latestStreamARN');
    this.outputs.exportField('auditBucketARN', this.auditBucket.resource, arnOf);
    this.outputs.exportField('alarmTopicARN', alarmTopic.resource, '.status.topicARN');
  }
}

export class PaymentStackChart extends SystemChart {
  readonly stack: PaymentStack;

  constructor(scope: Construct, environment: EnvironmentConfig) {
    const config = environment.systems['payment-stack'];
    super(scope, { environment, system: 'payment-stack', region: config.region, tags: config.tags });
    this.stack = new PaymentStack(this, 'PaymentStack', {
      environmentName: environment.name,
      config,
      settings: environment.settings,
      protection: dataProtectionFor(environment),
      alarmSubscriptions: environment.alarmSubscriptions,
    });
  }
}
