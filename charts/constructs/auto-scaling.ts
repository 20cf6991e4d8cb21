import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as autoscaling from '../../imports/autoscaling.services.k8s.aws';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import * as iam from '../../imports/iam.services.k8s.aws';
import { EC2_INSTANCE_TYPES } from '../../lib/catalog';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { Tags } from '../../lib/tags/tags';
import { describeEc2Id, ec2IdPattern } from '../../lib/validation/aws';
import { addWarning } from '../../lib/warnings';
import { physicalName } from './aws-context';
import { TargetTrackingPolicy } from './aws-gaps';
import { Role } from './iam';
import type { KmsKey } from './kms-key';
import { defer, lateBound, valueOf, type ObjectInput } from './late-binding';
import type { ApplicationLoadBalancer } from './load-balancer';
import { LogGroup } from './log-group';
import type { Network } from './network';
import type { SecurityGroup } from './security-group';

/** The namespace the instances' CloudWatch agent publishes to; their role may publish nowhere else. */
export const INSTANCE_METRICS_NAMESPACE = 'CWAgent';

export interface AutoScaledInstancesProps {
  /** Kubernetes object name; base of the AWS names. */
  readonly name: string;
  readonly network: Network;
  /** The instances' security group (the load balancer reaches them through it). */
  readonly securityGroup: SecurityGroup;
  /** Where instances register; its target group must be of type `instance`. */
  readonly loadBalancer: ApplicationLoadBalancer;
  /** An AMI of the region, x86_64 like the instance types. */
  readonly imageId: string;
  /** One of EC2_INSTANCE_TYPES. */
  readonly instanceType: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Average CPU the group scales to hold (target tracking). */
  readonly targetCpuPercent: number;
  /** Retention of the instances' log group. */
  readonly logRetentionDays: number;
  /** @default - the log group is encrypted with an AWS-owned key */
  readonly logEncryptionKey?: KmsKey;
  /** AWS name of the instances' role. @default `<name>-<environmentSuffix>` */
  readonly roleName?: string;
  /**
   * What AWS assigned, from config (`lateBinding: config`): the app subnets'
   * IDs (one per zone) and the security group's ID, which ACK's LaunchTemplate
   * and AutoScalingGroup take as literal strings (no references).
   * @default - late-bound from the objects' status, or (config mode) no group yet: synth warns
   */
  readonly assigned?: { readonly subnetIds?: readonly string[]; readonly securityGroupId?: string };
  /** Where `assigned` lives in config (fields `subnetIDs`, `securityGroupID`), for the warning. */
  readonly assignedConfigPath: string;
  /** ACK deletion policy of the scaling policy. @default false */
  readonly retain?: boolean;
}

/**
 * EC2 instances behind a load balancer: a launch template (IMDSv2 only,
 * encrypted gp3 root volume, detailed monitoring, the environment's tags on
 * instances and volumes), an Auto Scaling group over the app subnets
 * registering into the load balancer's target group, a target-tracking
 * policy on CPU, and an instance role that may only write its own logs and
 * metrics.
 *
 * How it converges with ACK (research ack-behaviour.md §7, §9):
 * - the group follows the template's `$Latest` version: a template change
 *   makes a new version (ec2-controller v1.20.0 `launch_template/sdk.go:1095`)
 *   but never moves the default one, so `$Default` would never change;
 * - the group sets no `desiredCapacity` (the scaling policy owns it;
 *   autoscaling-controller v1.2.1 `delta.go:148` would set it back);
 * - `targetGroupARNs` is sent only at create, and the target group
 *   deregisters targets it did not list: the group is created only once the
 *   target group is handed over (read-only), as ECS services are.
 */
