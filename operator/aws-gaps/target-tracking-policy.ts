/**
 * TargetTrackingPolicy: a target-tracking scaling policy on an EC2 Auto
 * Scaling group, which no ACK kind offers (autoscaling-controller v1.2.1
 * serves only AutoScalingGroup). The group's object must not set
 * `desiredCapacity`, or ACK would set it back after every scaling
 * (autoscaling-controller v1.2.1 `auto_scaling_group/delta.go:148` compares
 * it with what AWS reads, `sdk.go:174`).
 */
import { regionOfArn } from '../aws/errors';
import type { ScalingPolicies, TargetTracking } from '../aws/scaling-policies';
import { ACK_TYPES, TARGET_TRACKING_POLICY, type TargetTrackingPolicy } from './crd';
import type { GapKind } from './gap';

/** Region, group and policy name from a scaling policy's ARN (`…:scalingPolicy:<id>:autoScalingGroupName/<group>:policyName/<name>`). */
export function parsePolicyArn(arn: string): { region: string; groupName: string; policyName: string } | undefined {
  const match = /:autoScalingGroupName\/(.+):policyName\/(.+)$/.exec(arn);
  const region = regionOfArn(arn);
  return match && region ? { region, groupName: match[1], policyName: match[2] } : undefined;
}

const same = (a: TargetTracking, b: TargetTracking) =>
  a.metric === b.metric && a.targetValue === b.targetValue && a.disableScaleIn === b.disableScaleIn && a.estimatedInstanceWarmupSeconds === b.estimatedInstanceWarmupSeconds;

export function targetTrackingPolicyKind(policies: ScalingPolicies): GapKind<TargetTrackingPolicy, 'autoScalingGroup'> {
  async function deleteIfPresent(arn: string): Promise<boolean> {
    const at = parsePolicyArn(arn);
    if (!at || !(await policies.describe(at.region, at.groupName, at.policyName))) return false;
    await policies.delete(at.region, at.groupName, at.policyName);
    return true;
  }
  return {
    type: TARGET_TRACKING_POLICY.type,
    refTypes: { autoScalingGroup: ACK_TYPES.autoScalingGroup },
    refs: (object) => ({ autoScalingGroup: object.spec.autoScalingGroupRef.name }),
    async converge(object, { autoScalingGroup }) {
      const region = regionOfArn(autoScalingGroup.arn)!;
      const groupName = autoScalingGroup.object.spec?.name as string;
      const policyName = object.spec.policyName ?? object.metadata!.name!;
      const desired: TargetTracking = {
        metric: object.spec.metric,
        targetValue: object.spec.targetValue,
        disableScaleIn: object.spec.disableScaleIn,
        ...(object.spec.estimatedInstanceWarmupSeconds !== undefined ? { estimatedInstanceWarmupSeconds: object.spec.estimatedInstanceWarmupSeconds } : {}),
      };
      const done: string[] = [];
      // Renamed, or moved to another group: the policy made before goes.
      const before = object.status?.policyARN && parsePolicyArn(object.status.policyARN);
      if (before && (before.region !== region || before.groupName !== groupName || before.policyName !== policyName) && (await deleteIfPresent(object.status!.policyARN!))) {
        done.push(`deleted policy ${before.policyName} of ${before.groupName}`);
      }
      const current = await policies.describe(region, groupName, policyName);
      if (current && same(current, desired)) return { status: { policyARN: current.arn }, changed: done.join('; ') || undefined };
      const policyARN = await policies.put(region, groupName, policyName, desired);
      done.push(`${current ? 'updated' : 'created'} target-tracking policy ${policyName} of ${groupName}: ${desired.metric} at ${desired.targetValue}`);
      return { status: { policyARN }, changed: done.join('; ') };
    },
    async undo(object) {
      const arn = object.status?.policyARN;
      if (!arn || !(await deleteIfPresent(arn))) return undefined;
      return `deleted target-tracking policy ${parsePolicyArn(arn)!.policyName}`;
    },
  };
}
