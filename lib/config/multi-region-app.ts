/**
 * Configuration of system S4 `multi-region-app` (SPEC S4, seed 003): the same
 * web tier in two regions, each with its key, network, MySQL database, load
 * balancer behind WAF, and Auto Scaling group; one multi-region CloudTrail
 * trail. Regions default to the seed's (ap-south-1, eu-west-1): nothing is
 * required that only names a region.
 */
import { z } from 'zod';
import { EC2_INSTANCE_TYPES, engineVersionProblem } from '../catalog';
import { cidrsOverlap } from '../validation/aws';
import { availabilityZones, certificateArn, checked, ec2Id, oneOf, region, strictObject, tagMap, vpcCidr, wholeNumber } from './fields';
import { networkProblems } from './network';

/** Subnets of each region: public (load balancer, NAT), private (instances), isolated (database), one per zone. */
export const MULTI_REGION_APP_SUBNETS = { public: 24, private: 24, isolated: 24 } as const;

const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, { error: 'expected a KMS key ARN: arn:aws:kms:<region>:<account>:key/<uuid>' });

/** One region's side: where it is, its network, and what only AWS (or you) can supply. */
function side(defaultRegion: 'ap-south-1' | 'eu-west-1', defaultCidr: string, role: string) {
  return strictObject({
    region: region.default(defaultRegion).meta({ description: `The ${role} region. @default ${defaultRegion}` }),
    network: strictObject({
      cidr: vpcCidr.prefault(defaultCidr).meta({ description: `The VPC's block: a public, an app and a database /24 per zone. @default ${defaultCidr}` }),
      availabilityZones: availabilityZones.meta({ description: 'Two or more zones of the region: the database standby, the load balancer and the instances spread over them.' }),
      vpcID: ec2Id('vpc').optional().meta({ description: 'The VPC\'s ID once created (config mode: enables flow logs). @default unset' }),
    }),
    certificateARN: certificateArn.meta({ description: 'An ACM certificate, in this region, for the name clients use: the load balancer\'s HTTPS listener presents it.' }),
    imageID: ec2Id('ami').meta({ description: 'The instances\' AMI in this region (x86_64; AMI IDs differ per region).' }),
    assigned: strictObject({
      subnetIDs: z.array(ec2Id('subnet')).optional().meta({ description: 'The app subnets\' IDs, in zone order (outputs ConfigMap `<role>AppSubnetIDs`).' }),
      securityGroupID: ec2Id('sg').optional().meta({ description: 'The app security group\'s ID (outputs ConfigMap `<role>AppSecurityGroupID`).' }),
      targetGroupARN: z.string().optional().meta({ description: 'The target group\'s ARN (outputs ConfigMap `<role>TargetGroupARN`): instances register only once ACK stops managing its targets.' }),
      loadBalancerDimension: z
        .string()
        .regex(/^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, { error: 'expected the load balancer\'s CloudWatch dimension: app/<name>/<16 hex digits>, the end of its ARN' })
        .optional()
        .meta({ description: 'The load balancer\'s CloudWatch dimension, the end of its ARN after `loadbalancer/` (outputs ConfigMap `<role>LoadBalancerARN`): its 5XX alarm needs it.' }),
    })
      .default({})
      .meta({ description: 'What AWS assigns and ACK takes only as text, for `lateBinding: config` (with the operator, it is read from the cluster). @default {}' }),
  });
}

