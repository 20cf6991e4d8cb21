/**
 * The ACK-gap controllers' AWS adapters (R-O7), at the SDK boundary with
 * aws-sdk-client-mock: the right command with the right parameters, sent to
 * the region the resource's ARN names; and which AWS errors are Terminal.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { AutoScalingClient, DescribePoliciesCommand, PutScalingPolicyCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { regional } from '../../support/regional-clients';
import { awsFailure, regionOfArn } from '../../../operator/aws/errors';
import { SdkScalingPolicies } from '../../../operator/aws/scaling-policies';
import { SdkTrailLogging } from '../../../operator/aws/trail-logging';
import { SdkWebAclAssociations } from '../../../operator/aws/web-acl-associations';
import { parsePolicyArn } from '../../../operator/aws-gaps/target-tracking-policy';

const waf = mockClient(WAFV2Client);
const cloudtrail = mockClient(CloudTrailClient);
const autoscaling = mockClient(AutoScalingClient);
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const ACL = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web-waf/a1b2';

beforeEach(() => {
  waf.reset();
  cloudtrail.reset();
  autoscaling.reset();
});


describe('AWS errors (R-O7)', () => {
  test.each([
    ['AccessDeniedException', 'terminal'],
    ['ValidationError', 'terminal'],
    ['WAFInvalidParameterException', 'terminal'],
    ['ThrottlingException', 'retry'],
    ['Throttling', 'retry'],
    ['ServiceUnavailable', 'retry'],
    ['WAFUnavailableEntityException', 'retry'],
  ])('R-O7 %s is %s', (name, kind) => {
    expect(awsFailure(Object.assign(new Error('said AWS'), { name }))).toEqual({ kind, message: `${name}: said AWS` });
  });

  test('R-O7 the region comes from the ARN; a global ARN has none', () => {
    expect(regionOfArn(LB)).toBe('eu-west-1');
    expect(regionOfArn('arn:aws:iam::123456789012:role/x')).toBeUndefined();
  });
});

describe('WAF associations (R-O7)', () => {
  test('R-O7 reads, associates and disassociates in the load balancer\'s region', async () => {
    waf.on(GetWebACLForResourceCommand).resolves({ WebACL: { ARN: ACL, Name: 'web-waf', Id: 'a1b2', DefaultAction: { Allow: {} }, VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'm' } } });
    waf.on(AssociateWebACLCommand).resolves({});
    waf.on(DisassociateWebACLCommand).resolves({});
    const { clientFor, regions } = regional((region) => new WAFV2Client({ region }));
    const associations = new SdkWebAclAssociations(clientFor);
    expect(await associations.associatedWith(LB)).toBe(ACL);
    await associations.associate(ACL, LB);
    await associations.disassociate(LB);
    expect(waf.commandCalls(AssociateWebACLCommand)[0].args[0].input).toEqual({ WebACLArn: ACL, ResourceArn: LB });
    expect(waf.commandCalls(DisassociateWebACLCommand)[0].args[0].input).toEqual({ ResourceArn: LB });
    expect(regions).toEqual(['eu-west-1']);
  });

  test('R-O7 a resource without a web ACL reads as undefined', async () => {
    waf.on(GetWebACLForResourceCommand).resolves({});
    expect(await new SdkWebAclAssociations().associatedWith(LB)).toBeUndefined();
  });
});

describe('trail logging (R-O7)', () => {
  test('R-O7 asks the trail\'s home region by its ARN, and starts it there', async () => {
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudtrail.on(StartLoggingCommand).resolves({});
    const { clientFor, regions } = regional((region) => new CloudTrailClient({ region }));
    const trails = new SdkTrailLogging(clientFor);
    const arn = 'arn:aws:cloudtrail:ap-south-1:123456789012:trail/audit-trail-prod';
    expect(await trails.isLogging(arn)).toBe(false);
    await trails.start(arn);
    expect(cloudtrail.commandCalls(StartLoggingCommand)[0].args[0].input).toEqual({ Name: arn });
    expect(regions).toEqual(['ap-south-1']);
  });
});

describe('scaling policies (R-O7)', () => {
  test('R-O7 put sends a target-tracking policy; describe reads it back in the same shape', async () => {
    const arn = 'arn:aws:autoscaling:ap-south-1:123456789012:scalingPolicy:0f0e:autoScalingGroupName/app-prod:policyName/app-cpu';
    autoscaling.on(PutScalingPolicyCommand).resolves({ PolicyARN: arn });
    autoscaling.on(DescribePoliciesCommand).resolves({
      ScalingPolicies: [{ PolicyName: 'app-cpu', PolicyARN: arn, EstimatedInstanceWarmup: 300, TargetTrackingConfiguration: { TargetValue: 70, DisableScaleIn: false, PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' } } }],
    });
    const policies = new SdkScalingPolicies();
    const desired = { metric: 'ASGAverageCPUUtilization', targetValue: 70, disableScaleIn: false, estimatedInstanceWarmupSeconds: 300 } as const;
    expect(await policies.put('ap-south-1', 'app-prod', 'app-cpu', desired)).toBe(arn);
    expect(autoscaling.commandCalls(PutScalingPolicyCommand)[0].args[0].input).toEqual({
      AutoScalingGroupName: 'app-prod',
      PolicyName: 'app-cpu',
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 300,
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 70, DisableScaleIn: false },
    });
    expect(await policies.describe('ap-south-1', 'app-prod', 'app-cpu')).toEqual({ arn, ...desired });
    expect(parsePolicyArn(arn)).toEqual({ region: 'ap-south-1', groupName: 'app-prod', policyName: 'app-cpu' });
  });

  test('R-O7 a step-scaling policy of the same name does not count as the target-tracking one', async () => {
    autoscaling.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [{ PolicyName: 'app-cpu', PolicyARN: 'arn', PolicyType: 'StepScaling' }] });
    expect(await new SdkScalingPolicies().describe('ap-south-1', 'app-prod', 'app-cpu')).toBeUndefined();
  });
});
