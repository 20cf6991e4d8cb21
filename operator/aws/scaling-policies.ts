/**
 * Target-tracking scaling policies of EC2 Auto Scaling groups:
 * `PutScalingPolicy`, `DescribePolicies`, `DeletePolicy`, for which ACK has
 * no kind (autoscaling-controller v1.2.1 serves only AutoScalingGroup;
 * applicationautoscaling's ScalingPolicy does not cover EC2 groups).
 */
import { AutoScalingClient, DeletePolicyCommand, DescribePoliciesCommand, PutScalingPolicyCommand } from '@aws-sdk/client-auto-scaling';
import { RegionalClients } from './regional-clients';

export type PredefinedMetric = 'ASGAverageCPUUtilization' | 'ASGAverageNetworkIn' | 'ASGAverageNetworkOut' | 'ALBRequestCountPerTarget';

/** What a target-tracking policy keeps: one metric near one value. */
export interface TargetTracking {
  readonly metric: PredefinedMetric;
  readonly targetValue: number;
  /** `targetgroup/…` of the ALB's target group, for ALBRequestCountPerTarget only. */
  readonly resourceLabel?: string;
  readonly disableScaleIn: boolean;
  readonly estimatedInstanceWarmupSeconds?: number;
}

export interface ScalingPolicies {
  /** The policy as AWS has it, or undefined when the group has no policy of that name. */
  describe(region: string, groupName: string, policyName: string): Promise<(TargetTracking & { readonly arn: string }) | undefined>;
  /** Creates or replaces the policy; returns its ARN. */
  put(region: string, groupName: string, policyName: string, policy: TargetTracking): Promise<string>;
  delete(region: string, groupName: string, policyName: string): Promise<void>;
}

export class SdkScalingPolicies implements ScalingPolicies {
  private readonly clients: RegionalClients<AutoScalingClient>;

  constructor(clientFor: (region: string) => AutoScalingClient = (region) => new AutoScalingClient({ region, maxAttempts: 3 })) {
    this.clients = new RegionalClients(clientFor);
  }

  async describe(region: string, groupName: string, policyName: string) {
    const result = await this.clients.in(region).send(new DescribePoliciesCommand({ AutoScalingGroupName: groupName, PolicyNames: [policyName] }));
    const policy = result.ScalingPolicies?.find((p) => p.PolicyName === policyName);
    const tracking = policy?.TargetTrackingConfiguration;
    if (!policy || !tracking) return undefined;
    const label = tracking.PredefinedMetricSpecification?.ResourceLabel;
    return {
      arn: policy.PolicyARN!,
      metric: tracking.PredefinedMetricSpecification?.PredefinedMetricType as PredefinedMetric,
      targetValue: tracking.TargetValue!,
      ...(label ? { resourceLabel: label } : {}),
      disableScaleIn: tracking.DisableScaleIn === true,
      ...(policy.EstimatedInstanceWarmup !== undefined ? { estimatedInstanceWarmupSeconds: policy.EstimatedInstanceWarmup } : {}),
    };
  }

  async put(region: string, groupName: string, policyName: string, policy: TargetTracking): Promise<string> {
    const result = await this.clients.in(region).send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: groupName,
        PolicyName: policyName,
        PolicyType: 'TargetTrackingScaling',
        EstimatedInstanceWarmup: policy.estimatedInstanceWarmupSeconds,
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: policy.metric, ResourceLabel: policy.resourceLabel },
          TargetValue: policy.targetValue,
          DisableScaleIn: policy.disableScaleIn,
        },
      }),
    );
    return result.PolicyARN!;
  }

  async delete(region: string, groupName: string, policyName: string): Promise<void> {
    await this.clients.in(region).send(new DeletePolicyCommand({ AutoScalingGroupName: groupName, PolicyName: policyName }));
  }
}
