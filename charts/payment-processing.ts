/**
 * S2 `payment-processing`: a containerised payment service behind an
 * internet-facing load balancer, with Aurora PostgreSQL, Redis, SQS and a
 * database-migration runner (SPEC S2, seed 001).
 */
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../lib/config/environment';
import { PAYMENT_PROCESSING_SUBNETS } from '../lib/config/payment-processing';
import { FUNCTION_HANDLER, functionPackage } from '../functions/build';
import { addWarning } from '../lib/warnings';
import { arn } from './constructs/aws-context';
import { ContainerService } from './constructs/container-service';
import { DatabaseCluster, dataProtectionFor } from './constructs/database';
import { KmsKey } from './constructs/kms-key';
import { defer, lateBound, valueOf } from './constructs/late-binding';
import { LambdaFunction } from './constructs/lambda-function';
import { ApplicationLoadBalancer } from './constructs/load-balancer';
import { Alarm, AlarmTopic, Dashboard, type GraphWidget, type Metric } from './constructs/monitoring';
import { Network } from './constructs/network';
import { Queue } from './constructs/queue';
import { RedisCluster } from './constructs/redis-cluster';
import { Peer, Port } from './constructs/security-group';
import { PCI_LOG_LIFECYCLE, SecureBucket } from './constructs/secure-bucket';
import { SystemOutputs } from './constructs/system-outputs';
import { WebAcl } from './constructs/web-acl';
import { WebAclAssociation } from './constructs/aws-gaps';
import { SystemChart } from './system-chart';


/** Why the tasks and the migration runner may open HTTPS to any address. */
const AWS_APIS_VIA_NAT = 'AWS APIs (SQS, Secrets Manager, RDS, ECR, CloudWatch) through the NAT gateway; no VPC endpoints here';

export class PaymentProcessingChart extends SystemChart {
  readonly network: Network;
  readonly database: DatabaseCluster;
  readonly service: ContainerService;

