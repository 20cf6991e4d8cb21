/**
 * Names of AWS resources and Kubernetes objects (R-G2, R-G4).
 *
 * AWS names are deterministic: environment-prefixed or -suffixed parts joined
 * with dashes, checked against each service's length and character rules at
 * synth time, so an illegal name fails here rather than in an ACK controller.
 * Globally unique names get a stable hash suffix, the same on every synth.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from './errors';

export interface NameRule {
  /** What the name names, for messages. */
  readonly resource: string;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp;
  /** The characters allowed, in words. */
  readonly allowed: string;
}

const rule = (resource: string, minLength: number, maxLength: number, pattern: RegExp, allowed: string): NameRule => ({
  resource,
  minLength,
  maxLength,
  pattern,
  allowed,
});

/** Length and character rules per AWS service, from each service's API reference. */
export const AWS_NAME_RULES = {
  s3Bucket: rule('S3 bucket', 3, 63, /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]*[a-z0-9](?<!-s3alias)$/, 'lowercase letters, digits, dots and dashes, starting and ending with a letter or digit'),
  iamRole: rule('IAM role', 1, 64, /^[\w+=,.@-]+$/, 'letters, digits and +=,.@_-'),
  iamPolicy: rule('IAM policy', 1, 128, /^[\w+=,.@-]+$/, 'letters, digits and +=,.@_-'),
  rdsIdentifier: rule('RDS identifier', 1, 63, /^[a-z](?!.*--)[a-z0-9-]*(?<!-)$/, 'lowercase letters, digits and single dashes, starting with a letter and not ending with a dash'),
  securityGroup: rule('security group', 1, 255, /^(?!sg-)[\w .\-:/()#,@[\]+=&;{}!$*]+$/, 'letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with "sg-"'),
  lambdaFunction: rule('Lambda function', 1, 64, /^[\w-]+$/, 'letters, digits, dashes and underscores'),
  logGroup: rule('CloudWatch log group', 1, 512, /^[\w\-/.#]+$/, 'letters, digits and _-/.#'),
  kmsAlias: rule('KMS alias', 7, 256, /^alias\/(?!aws\/)[\w/-]+$/, '"alias/" followed by letters, digits and /_- (not "alias/aws/")'),
  dynamodbTable: rule('DynamoDB table', 3, 255, /^[\w.-]+$/, 'letters, digits and _.-'),
  sqsQueue: rule('SQS queue', 1, 80, /^[\w-]+(\.fifo)?$/, 'letters, digits, dashes and underscores (".fifo" suffix for FIFO queues)'),
  snsTopic: rule('SNS topic', 1, 256, /^[\w-]+(\.fifo)?$/, 'letters, digits, dashes and underscores'),
  httpApi: rule('API Gateway API', 1, 128, /^[\w.-]+$/, 'letters, digits and _.-'),
  webAcl: rule('WAF web ACL', 1, 128, /^[\w-]+$/, 'letters, digits, dashes and underscores'),
  metricAlarm: rule('CloudWatch alarm', 1, 255, /^[\w .:/-]+$/, 'letters, digits, spaces and _.:/-'),
  dashboard: rule('CloudWatch dashboard', 1, 255, /^[\w-]+$/, 'letters, digits, dashes and underscores'),
  ecsName: rule('ECS cluster, service or task family', 1, 255, /^[A-Za-z0-9_-]+$/, 'letters, digits, dashes and underscores'),
  loadBalancer: rule('load balancer or target group', 1, 32, /^[A-Za-z0-9](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$/, 'letters, digits and single dashes, not starting or ending with a dash, at most 32 characters'),
  cacheCluster: rule('ElastiCache replication group', 1, 40, /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, 'lowercase letters, digits and single dashes, starting with a letter, at most 40 characters'),
  autoScalingGroup: rule('Auto Scaling group', 1, 255, /^[\w.-]+$/, 'letters, digits and _.-'),
  launchTemplate: rule('launch template', 3, 128, /^[\w().\/-]+$/, 'letters, digits and ().-/_'),
  instanceProfile: rule('IAM instance profile', 1, 128, /^[\w+=,.@-]+$/, 'letters, digits and +=,.@_-'),
  cloudTrail: rule('CloudTrail trail', 3, 128, /^[A-Za-z0-9](?!.*[._-]{2})[\w.-]*[A-Za-z0-9]$/, 'letters, digits, periods, underscores and dashes, starting and ending with a letter or digit, no two symbols in a row'),
  secret: rule('Secrets Manager secret', 1, 512, /^[\w/+=.@-]+$/, 'letters, digits and /_+=.@-'),
} as const satisfies Record<string, NameRule>;

/** Kubernetes object names that must be DNS-1123 labels (namespaces, services, most objects). */
export const K8S_LABEL_NAME = rule('Kubernetes object', 1, 63, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lowercase letters, digits and dashes, starting and ending with a letter or digit');

/** Kubernetes object names that are DNS-1123 subdomains (Leases, ConfigMaps, most named objects). */
export const K8S_SUBDOMAIN_NAME = rule(
  'Kubernetes object',
  1,
  253,
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  'lowercase letters, digits, dashes and dots, each dot-separated part starting and ending with a letter or digit',
);

/**
 * Why `name` breaks `nameRule`, or `undefined` when it is legal.
 */
export function nameProblem(name: string, nameRule: NameRule): string | undefined {
  if (name.length < nameRule.minLength || name.length > nameRule.maxLength) {
    return `${nameRule.resource} name "${name}" is ${name.length} characters; allowed: ${nameRule.minLength}-${nameRule.maxLength}`;
  }
  if (!nameRule.pattern.test(name)) {
    return `${nameRule.resource} name "${name}" is not allowed; allowed: ${nameRule.allowed}`;
  }
  return undefined;
}

/**
 * Joins the non-empty parts with dashes and checks the result against the rule.
 * @throws ValidationError naming the rule and the fix.
 */
export function joinName(nameRule: NameRule, parts: readonly string[]): string {
  const name = parts.filter((part) => part.length > 0).join('-');
  const problem = nameProblem(name, nameRule);
  if (problem) {
    throw new ValidationError(`${problem}. Shorten environmentSuffix or the name's fixed parts (${JSON.stringify(parts)}).`);
  }
  return name;
}

/**
 * A deterministic suffix for globally unique names (S3): the first `length` hex
 * digits of SHA-256 over the inputs. Same inputs, same suffix, on every synth.
 */
export function stableSuffix(inputs: readonly string[], length = 8): string {
  return createHash('sha256').update(inputs.join('\u0000')).digest('hex').slice(0, length);
}
