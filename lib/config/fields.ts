/**
 * Field schemas shared by every configuration section. Each error message says
 * what is allowed; the loader adds the file, the field path and the bad value.
 */
import { z } from 'zod';
import {
  ACCOUNT_ID_PATTERN,
  AWS_REGIONS,
  CERTIFICATE_ARN_PATTERN,
  VPC_PREFIX_RANGE,
  describeEc2Id,
  ec2IdPattern,
  isAwsRegion,
  parseCidr,
  type AwsRegion,
  type Cidr,
  type Ec2IdPrefix,
} from '../validation/aws';
import { tagKeyProblem, tagValueProblem } from '../tags/tag-rules';

/** A strict object: unknown fields (typos) are errors that list the allowed fields. */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field; allowed here: ${allowed}` : undefined),
  });
}

export function ec2Id(prefix: Ec2IdPrefix) {
  return z.string().regex(ec2IdPattern(prefix), { error: `expected ${describeEc2Id(prefix)}` });
}

export const accountId = z.string().regex(ACCOUNT_ID_PATTERN, { error: 'expected a 12-digit AWS account ID, quoted as a string' });

export const region = z
  .string()
  .refine((value): value is AwsRegion => isAwsRegion(value), { error: `expected an AWS region, one of: ${AWS_REGIONS.join(', ')}` })
  .meta({ format: 'an AWS region, e.g. us-east-1' });

/** A canonical IPv4 CIDR block, parsed. */
export const cidrBlock = z.string().meta({ format: 'IPv4 CIDR block, e.g. 10.0.0.0/16' }).transform((text, ctx): Cidr => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

export const vpcCidr = cidrBlock.refine(
  (cidr) => cidr.prefixLength >= VPC_PREFIX_RANGE.min && cidr.prefixLength <= VPC_PREFIX_RANGE.max,
  { error: `a VPC CIDR block must be between /${VPC_PREFIX_RANGE.min} and /${VPC_PREFIX_RANGE.max}` },
);

/**
 * AWS tags as a YAML map.
 * @param required tag keys that must be present, with the value they must have
 *   (`undefined`: any value).
 */
export function tagMap(required: Readonly<Record<string, string | undefined>> = {}) {
  return z.record(z.string(), z.string({ error: 'expected a tag value (a string; quote numbers)' })).superRefine((tags, ctx) => {
    for (const [key, value] of Object.entries(tags)) {
      const problem = tagKeyProblem(key) ?? tagValueProblem(key, value);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
    for (const [key, value] of Object.entries(required)) {
      if (!(key in tags)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `required tag${value ? ` (must be "${value}")` : ''}` });
      } else if (value !== undefined && tags[key] !== value) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must be "${value}"` });
      }
    }
  });
}

/** A value from a maintained table (R-G9); the message names the valid choices. */
export function oneOf<T extends string>(values: readonly T[], what: string) {
  return z
    .string()
    .refine((value): value is T => (values as readonly string[]).includes(value), { error: `expected ${what}, one of: ${values.join(', ')}` })
    .meta({ enum: [...values] });
}

/** A whole number in a range. */
export function wholeNumber(min: number, max: number) {
  return z.number({ error: `expected a whole number from ${min} to ${max}` }).int({ error: `expected a whole number from ${min} to ${max}` }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });
}

/**
 * Where a function's deployment package is uploaded: the bucket. The key is
 * the package's content hash, which synth computes (`npm run build:functions`).
 */
export const functionCode = strictObject({
  s3Bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' }).meta({ description: 'Where the function\'s package is uploaded; the key is the package\'s content hash (`npm run build:functions`).' }),
});

/** An ACM certificate ARN. */
export const certificateArn = z.string().regex(CERTIFICATE_ARN_PATTERN, {
  error: 'expected an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<uuid>',
});

/** Availability zones of a region, e.g. us-east-1a. */
export const availabilityZones = z
  .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { error: 'expected an availability zone like us-east-1a' }), { error: 'expected a list of availability zones' })
  .min(1, { error: 'name at least one availability zone' })
  .max(6, { error: 'at most 6 availability zones' });

/** A string checked by a function that returns a problem sentence (from the catalog, usually). */
export function checked(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
}