  constructor(scope: Construct, environment: EnvironmentConfig) {
    const config = environment.systems['payment-processing'];
    super(scope, { environment, system: 'payment-processing', region: config.region, tags: config.tags });
    const { settings } = environment;
    const protection = dataProtectionFor(environment);
    const suffix = environment.environmentSuffix;

    const key = new KmsKey(this, 'Key', {
      name: 'payment-processing',
      alias: `alias/payment-processing-${suffix}`,
      description: 'Payment processing data: database, its master secret, cache, queues, logs, alarm topic',
      users: ['rds', 'secretsmanager', 'elasticache', 'sqs', 'logs', 'cloudwatch', 'sns', 'lambda'],
    });

    this.network = new Network(this, 'Network', {
      name: 'processing',
      cidr: config.network.cidr.text,
      availabilityZones: config.network.availabilityZones,
      subnets: PAYMENT_PROCESSING_SUBNETS,
      natGateways: settings.natGateways,
      flowLogs: { retentionDays: settings.logRetentionDays, encryptionKey: key },
      vpcId: config.network.vpcID,
    });

    // ALB log delivery supports SSE-S3 only, hence no customer key.
    const accessLogs = new SecureBucket(this, 'AccessLogs', {
      name: 'payment-access-logs',
      nameParts: ['payment-processing', environment.name, 'logs'],
      lifecycleRules: [PCI_LOG_LIFECYCLE],
      protection,
    });
    const loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      name: 'payment-alb',
      network: this.network,
      certificateArn: config.loadBalancer.certificateARN,
      targetPort: config.service.containerPort,
      healthCheckPath: config.service.healthCheckPath,
      protection,
      accessLogBucket: accessLogs,
      targetGroupArn: config.loadBalancer.targetGroupARN,
    });
    if (settings.waf) {
      const webAcl = new WebAcl(this, 'WebAcl', { name: 'payment-alb-waf', rateLimitPerIp: 2000, managedRuleGroups: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] });
      // ACK has no association (wafv2, elbv2 controllers): the operator makes it (R-O7).
      new WebAclAssociation(this, 'WebAclAssociation', { name: 'payment-alb-waf', webAcl, loadBalancer, retain: protection.retain });
    }

    const queue = new Queue(this, 'Queue', { name: 'payments', encryptionKey: key, visibilityTimeoutSeconds: 120 });

    this.database = new DatabaseCluster(this, 'Database', {
      name: 'payment-db',
      engine: 'aurora-postgresql',
      engineVersion: config.database.engineVersion,
      instanceClass: settings.dbInstanceClass,
      instances: settings.multiAZ ? 2 : 1,
      network: this.network,
      encryptionKey: key,
      databaseName: 'payments',
      backupRetentionDays: settings.backupRetentionDays,
      protection,
    });

    const cache = new RedisCluster(this, 'Cache', {
      name: 'payment-cache',
      nodeType: settings.cacheNodeType,
      network: this.network,
      multiAz: settings.multiAZ,
      encryptionKey: key,
      authTokenSecret: config.cache.authTokenSecret,
      snapshotRetentionDays: settings.backupRetentionDays,
      protection,
    });

    this.service = new ContainerService(this, 'Service', {
      name: 'payment-api',
      image: config.service.image,
      cpu: config.service.cpu,
      memoryMiB: config.service.memoryMiB,
      containerPort: config.service.containerPort,
      desiredCount: settings.containerDesiredCount,
      network: this.network,
      logRetentionDays: settings.logRetentionDays,
      encryptionKey: key,
      loadBalancer,
      environment: {
        DB_CLUSTER_IDENTIFIER: this.database.identifier,
        DB_NAME: 'payments',
        REDIS_REPLICATION_GROUP_ID: cache.replicationGroupId,
        QUEUE_URL: `https://sqs.${config.region}.amazonaws.com/${environment.awsAccountID}/${queue.queueName}`,
      },
      egress: [{ peer: Peer.anyIpv4(AWS_APIS_VIA_NAT), port: Port.tcp(443), description: 'HTTPS to AWS APIs' }],
    });
    if (config.service.image.endsWith(':latest')) {
      addWarning(this.service, 'S2-IMAGE-LATEST', `image ${config.service.image} is not pinned; production refuses :latest, pin a version or digest here too`);
    }

    // The migration runner: a Lambda in the VPC, run by the deploy pipeline before a release.
    const migrations = new LambdaFunction(this, 'Migrations', {
      name: 'payment-migrations',
      runtime: config.migrations.runtime,
      handler: FUNCTION_HANDLER,
      code: { s3Bucket: config.migrations.code.s3Bucket, ...functionPackage('payment-migrations') },
      memoryMB: 512,
      timeoutSeconds: 300,
      // Migrations must never run twice at once.
      reservedConcurrency: 1,
      logRetentionDays: settings.logRetentionDays,
      encryptionKey: key,
      // The Node.js 20+ runtimes trust RDS's certificate authority only from this bundle (AWS Lambda Node.js runtime notes).
      environment: { DB_CLUSTER_IDENTIFIER: this.database.identifier, DB_NAME: 'payments', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
      vpc: { network: this.network, egress: [{ peer: Peer.anyIpv4(AWS_APIS_VIA_NAT), port: Port.tcp(443), description: 'HTTPS to AWS APIs' }] },
    });

    this.database.allowFrom(this.service.securityGroup, 'PostgreSQL from the payment service');
    this.database.allowFrom(migrations.securityGroup!, 'PostgreSQL from the migration runner');
    cache.allowFrom(this.service.securityGroup, 'Redis from the payment service');
    // Endpoint and password are found at run time: RDS assigns the endpoint and creates the secret.
    this.database.grantConnect(this.service);
    this.database.grantConnect(migrations);
    queue.grantConsumeAndSend(this.service);

    const topic = new AlarmTopic(this, 'AlarmTopic', { name: 'payment-processing-alarms', encryptionKey: key , subscriptions: environment.alarmSubscriptions });
    const ecsMetric = (metricName: string): Metric => ({
      namespace: 'AWS/ECS',
      metricName,
      dimensions: { ClusterName: this.service.clusterName, ServiceName: this.service.serviceName },
    });
    const rdsMetric = (metricName: string): Metric => ({ namespace: 'AWS/RDS', metricName, dimensions: { DBClusterIdentifier: this.database.identifier } });
    const redisMetric = (metricName: string, node: string): Metric => ({ namespace: 'AWS/ElastiCache', metricName, dimensions: { CacheClusterId: node } });
    const queueMetric = (queueName: string): Metric => ({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queueName },
      statistic: 'Maximum',
    });
    const { alarms } = config;
    new Alarm(this, 'ServiceCpuAlarm', {
      name: 'payment-api-cpu',
      description: `Payment service CPU at or above ${alarms.ecsCpuPercent}% for 10 minutes: scale out or profile`,
      metric: ecsMetric('CPUUtilization'),
      threshold: alarms.ecsCpuPercent,
      topic,
    });
    new Alarm(this, 'DatabaseCpuAlarm', {
      name: 'payment-db-cpu',
      description: `Payment database CPU at or above ${alarms.rdsCpuPercent}% for 10 minutes: check slow queries or scale the instance class`,
      metric: rdsMetric('CPUUtilization'),
      threshold: alarms.rdsCpuPercent,
      topic,
    });
    // One alarm per node: the primary moves to another node on failover.
    for (const node of cache.cacheClusterIds) {
      new Alarm(this, `CacheCpuAlarm-${node}`, {
        name: `payment-cache-cpu-${node.slice(-3)}`,
        description: `Payment cache node ${node} engine CPU at or above ${alarms.redisCpuPercent}% for 10 minutes: check hot keys or scale the node type`,
        metric: redisMetric('EngineCPUUtilization', node),
        threshold: alarms.redisCpuPercent,
        topic,
      });
    }
    new Alarm(this, 'DeadLetterAlarm', {
      name: 'payments-dead-letters',
      description: `${alarms.deadLetterMessages}+ payment messages failed repeatedly and wait in the dead-letter queue: inspect and redrive them`,
      metric: queueMetric(queue.deadLetterQueueName),
      threshold: alarms.deadLetterMessages,
      evaluationPeriods: 1,
      topic,
    });

    const widgets: GraphWidget[] = [
      { title: 'Payment service CPU and memory', metrics: [ecsMetric('CPUUtilization'), ecsMetric('MemoryUtilization')] },
      { title: 'Database CPU and connections', metrics: [rdsMetric('CPUUtilization'), rdsMetric('DatabaseConnections')] },
      { title: 'Cache CPU and memory', metrics: cache.cacheClusterIds.flatMap((node) => [redisMetric('EngineCPUUtilization', node), redisMetric('DatabaseMemoryUsagePercentage', node)]) },
      { title: 'Queue and dead letters', metrics: [queueMetric(queue.queueName), queueMetric(queue.deadLetterQueueName)] },
    ];
    // The load balancer's and target group's CloudWatch dimensions hold IDs AWS assigns: from config, or late-bound from their ARNs.
    const lateDimensions = config.loadBalancer.metricDimension === undefined && lateBound(this);
    const lb = { name: 'loadBalancer', object: loadBalancer.resource };
    const tg = { name: 'targetGroup', object: loadBalancer.targetGroup };
    const lateAlarm = (alarm: Alarm, inputs = [lb]) => (lateDimensions ? defer(alarm.resource, inputs) : undefined);
    const dimension = config.loadBalancer.metricDimension ?? (lateDimensions ? valueOf(lb, "status.ackResourceMetadata.arn.split(':loadbalancer/')[1]") : undefined);
    const targetGroupDimension = loadBalancer.targetGroupDimension ?? (lateDimensions ? valueOf(tg, "status.ackResourceMetadata.arn.split(':')[5]") : undefined);
    if (dimension) {
      const albMetric = (metricName: string, statistic: Metric['statistic'] = 'Sum'): Metric => ({ namespace: 'AWS/ApplicationELB', metricName, dimensions: { LoadBalancer: dimension }, statistic });
      const target5xx = new Alarm(this, 'Target5xxAlarm', {
        name: 'payment-alb-target-5xx',
        description: `The payment service answered ${alarms.target5xx}+ server errors through the load balancer in 5 minutes: clients see failures`,
        metric: albMetric('HTTPCode_Target_5XX_Count'),
        threshold: alarms.target5xx,
        evaluationPeriods: 1,
        topic,
      });
      // A total outage (no healthy target: the load balancer answers 503 itself) shows here, not in the targets' 5XX.
      const elb5xx = new Alarm(this, 'Elb5xxAlarm', {
        name: 'payment-alb-elb-5xx',
        description: `The load balancer itself answered ${alarms.elb5xx}+ server errors in 5 minutes (502/503/504: no healthy or reachable targets): clients see failures`,
        metric: albMetric('HTTPCode_ELB_5XX_Count'),
        threshold: alarms.elb5xx,
        evaluationPeriods: 1,
        topic,
      });
      lateAlarm(target5xx);
      lateAlarm(elb5xx);
      widgets.unshift({
        title: 'Load balancer requests, errors, latency',
        metrics: [albMetric('RequestCount'), albMetric('HTTPCode_Target_5XX_Count'), albMetric('HTTPCode_ELB_5XX_Count'), albMetric('TargetResponseTime', 'Average')],
      });
      if (targetGroupDimension) {
        const targetMetric = (metricName: string, statistic: Metric['statistic']): Metric => ({
          namespace: 'AWS/ApplicationELB',
          metricName,
          dimensions: { LoadBalancer: dimension, TargetGroup: targetGroupDimension },
          statistic,
          periodSeconds: 60,
        });
        const unhealthy = new Alarm(this, 'UnhealthyTargetsAlarm', {
          name: 'payment-alb-unhealthy-targets',
          description: `${alarms.unhealthyTargets}+ payment tasks fail the load balancer's health check for 3 minutes: check the tasks' logs`,
          metric: targetMetric('UnHealthyHostCount', 'Maximum'),
          threshold: alarms.unhealthyTargets,
          evaluationPeriods: 3,
          topic,
        });
        const healthy = new Alarm(this, 'HealthyTargetsAlarm', {
          name: 'payment-alb-healthy-targets',
          description: `Fewer than ${alarms.minHealthyTargets} healthy payment tasks behind the load balancer for 3 minutes (no data counts as none): the service is down or degraded`,
          metric: targetMetric('HealthyHostCount', 'Minimum'),
          threshold: alarms.minHealthyTargets,
          comparison: 'LessThanThreshold',
          evaluationPeriods: 3,
          treatMissingData: 'breaching',
          topic,
        });
        lateAlarm(unhealthy, [lb, tg]);
        lateAlarm(healthy, [lb, tg]);
      }
    } else {
      addWarning(
        loadBalancer,
        'S2-ALB-ALARM-PENDING',
        "the load balancer's 5XX and target health alarms and its widget need its CloudWatch dimension (app/<name>/<id>), which AWS assigns: once applied, put it into systems.payment-processing.loadBalancer.metricDimension",
      );
    }
    const dashboard = new Dashboard(this, 'Dashboard', { name: 'payment-processing', widgets });
    if (lateDimensions) defer(dashboard.resource, [lb]);

    const outputs = new SystemOutputs(this, 'Outputs', {
      name: 'payment-processing-outputs',
      staticValues: {
        databaseClusterIdentifier: this.database.identifier,
        cacheReplicationGroupID: cache.replicationGroupId,
        queueName: queue.queueName,
        deadLetterQueueName: queue.deadLetterQueueName,
        migrationFunctionARN: migrations.arn,
        databaseClusterARN: arn(this, 'rds', `cluster:${this.database.identifier}`),
      },
    });
    const arnOf = '.status.ackResourceMetadata.arn';
    outputs.exportField('vpcID', this.network.vpc, '.status.vpcID');
    outputs.exportField('loadBalancerDNSName', loadBalancer.resource, '.status.dnsName');
    outputs.exportField('loadBalancerARN', loadBalancer.resource, arnOf);
    outputs.exportField('databaseEndpoint', this.database.cluster, '.status.endpoint');
    outputs.exportField('databaseReaderEndpoint', this.database.cluster, '.status.readerEndpoint');
    outputs.exportField('databaseSecretARN', this.database.cluster, '.status.masterUserSecret.secretARN');
    outputs.exportField('cachePrimaryEndpoint', cache.resource, '.status.nodeGroups[0].primaryEndpoint.address');
    outputs.exportField('queueURL', queue.resource, '.status.queueURL');
    outputs.exportField('queueARN', queue.resource, '.status.queueARN');
    if (this.service.service) outputs.exportField('serviceARN', this.service.service, arnOf);
    outputs.exportField('targetGroupARN', loadBalancer.targetGroup, arnOf);
    outputs.exportField('keyARN', key.resource, arnOf);
    outputs.exportField('alarmTopicARN', topic.resource, '.status.topicARN');
  }
}
