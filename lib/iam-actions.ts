/** IAM facts the charts and the linter share. */

/**
 * The only actions a policy may grant on `Resource: "*"`: AWS does not support
 * resource-level permissions for them (Service Authorization Reference), so no
 * narrower resource exists. Each entry says why; docs/architecture.md lists them;
 * the linter allows `*` for exactly these.
 */
export const UNSCOPED_ACTIONS: Readonly<Record<string, string>> = {
  'ec2:DescribeNetworkInterfaces': 'EC2 Describe* actions do not support resource-level permissions; Lambda needs it to manage its VPC network interfaces',
  'ec2:DescribeSubnets': 'EC2 Describe* actions do not support resource-level permissions; Lambda reads the subnets of its VPC configuration',
  'ecr:GetAuthorizationToken': 'the registry login token is account-wide; ECR supports no resource for this action (image pulls are scoped to the repository)',
  'rds:DescribeGlobalClusters': 'the failover controller reads the global database\'s writer and replication; AWS\'s own policy for ARC Region switch grants it on * (research dr.md §1)',
  'cloudwatch:GetMetricData': 'CloudWatch supports no resource for reading metrics; the failover controller reads Aurora\'s replication lag, the data loss an unplanned failover accepts',
  'cloudwatch:PutMetricData': 'CloudWatch supports no resource for publishing metrics; every statement granting it is limited to one namespace by the cloudwatch:namespace condition',
  'autoscaling:DescribePolicies': 'EC2 Auto Scaling Describe* actions support no resource; the TargetTrackingPolicy controller reads its one policy to write only on a difference',
};
