/**
 * S4 `multi-region-app`: the same web tier in two regions (SPEC S4, seed
 * 003). Each region has its own customer key, a VPC with public, app and
 * database subnets over its zones, flow logs, MySQL with an AWS-managed
 * password, an HTTPS load balancer behind a WAF web ACL, and EC2 instances in
 * an Auto Scaling group that tracks 70% CPU; one multi-region CloudTrail
 * trail records the account. What ACK cannot do (associate the web ACL, start
 * the trail, create the scaling policy) the operator's gap kinds do, so one
 * apply leaves nothing unprotected.
 */
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../lib/config/environment';
import type { MultiRegionAppConfig } from '../lib/config/multi-region-app';
import { MULTI_REGION_APP_SUBNETS } from '../lib/config/multi-region-app';
import { Tags } from '../lib/tags/tags';
import { addWarning } from '../lib/warnings';
import { AWS_NAME_RULES, joinName } from '../lib/naming';
import { AuditTrail } from './constructs/audit-trail';
import { AutoScaledInstances } from './constructs/auto-scaling';
import { WebAclAssociation } from './constructs/aws-gaps';
import { DatabaseInstance, dataProtectionFor, type DataProtection } from './constructs/database';
import { KmsKey } from './constructs/kms-key';
import { defer, lateBound, valueOf } from './constructs/late-binding';
import { ApplicationLoadBalancer } from './constructs/load-balancer';
import { Alarm, AlarmTopic, Dashboard, type GraphWidget, type Metric } from './constructs/monitoring';
import { Network } from './constructs/network';
import { RegionScope } from './constructs/region-scope';
import { PCI_LOG_LIFECYCLE, SecureBucket } from './constructs/secure-bucket';
import { Peer, Port, SecurityGroup } from './constructs/security-group';
import { SystemOutputs } from './constructs/system-outputs';
import { WebAcl } from './constructs/web-acl';
import { SystemChart } from './system-chart';

type Role = 'primary' | 'secondary';
const APP_PORT = 80;

interface AppRegionProps {
  readonly role: Role;
  readonly side: MultiRegionAppConfig['primary'];
  readonly environment: EnvironmentConfig;
  readonly config: MultiRegionAppConfig;
  readonly protection: DataProtection;
}

/** One region's web tier: key, network, database, load balancer with WAF, instances, alarms. */
class AppRegion extends RegionScope {
  readonly role: Role;
  readonly key: KmsKey;
  readonly network: Network;
  readonly appSecurityGroup: SecurityGroup;
  readonly database: DatabaseInstance;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly instances: AutoScaledInstances;
  readonly topic: AlarmTopic;
  private readonly assigned: MultiRegionAppConfig['primary']['assigned'];

