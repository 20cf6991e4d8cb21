/**
 * Configuration of system S3 `payment-stack` (SPEC S3, seed 002): a reusable
 * payment API per environment. The values that differ by environment but are
 * shared with other systems live in `settings`.
 */
import { z } from 'zod';
import { engineVersionProblem, FUNCTION_RUNTIME_FAMILY, lambdaRuntimeProblem } from '../catalog';
import { dnsNameProblem, HOSTED_ZONE_ID_PATTERN } from '../validation/aws';
import { networkProblems } from './network';
import { availabilityZones, certificateArn, checked, ec2Id, region, functionCode, strictObject, tagMap, vpcCidr, wholeNumber } from './fields';

const hostedZoneId = z.string().regex(HOSTED_ZONE_ID_PATTERN, { error: 'expected a Route 53 hosted zone ID: Z followed by uppercase letters and digits' });

/** A custom domain for the API (README: "S3: calling the API"). */
const customDomain = strictObject({
  /** A name in a public domain you own: a public certificate must cover it. */
  domainName: checked((name) => dnsNameProblem('domainName', name)),
  /** A public ACM certificate for domainName, in the system's region. */
  certificateARN: certificateArn,
  /** The public Route 53 hosted zone of domainName; the alias record is written there. */
  hostedZoneID: hostedZoneId,
  /**
   * The domain's regional endpoint, which AWS assigns (`aws apigatewayv2 get-domain-name`).
   * @default unset: no DNS record yet (synth warns)
   */
  regionalTarget: strictObject({
    domainName: z.string().regex(/^d-[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/, { error: 'expected the API Gateway regional domain name, d-….execute-api.<region>.amazonaws.com' }),
    hostedZoneID: hostedZoneId,
  }).optional(),
  /** Only the custom domain answers. @default false (needs regionalTarget) */
  disableExecuteAPIEndpoint: z.boolean({ error: 'expected true or false' }).default(false),
}).superRefine((domain, ctx) => {
  if (domain.disableExecuteAPIEndpoint && !domain.regionalTarget) {
    ctx.addIssue({ code: 'custom', path: ['disableExecuteAPIEndpoint'], message: 'needs regionalTarget: without a DNS record the API would have no way in' });
  }
});

export const paymentStackSchema = strictObject({
  tags: tagMap({ Project: undefined, Application: undefined, Compliance: 'PCI-DSS' }),
  /** @default us-east-1 */
  region: region.default('us-east-1'),
  network: strictObject({
    /** SPEC S3: 10.0.0.0/16. */
    cidr: vpcCidr,
    /** Three private subnets, one per zone (SPEC S3). */
    availabilityZones,
    /** @default 24 */
    subnetPrefixLength: wholeNumber(16, 28).default(24),
    /**
     * The AWS-managed prefix list of DynamoDB in the region: the function's only
     * HTTPS destination (`aws ec2 describe-managed-prefix-lists --filters
     * Name=prefix-list-name,Values=com.amazonaws.<region>.dynamodb`).
     */
    dynamoDBPrefixListID: ec2Id('pl'),
    /** The VPC's ID once created; enables flow logs. @default unset (synth warns) */
    vpcID: ec2Id('vpc').optional(),
  }),
  database: strictObject({
    /** PostgreSQL 15.x, checked against the maintained table (R-G9). */
    engineVersion: checked((version) => engineVersionProblem('postgres', version, '15')),
  }),
  lambda: strictObject({
    /** A current Node.js runtime; deprecated ones are rejected (R-G9). */
    runtime: checked((runtime) => lambdaRuntimeProblem(runtime, FUNCTION_RUNTIME_FAMILY)),
    code: functionCode,
  }),
  api: strictObject({
    /** @default unset: clients use the API's execute-api endpoint (apiEndpoint in the outputs) */
    customDomain: customDomain.optional(),
    /** Origins allowed by CORS: exact https origins. */
    corsAllowOrigins: z.array(z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, { error: 'expected an exact https origin like https://pay.example.com' })).min(1),
    /** The API's ID once created; scopes the function's invoke permission, enables the 5XX alarm. @default unset (synth warns) */
    apiID: z.string().regex(/^[a-z0-9]{10}$/, { error: 'expected an API Gateway API ID (10 lowercase letters and digits)' }).optional(),
  }),
  /** Alarm thresholds (R-G12). */
  alarms: strictObject({
    rdsCpuPercent: wholeNumber(1, 100),
    lambdaErrors: wholeNumber(1, 100000),
    lambdaThrottles: wholeNumber(1, 100000),
    api5xx: wholeNumber(1, 100000),
  }),
}).superRefine((stack, ctx) => {
  for (const { path, message } of networkProblems(stack.network, stack.region, { private: stack.network.subnetPrefixLength })) ctx.addIssue({ code: 'custom', path, message });
  const certificateRegion = stack.api.customDomain?.certificateARN.split(':')[3];
  if (certificateRegion !== undefined && certificateRegion !== stack.region) {
    ctx.addIssue({ code: 'custom', path: ['api', 'customDomain', 'certificateARN'], message: `is in ${certificateRegion}; a regional API's certificate must be in the system's region ${stack.region}` });
  }
});

export type PaymentStackConfig = z.output<typeof paymentStackSchema>;