export const multiRegionAppSchema = strictObject({
  tags: tagMap({ Project: undefined, Application: undefined }).meta({ description: 'System tags, added to (and overriding) the environment\'s: Project and Application are required.' }),
  primary: side('ap-south-1', '10.0.0.0/16', 'primary').meta({ description: 'The primary region\'s side; the CloudTrail trail lives here.' }),
  secondary: side('eu-west-1', '10.1.0.0/16', 'secondary').meta({ description: 'The secondary region\'s side.' }),
  instances: strictObject({
    instanceType: oneOf(EC2_INSTANCE_TYPES, 'an EC2 instance type').default('t3.small').meta({ description: '@default t3.small' }),
    minSize: wholeNumber(1, 100).default(2).meta({ description: 'Instances per region at least (2: one per zone survives a zone). @default 2' }),
    maxSize: wholeNumber(1, 100).default(6).meta({ description: '@default 6' }),
    targetCpuPercent: wholeNumber(10, 90).default(70).meta({ description: 'Average CPU the target-tracking policy holds (the seed\'s 70%). @default 70' }),
  })
    .default({ instanceType: 't3.small', minSize: 2, maxSize: 6, targetCpuPercent: 70 })
    .meta({ description: 'The Auto Scaling group of each region.' }),
  database: strictObject({
    engineVersion: checked((version) => engineVersionProblem('mysql', version)).meta({ description: 'MySQL version, checked against the maintained table (R-G9).' }),
    allocatedStorageGiB: wholeNumber(20, 65535).default(20).meta({ description: '@default 20 (grows to 5×)' }),
  }),
  waf: strictObject({
    rateLimitPerIp: wholeNumber(10, 2_000_000_000).default(2000).meta({ description: 'Requests per IP per 5 minutes before WAF blocks it. @default 2000' }),
  })
    .default({ rateLimitPerIp: 2000 })
    .meta({ description: 'The web ACL of each region\'s load balancer.' }),
  trail: strictObject({
    keyARN: kmsKeyArn.optional().meta({ description: 'The primary data key\'s ARN once created (outputs ConfigMap `primaryDataKeyARN`), for `lateBinding: config`: the trail\'s KMS key. @default unset' }),
  })
    .default({})
    .meta({ description: 'The multi-region CloudTrail trail. @default {}' }),
  alarms: strictObject({
    instanceCpuPercent: wholeNumber(1, 100).meta({ description: 'Average CPU of a region\'s instances that pages (above the scaling target: scaling is not keeping up).' }),
    databaseCpuPercent: wholeNumber(1, 100).meta({ description: 'CPU of a region\'s database that pages.' }),
    databaseFreeStorageGiB: wholeNumber(1, 65535).meta({ description: 'Free database storage (GiB) below which it pages.' }),
    loadBalancer5xx: wholeNumber(1, 100000).meta({ description: 'Server errors of a region\'s load balancer per 5 minutes that page.' }),
  }).meta({ description: 'Alarm thresholds (R-G12).' }),
}).superRefine((app, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (app.primary.region === app.secondary.region) issue(['secondary', 'region'], `must differ from primary.region ("${app.primary.region}"): two copies in one region survive no regional outage`);
  if (cidrsOverlap(app.primary.network.cidr, app.secondary.network.cidr)) issue(['secondary', 'network', 'cidr'], `overlaps primary.network.cidr ${app.primary.network.cidr.text}; the two VPCs need disjoint blocks (to peer them later)`);
  if (app.instances.minSize > app.instances.maxSize) issue(['instances', 'minSize'], `must be at most maxSize (${app.instances.maxSize})`);
  if (app.alarms.instanceCpuPercent <= app.instances.targetCpuPercent) issue(['alarms', 'instanceCpuPercent'], `must be above instances.targetCpuPercent (${app.instances.targetCpuPercent}), or it pages whenever scaling works as intended`);
  const keyRegion = app.trail.keyARN?.split(':')[3];
  if (keyRegion !== undefined && keyRegion !== app.primary.region) issue(['trail', 'keyARN'], `is a key in ${keyRegion}; the trail lives in the primary region ${app.primary.region} and needs its key there`);
  for (const key of ['primary', 'secondary'] as const) {
    const s = app[key];
    if (s.network.availabilityZones.length < 2) issue([key, 'network', 'availabilityZones'], 'name at least two zones: the database standby and the load balancer need two');
    for (const { path, message } of networkProblems(s.network, s.region, MULTI_REGION_APP_SUBNETS)) issue([key, ...path], message);
    const certificateRegion = s.certificateARN.split(':')[3];
    if (certificateRegion !== s.region) issue([key, 'certificateARN'], `is in ${certificateRegion}; the ${key} load balancer is in ${s.region} and needs a certificate there`);
    const subnetCount = s.assigned.subnetIDs?.length;
    if (subnetCount !== undefined && subnetCount !== s.network.availabilityZones.length) issue([key, 'assigned', 'subnetIDs'], `lists ${subnetCount} subnets; the app tier has one per zone (${s.network.availabilityZones.length}), in zone order`);
  }
});

export type MultiRegionAppConfig = z.output<typeof multiRegionAppSchema>;