  constructor(scope: Construct, props: AppRegionProps) {
    const { role, side, environment, config, protection } = props;
    super(scope, role === 'primary' ? 'Primary' : 'Secondary', { region: side.region });
    this.role = role;
    this.assigned = side.assigned;
    Tags.of(this).add('Region', side.region);
    const settings = environment.settings;
    const suffix = environment.environmentSuffix;
    // SPEC S4: security groups named with the environment first.
    const groupName = (tier: string) => joinName(AWS_NAME_RULES.securityGroup, [environment.name, role, tier, 'sg', suffix]);

    this.key = new KmsKey(this, 'DataKey', {
      name: `${role}-data`,
      alias: `alias/multi-region-app-${role}-${suffix}`,
      description: `multi-region-app ${role} region: database, its master password, logs, alarm topic${role === 'primary' ? ', CloudTrail log files' : ''}`,
      users: ['rds', 'secretsmanager', 'logs', 'cloudwatch', 'sns', ...(role === 'primary' ? (['cloudtrail'] as const) : [])],
    });
    this.network = new Network(this, 'Network', {
      name: role,
      cidr: side.network.cidr.text,
      availabilityZones: side.network.availabilityZones,
      subnets: MULTI_REGION_APP_SUBNETS,
      natGateways: Math.min(settings.natGateways, side.network.availabilityZones.length),
      flowLogs: { retentionDays: settings.logRetentionDays, encryptionKey: this.key },
      vpcId: side.network.vpcID,
      vpcIdConfigPath: `systems.multi-region-app.${role}.network.vpcID`,
      flowLogRoleName: `${environment.name}-mra-${role}-flow-logs-${suffix}`,
    });
    const subnetCidrs = (tier: 'private' | 'isolated') => this.network.subnets.filter((s) => s.tier === tier).map((s) => s.cidr);

    // App instances: from the load balancer in; to the database subnets (3306) and, through the NAT gateway, CloudWatch (443) out.
    this.appSecurityGroup = new SecurityGroup(this, 'AppSecurityGroup', {
      name: `${role}-app`,
      groupName: groupName('app'),
      description: `multi-region-app ${role} instances: HTTP from the load balancer, MySQL to the database subnets only`,
      vpc: this.network,
      egress: [
        ...subnetCidrs('isolated').map((cidr) => ({ peer: Peer.ipv4(cidr), port: Port.tcp(3306), description: `MySQL to database subnet ${cidr}` })),
        { peer: Peer.anyIpv4('CloudWatch Logs and metrics endpoints, reached through the NAT gateway'), port: Port.tcp(443), description: 'HTTPS to AWS APIs' },
      ],
    });
    this.database = new DatabaseInstance(this, 'Database', {
      name: `${role}-mysql`,
      engine: 'mysql',
      engineVersion: config.database.engineVersion,
      instanceClass: settings.dbInstanceClass,
      multiAz: settings.multiAZ,
      network: this.network,
      encryptionKey: this.key,
      databaseName: 'app',
      // SPEC S4: the app subnets' exact blocks, not the VPC's.
      clients: subnetCidrs('private').map((cidr) => ({ peer: Peer.ipv4(cidr), description: `MySQL from app subnet ${cidr}` })),
      backupRetentionDays: settings.backupRetentionDays,
      allocatedStorageGiB: config.database.allocatedStorageGiB,
      maxAllocatedStorageGiB: config.database.allocatedStorageGiB * 5,
      protection,
      securityGroupName: groupName('db'),
    });

    // ALB access logs need an SSE-S3 bucket.
    const accessLogs = new SecureBucket(this, 'AccessLogs', {
      name: `${role}-alb-logs`,
      nameParts: ['web', environment.name, role, 'alb-logs'],
      lifecycleRules: [PCI_LOG_LIFECYCLE],
      protection,
    });
    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      name: `${role}-web`,
      network: this.network,
      certificateArn: side.certificateARN,
      targetPort: APP_PORT,
      targetType: 'instance',
      redirectHttp: true,
      securityGroupName: groupName('alb'),
      protection,
      accessLogBucket: accessLogs,
      targetGroupArn: side.assigned.targetGroupARN,
      targetGroupArnConfigPath: `systems.multi-region-app.${role}.assigned.targetGroupARN`,
    });
    this.loadBalancer.connectTo(this.appSecurityGroup);

    const webAcl = new WebAcl(this, 'WebAcl', {
      name: `${role}-web-waf`,
      rateLimitPerIp: config.waf.rateLimitPerIp,
      managedRuleGroups: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet'],
    });
    new WebAclAssociation(this, 'WebAclAssociation', { name: `${role}-web-waf`, webAcl, loadBalancer: this.loadBalancer, retain: protection.retain });

    this.instances = new AutoScaledInstances(this, 'Instances', {
      name: `${role}-app`,
      network: this.network,
      securityGroup: this.appSecurityGroup,
      loadBalancer: this.loadBalancer,
      imageId: side.imageID,
      instanceType: config.instances.instanceType,
      minSize: config.instances.minSize,
      maxSize: config.instances.maxSize,
      targetCpuPercent: config.instances.targetCpuPercent,
      logRetentionDays: settings.logRetentionDays,
      logEncryptionKey: this.key,
      roleName: `${environment.name}-mra-${role}-instance-${suffix}`,
      assigned: { subnetIds: side.assigned.subnetIDs, securityGroupId: side.assigned.securityGroupID },
      assignedConfigPath: `systems.multi-region-app.${role}.assigned`,
      retain: protection.retain,
    });
    this.topic = new AlarmTopic(this, 'AlarmTopic', { name: `${role}-alarms`, encryptionKey: this.key, subscriptions: environment.alarmSubscriptions });
  }

  /** The region's alarms (R-G12) and its dashboard widgets. */
  alarms(config: MultiRegionAppConfig): GraphWidget[] {
    const { alarms } = config;
    const cpu: Metric = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: this.instances.groupName }, statistic: 'Average' };
    new Alarm(this, 'InstanceCpuAlarm', {
      name: `${this.role}-app-cpu`,
      description: `Instances in ${this.region} average ${alarms.instanceCpuPercent}%+ CPU for 15 minutes although the group tracks ${config.instances.targetCpuPercent}%: it is at maxSize or cannot launch; check its scaling activity`,
      metric: cpu,
      threshold: alarms.instanceCpuPercent,
      evaluationPeriods: 3,
      topic: this.topic,
    });
    const db = (metricName: string, statistic: Metric['statistic'] = 'Average'): Metric => ({ namespace: 'AWS/RDS', metricName, dimensions: { DBInstanceIdentifier: this.database.identifier }, statistic });
    new Alarm(this, 'DatabaseCpuAlarm', {
      name: `${this.role}-db-cpu`,
      description: `MySQL in ${this.region} at ${alarms.databaseCpuPercent}%+ CPU for 10 minutes: check slow queries or scale the instance class`,
      metric: db('CPUUtilization'),
      threshold: alarms.databaseCpuPercent,
      topic: this.topic,
    });
    new Alarm(this, 'DatabaseStorageAlarm', {
      name: `${this.role}-db-free-storage`,
      description: `MySQL in ${this.region} has less than ${alarms.databaseFreeStorageGiB} GiB free: storage autoscaling is at its ceiling or cannot keep up`,
      metric: db('FreeStorageSpace', 'Minimum'),
      threshold: alarms.databaseFreeStorageGiB * 1024 ** 3,
      comparison: 'LessThanThreshold',
      topic: this.topic,
    });
    const widgets: GraphWidget[] = [
      { title: `Instances CPU (${this.region})`, metrics: [cpu], region: this.region },
      { title: `MySQL CPU and connections (${this.region})`, metrics: [db('CPUUtilization'), db('DatabaseConnections')], region: this.region },
    ];
    // The load balancer's dimension holds an ID AWS invents: from config, or (late binding) from its status.
    const lb = { name: 'loadBalancer', object: this.loadBalancer.resource };
    const late = !this.assigned.loadBalancerDimension && lateBound(this);
    const dimension = this.assigned.loadBalancerDimension ?? (late ? valueOf(lb, "status.ackResourceMetadata.arn.split(':loadbalancer/')[1]") : undefined);
    if (!dimension) {
      addWarning(this, 'S4-ALB-ALARM-PENDING', `the ${this.region} load balancer has no 5XX alarm yet: its CloudWatch dimension holds an ID AWS assigns; once applied, put it (the end of ${this.role}LoadBalancerARN in the outputs ConfigMap) into systems.multi-region-app.${this.role}.assigned.loadBalancerDimension`);
    } else {
      const elb5xx: Metric = { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', dimensions: { LoadBalancer: dimension }, statistic: 'Sum' };
      const alarm = new Alarm(this, 'LoadBalancer5xxAlarm', {
        name: `${this.role}-alb-5xx`,
        description: `The ${this.region} load balancer answered ${alarms.loadBalancer5xx}+ server errors in 5 minutes (no healthy instance?): clients see failures`,
        metric: elb5xx,
        threshold: alarms.loadBalancer5xx,
        evaluationPeriods: 1,
        topic: this.topic,
      });
      if (late) defer(alarm.resource, [lb]);
      widgets.push({ title: `Load balancer 5XX (${this.region})`, metrics: [elb5xx], region: this.region });
    }
    return widgets;
  }
}