export class AutoScaledInstances extends Construct {
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly groupName: string;
  readonly launchTemplateName: string;
  /** Absent until what AWS assigns is known (config mode). */
  readonly group?: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, props: AutoScaledInstancesProps) {
    super(scope, id);
    this.groupName = physicalName(this, AWS_NAME_RULES.autoScalingGroup, props.name);
    this.launchTemplateName = physicalName(this, AWS_NAME_RULES.launchTemplate, props.name);
    const zones = props.network.subnets.filter((s) => s.tier === 'private');
    const assigned = props.assigned ?? {};
    const problem =
      nameProblem(`${props.name}-cpu`, K8S_LABEL_NAME) ??
      (ec2IdPattern('ami').test(props.imageId) ? undefined : `imageId "${props.imageId}": expected ${describeEc2Id('ami')}`) ??
      ((EC2_INSTANCE_TYPES as readonly string[]).includes(props.instanceType) ? undefined : `instanceType ${props.instanceType} is not allowed; use one of ${EC2_INSTANCE_TYPES.join(', ')}`) ??
      (Number.isInteger(props.minSize) && Number.isInteger(props.maxSize) && props.minSize >= 1 && props.minSize <= props.maxSize && props.maxSize <= 100
        ? undefined
        : `minSize ${props.minSize} and maxSize ${props.maxSize}: need 1 <= minSize <= maxSize <= 100`) ??
      (props.loadBalancer.targetGroup.toJson().spec?.targetType === 'instance' ? undefined : 'the load balancer\'s target group must have targetType instance') ??
      (zones.length > 0 ? undefined : 'the network has no private (app) subnets') ??
      (assigned.subnetIds === undefined || assigned.subnetIds.length === zones.length ? undefined : `assigned.subnetIds lists ${assigned.subnetIds.length} subnets; the app tier has ${zones.length}, one per zone, in zone order`) ??
      assigned.subnetIds?.map((id) => (ec2IdPattern('subnet').test(id) ? undefined : `assigned.subnetIds: "${id}" is not ${describeEc2Id('subnet')}`)).find(Boolean) ??
      (assigned.securityGroupId === undefined || ec2IdPattern('sg').test(assigned.securityGroupId) ? undefined : `assigned.securityGroupId "${assigned.securityGroupId}": expected ${describeEc2Id('sg')}`);
    if (problem) throw new ValidationError(problem, this);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      name: `${props.name}-logs`,
      logGroupName: `/ec2/${this.groupName}/app`,
      retentionDays: props.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
    });
    // The seed's "custom minimal CloudWatch policy": its own logs and metrics, nothing managed, no SSM.
    this.role = new Role(this, 'Role', { name: `${props.name}-instance`, roleName: props.roleName, description: `${props.name} instances: write their own logs and metrics`, assumedBy: 'ec2.amazonaws.com' });
    this.role.addToPolicy({ actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], resources: [this.logGroup.arn, `${this.logGroup.arn}:*`] });
    this.role.addToPolicy({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': INSTANCE_METRICS_NAMESPACE } } });
    const profile = new iam.InstanceProfile(this, 'InstanceProfile', {
      metadata: { name: `${props.name}-instance` },
      spec: { name: this.role.roleName, roleRef: { from: { name: this.role.resource.name } } },
    });

    // What AWS assigns: from config, or (late binding) from the objects' status in the cluster.
    const late = lateBound(this);
    const groupInput: ObjectInput = { name: 'appSecurityGroup', object: props.securityGroup.resource };
    const subnetInputs: ObjectInput[] = zones.map((zone, i) => ({ name: `appSubnet${i}`, object: zone.resource }));
    const securityGroupId = assigned.securityGroupId ?? (late ? valueOf(groupInput, 'status.id') : undefined);
    const subnetIds = assigned.subnetIds ?? (late ? subnetInputs.map((input) => valueOf(input, 'status.subnetID')) : undefined);
    const gate = props.loadBalancer.handedOverLate ? props.loadBalancer.serviceGate() : undefined;
    const targetGroupArn = gate?.expression ?? props.loadBalancer.targetGroupArn;
    if (!securityGroupId || !subnetIds || !targetGroupArn) {
      const missing = [...(securityGroupId ? [] : ['securityGroupID']), ...(subnetIds ? [] : ['subnetIDs'])].map((field) => `${props.assignedConfigPath}.${field}`);
      addWarning(this, 'S4-COMPUTE-PENDING', `no launch template or Auto Scaling group for ${props.name} yet: ACK takes AWS's IDs as plain strings; once applied, put them (outputs ConfigMap) into ${[...missing, ...(targetGroupArn ? [] : ['the target group ARN'])].join(', ')} and synthesize again`);
      return;
    }

    const tagSpecifications = Lazy.any({
      produce: () => {
        const tags = [...Tags.effective(this)].map(([key, value]) => ({ key, value }));
        // The group cannot propagate tags (ACK sets PropagateAtLaunch false, autoscaling-controller v1.2.1 pkg/tags/tags.go:34): the template tags what it launches.
        return ['instance', 'volume'].map((resourceType) => ({ resourceType, tags }));
      },
    }) as unknown as ec2.LaunchTemplateSpecDataTagSpecifications[];
    const template = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      metadata: { name: props.name },
      spec: {
        name: this.launchTemplateName,
        // ACK writes 1 here at create and calls removing it Terminal (ec2-controller v1.20.0 launch_template/hooks.go:209): say it.
        defaultVersion: 1,
        data: {
          imageId: props.imageId,
          instanceType: props.instanceType,
          iamInstanceProfile: { name: this.role.roleName },
          securityGroupIDs: [securityGroupId],
          // IMDSv2 only, one hop: a container or proxy on the instance cannot reach the role's credentials.
          metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
          blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 20, deleteOnTermination: true } }],
          monitoring: { enabled: true },
          tagSpecifications,
        },
      },
    });
    template.addDependency(profile);
    if (!assigned.securityGroupId) defer(template, [groupInput]);

    this.group = new autoscaling.AutoScalingGroup(this, 'Group', {
      metadata: { name: props.name },
      spec: {
        name: this.groupName,
        minSize: props.minSize,
        maxSize: props.maxSize,
        launchTemplate: { launchTemplateName: this.launchTemplateName, version: '$Latest' },
        vpcZoneIdentifier: subnetIds.join(','),
        targetGroupArNs: [targetGroupArn],
        // Replace an instance the load balancer finds unhealthy, after it had time to start.
        healthCheckType: 'ELB',
        healthCheckGracePeriod: 300,
        defaultInstanceWarmup: 300,
      },
    });
    const groupInputs = [...(assigned.subnetIds ? [] : subnetInputs), ...(gate ? [gate.input] : [])];
    if (groupInputs.length > 0) defer(this.group, groupInputs);

    new TargetTrackingPolicy(this, 'CpuPolicy', {
      name: `${props.name}-cpu`,
      autoScalingGroup: { resource: this.group, groupName: this.groupName },
      targetValue: props.targetCpuPercent,
      retain: props.retain,
    });
  }
}
