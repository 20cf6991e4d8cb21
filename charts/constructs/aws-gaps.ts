/**
 * What ACK cannot do, written like any ACK object (R-O7): the operator's
 * gap kinds, each naming the ACK objects it joins. `WebAclAssociation`
 * protects a load balancer with a web ACL, `TrailLogging` makes a trail
 * record, `TargetTrackingPolicy` scales an Auto Scaling group on a metric.
 * Each carries the environment's ACK deletion policy: with `retain`,
 * deleting the object leaves AWS as it is.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { z } from 'zod';
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';
import { ValidationError } from '../../lib/errors';
import { K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import {
  targetTrackingPolicySpecSchema,
  TARGET_TRACKING_POLICY,
  trailLoggingSpecSchema,
  TRAIL_LOGGING,
  webAclAssociationSpecSchema,
  WEB_ACL_ASSOCIATION,
  type TRACKED_METRICS,
} from '../../operator/aws-gaps/crd';
import type { ApiType } from '../../operator/runtime/api-type';
import { arn } from './aws-context';
import { OperatorPolicy } from './operator-policy';

interface GapProps {
  /** Kubernetes object name. */
  readonly name: string;
  /** ACK `deletion-policy: retain`: deleting the object leaves the association, logging or policy. @default false */
  readonly retain?: boolean;
}

/** Writes one gap object, its spec checked against the kind's own schema (the CRD's source). */
function gapObject<S extends z.ZodType>(scope: Construct, api: ApiType, schema: S, props: GapProps, spec: z.input<S>): ApiObject {
  const problem = nameProblem(props.name, K8S_LABEL_NAME);
  if (problem) throw new ValidationError(problem, scope);
  const parsed = schema.safeParse(spec);
  if (!parsed.success) throw new ValidationError(`${api.type.kind} ${props.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ')}`, scope);
  return new ApiObject(scope, 'Resource', {
    apiVersion: `${api.type.group}/${api.type.version}`,
    kind: api.type.kind,
    metadata: { name: props.name, annotations: { [ACK_ANNOTATIONS.deletionPolicy]: props.retain ? 'retain' : 'delete' } },
    spec: parsed.data as Record<string, unknown>,
  });
}

export interface WebAclAssociationProps extends GapProps {
  /** The web ACL (REGIONAL, in this scope's region). */
  readonly webAcl: { readonly resource: ApiObject; readonly webAclName: string };
  /** The Application Load Balancer, in this scope's region. */
  readonly loadBalancer: { readonly resource: ApiObject; readonly loadBalancerName: string };
}

/** Protects a load balancer with a web ACL; ACK has no association (research ack-behaviour.md §8). */
export class WebAclAssociation extends Construct {
  readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: WebAclAssociationProps) {
    super(scope, id);
    this.resource = gapObject(this, WEB_ACL_ASSOCIATION, webAclAssociationSpecSchema, props, { webACLRef: { name: props.webAcl.resource.name }, loadBalancerRef: { name: props.loadBalancer.resource.name } });
    // AWS WAF checks both ends; associating with a load balancer also takes elasticloadbalancing:SetWebAcl (AWS WAF developer guide, "Permissions for associating").
    const loadBalancerArn = arn(this, 'elasticloadbalancing', `loadbalancer/app/${props.loadBalancer.loadBalancerName}/*`);
    OperatorPolicy.of(this).addToPolicy({
      actions: ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL', 'wafv2:GetWebACLForResource'],
      resources: [arn(this, 'wafv2', `regional/webacl/${props.webAcl.webAclName}/*`), loadBalancerArn],
    });
    OperatorPolicy.of(this).addToPolicy({ actions: ['elasticloadbalancing:SetWebAcl'], resources: [loadBalancerArn] });
  }
}

export interface TrailLoggingProps extends GapProps {
  /** The trail, in this scope's region. */
  readonly trail: { readonly resource: ApiObject; readonly trailName: string };
}

/** Makes a trail record: ACK creates trails stopped and never starts them (research ack-behaviour.md §6). */
export class TrailLogging extends Construct {
  readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: TrailLoggingProps) {
    super(scope, id);
    this.resource = gapObject(this, TRAIL_LOGGING, trailLoggingSpecSchema, props, { trailRef: { name: props.trail.resource.name } });
    OperatorPolicy.of(this).addToPolicy({ actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging', 'cloudtrail:StopLogging'], resources: [arn(this, 'cloudtrail', `trail/${props.trail.trailName}`)] });
  }
}

export interface TargetTrackingPolicyProps extends GapProps {
  /** The Auto Scaling group, in this scope's region; its object must not set `desiredCapacity` (ACK would undo the scaling). */
  readonly autoScalingGroup: { readonly resource: ApiObject; readonly groupName: string };
  /** @default ASGAverageCPUUtilization */
  readonly metric?: (typeof TRACKED_METRICS)[number];
  /** The value to hold the metric at, e.g. 70 (percent CPU). */
  readonly targetValue: number;
  /** @default the group's default instance warmup */
  readonly estimatedInstanceWarmupSeconds?: number;
}

/** Scales an Auto Scaling group to keep a metric at a target; no ACK kind offers it. */
export class TargetTrackingPolicy extends Construct {
  readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: TargetTrackingPolicyProps) {
    super(scope, id);
    if (props.autoScalingGroup.resource.toJson().spec?.desiredCapacity !== undefined) {
      throw new ValidationError(`the Auto Scaling group ${props.autoScalingGroup.resource.name} sets desiredCapacity: ACK would set it back after every scaling (autoscaling-controller v1.2.1 delta.go:148); leave it unset`, this);
    }
    if (!(Number.isFinite(props.targetValue) && props.targetValue > 0 && ((props.metric ?? 'ASGAverageCPUUtilization') !== 'ASGAverageCPUUtilization' || props.targetValue <= 100))) {
      throw new ValidationError(`targetValue ${props.targetValue} must be above 0${(props.metric ?? 'ASGAverageCPUUtilization') === 'ASGAverageCPUUtilization' ? ' and at most 100 (percent CPU)' : ''}`, this);
    }
    this.resource = gapObject(this, TARGET_TRACKING_POLICY, targetTrackingPolicySpecSchema, props, {
      autoScalingGroupRef: { name: props.autoScalingGroup.resource.name },
      metric: props.metric,
      targetValue: props.targetValue,
      estimatedInstanceWarmupSeconds: props.estimatedInstanceWarmupSeconds,
    });
    const policy = OperatorPolicy.of(this);
    policy.addToPolicy({ actions: ['autoscaling:DeletePolicy', 'autoscaling:PutScalingPolicy'], resources: [arn(this, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${props.autoScalingGroup.groupName}`)] });
    policy.addToPolicy({ actions: ['autoscaling:DescribePolicies'], resources: ['*'] });
  }
}