export class MultiRegionAppChart extends SystemChart {
  constructor(scope: Construct, environment: EnvironmentConfig) {
    const config = environment.systems['multi-region-app'];
    super(scope, { environment, system: 'multi-region-app', region: config.primary.region, tags: config.tags });
    const protection = dataProtectionFor(environment);
    const regions = (['primary', 'secondary'] as const).map((role) => new AppRegion(this, { role, side: config[role], environment, config, protection }));
    const [primary] = regions;

    // One multi-region trail records every region of the account (AWS's recommendation); it lives in the primary region.
    const trail = new AuditTrail(primary, 'AuditTrail', {
      name: 'audit-trail',
      bucketNameParts: ['web', environment.name, 'cloudtrail'],
      encryptionKey: primary.key,
      encryptionKeyArn: config.trail.keyARN,
      encryptionKeyArnConfigPath: 'systems.multi-region-app.trail.keyARN',
      protection,
    });

    const widgets = regions.flatMap((region) => region.alarms(config));
    new Dashboard(primary, 'Dashboard', { name: 'multi-region-app', widgets });

    const outputs = new SystemOutputs(this, 'Outputs', {
      name: 'multi-region-app-outputs',
      staticValues: Object.fromEntries([
        ...regions.flatMap((region) => [
          [`${region.role}Region`, region.region],
          [`${region.role}AutoScalingGroupName`, region.instances.groupName],
          [`${region.role}DatabaseIdentifier`, region.database.identifier],
        ]),
        ['trailBucketName', trail.bucket.bucketName],
      ]),
    });
    const arnOf = '.status.ackResourceMetadata.arn';
    for (const region of regions) {
      outputs.exportField(`${region.role}VpcID`, region.network.vpc, '.status.vpcID');
      outputs.exportField(`${region.role}DataKeyARN`, region.key.resource, arnOf);
      outputs.exportField(`${region.role}AppSecurityGroupID`, region.appSecurityGroup.resource, '.status.id');
      region.network.subnets.filter((s) => s.tier === 'private').forEach((subnet, i) => outputs.exportField(`${region.role}AppSubnet${i + 1}ID`, subnet.resource, '.status.subnetID'));
      outputs.exportField(`${region.role}TargetGroupARN`, region.loadBalancer.targetGroup, arnOf);
      outputs.exportField(`${region.role}LoadBalancerDNS`, region.loadBalancer.resource, '.status.dnsName');
      outputs.exportField(`${region.role}LoadBalancerARN`, region.loadBalancer.resource, arnOf);
      outputs.exportField(`${region.role}DatabaseEndpoint`, region.database.instance, '.status.endpoint.address');
      outputs.exportField(`${region.role}DatabaseSecretARN`, region.database.instance, '.status.masterUserSecret.secretARN');
    }
  }
}
