/**
 * Values AWS assigns, wired in the cluster (R-O6). A construct that needs one
 * (a VPC's ID for its flow log, a load balancer's ARN for an alarm dimension)
 * asks `lateBound(scope)`: with `lateBinding: operator` it builds the object
 * with CEL expressions (`${vpc.status.vpcID}`) and marks it deferred, and
 * `SystemChart` writes it as a DeferredObject the operator renders once the
 * inputs resolve; with `lateBinding: config` it keeps today's path (a config
 * value, or a warning until someone sets it).
 */
import type { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import * as autoscaling from '../../imports/autoscaling.services.k8s.aws';
import * as cloudtrail from '../../imports/cloudtrail.services.k8s.aws';
import * as cloudwatch from '../../imports/cloudwatch.services.k8s.aws';
import * as dynamodb from '../../imports/dynamodb.services.k8s.aws';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import * as ecs from '../../imports/ecs.services.k8s.aws';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws';
import * as lambda from '../../imports/lambda.services.k8s.aws';
import * as route53 from '../../imports/route53.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { DEFERRED_OBJECT_TYPE } from '../../operator/deferred-object/crd';
import { awsContext } from './aws-context';

/**
 * The kinds a chart may defer: the operator's ClusterRole lets it write
 * exactly these (get, patch, delete), and a DeferredObject of any other kind
 * is refused at synth.
 */
export const DEFERRABLE_KINDS = [
  ec2.FlowLog.GVK,
  ec2.VpcPeeringConnection.GVK,
  ec2.RouteTable.GVK,
  cloudwatch.MetricAlarm.GVK,
  cloudwatch.Dashboard.GVK,
  route53.HealthCheck.GVK,
  route53.RecordSet.GVK,
  lambda.Alias.GVK,
  dynamodb.Table.GVK,
  elbv2.TargetGroup.GVK,
  ecs.Service.GVK,
  ec2.LaunchTemplate.GVK,
  autoscaling.AutoScalingGroup.GVK,
  cloudtrail.Trail.GVK,
] as const;

const DEFERRED = 'ack-systems:deferred';

/** An object a DeferredObject may read: one of the chart's own, or a DeferredObject the chart writes ({@link deferredObjectOf}). */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** An input of a deferred object: another object of the same chart (and namespace), read by a CEL variable name. */
export interface ObjectInput {
  /** The CEL variable, a lowerCamel identifier: `vpc`. */
  readonly name: string;
  readonly object: ApiObject | ObjectRef;
  /** Render while it is absent, reading it as an empty map (an object that reads itself). @default false */
  readonly optional?: boolean;
}

/** The DeferredObject synth writes for a deferred `object` (its name: `<kind>-<name>`), to read its status. */
export function deferredObjectOf(object: ApiObject): ObjectRef {
  return { apiVersion: `${DEFERRED_OBJECT_TYPE.group}/${DEFERRED_OBJECT_TYPE.version}`, kind: DEFERRED_OBJECT_TYPE.kind, name: `${object.kind.toLowerCase()}-${object.name}` };
}

/** An AWS lookup input: an API Gateway custom domain's regional target (`regionalDomainName`, `regionalHostedZoneId`). */
export interface DomainNameInput {
  readonly name: string;
  readonly apiGatewayDomainName: { readonly region: string; readonly domainName: string };
}

export type DeferredInput = ObjectInput | DomainNameInput;

/** Whether objects under `scope` wait for the operator to fill in AWS's values. */
export function lateBound(scope: IConstruct): boolean {
  return awsContext(scope).environment.lateBinding === 'operator';
}

/** `${<input>.<path>}`: the CEL expression of a field of an input. */
export function valueOf(input: DeferredInput, path: string): string {
  return `\${${input.name}.${path}}`;
}

/** Whether a value is a late-bound expression (constructs skip their format checks for it: the operator's rendering is checked by the API server). */
export function isLateBound(value: string): boolean {
  return value.includes('${');
}

/**
 * Marks `object` as rendered by the operator from `inputs` (added to any it
 * had): its expressions are evaluated in the cluster, and it is applied once
 * all resolve.
 */
export function defer(object: ApiObject, inputs: readonly DeferredInput[]): void {
  if (!DEFERRABLE_KINDS.some((gvk) => gvk.apiVersion === object.apiVersion && gvk.kind === object.kind)) {
    throw new ValidationError(`${object.kind} cannot be deferred: the operator may write only ${DEFERRABLE_KINDS.map((k) => k.kind).join(', ')} (add it to DEFERRABLE_KINDS, which its RBAC follows)`, object);
  }
  object.node.addMetadata(DEFERRED, inputs);
}

/** The inputs `object` was deferred with (each name once), or undefined. */
export function deferredInputs(object: ApiObject): readonly DeferredInput[] | undefined {
  const inputs = object.node.metadata.filter((entry) => entry.type === DEFERRED).flatMap((entry) => entry.data as DeferredInput[]);
  return inputs.length > 0 ? [...new Map(inputs.map((input) => [input.name, input])).values()] : undefined;
}
