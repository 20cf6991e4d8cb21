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

/** A custom domain for the API (docs/systems/README.md, "S3: calling the API"). */
const customDomain = strictObject({
  domainName: checked((name) => dnsNameProblem('domainName', name)).meta({ description: 'A name in a public domain you own: a public certificate must cover it.' }),
  certificateARN: certificateArn.meta({ description: 'A public ACM certificate for domainName, in the system\'s region.' }),
  hostedZoneID: hostedZoneId.meta({ description: 'The public Route 53 hosted zone of domainName; the alias record is written there.' }),
  regionalTarget: strictObject({
    domainName: z.string().regex(/^d-[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/, { error: 'expected the API Gateway regional domain name, d-….execute-api.<region>.amazonaws.com' }),
    hostedZoneID: hostedZoneId,
  }).optional().meta({ description: 'The domain\'s regional endpoint, which AWS assigns (`aws apigatewayv2 get-domain-name`). @default unset: no DNS record yet (synth warns)' }),
  disableExecuteAPIEndpoint: z.boolean({ error: 'expected true or false' }).default(false).meta({ description: 'Only the custom domain answers. @default false (needs regionalTarget)' }),
}).superRefine((domain, ctx) => {
  if (domain.disableExecuteAPIEndpoint && !domain.regionalTarget) {
    ctx.addIssue({ code: 'custom', path: ['disableExecuteAPIEndpoint'], message: 'needs regionalTarget: without a DNS record the API would have no way in' });
  }
});

export const paymentStackSchema = strictObject({
  tags: tagMap({ Project: undefined, Application: undefined, Compliance: 'PCI-DSS' }).meta({ description: 'System tags, added to (and overriding) the environment\'s: Project, Application and Compliance: PCI-DSS are required.' }),
  region: region.default('us-east-1').meta({ description: '@default us-east-1' }),
  network: strictObject({
    cidr: vpcCidr.meta({ description: 'The VPC\'s block (SPEC S3: 10.0.0.0/16): one private subnet per zone.' }),
    availabilityZones: availabilityZones.meta({ description: 'Three private subnets, one per zone (SPEC S3).' }),
    subnetPrefixLength: wholeNumber(16, 28).default(24).meta({ description: '@default 24' }),
    dynamoDBPrefixListID: ec2Id('pl').meta({ description: 'The AWS-managed prefix list of DynamoDB in the region: the function\'s only HTTPS destination (`aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.<region>.dynamodb`).' }),
    vpcID: ec2Id('vpc').optional().meta({ description: 'The VPC\'s ID once created; enables flow logs. @default unset (synth warns)' }),
  }),
  database: strictObject({
    engineVersion: checked((version) => engineVersionProblem('postgres', version, '15')).meta({ description: 'PostgreSQL 15.x, checked against the maintained table (R-G9).' }),
  }),
  lambda: strictObject({
    runtime: checked((runtime) => lambdaRuntimeProblem(runtime, FUNCTION_RUNTIME_FAMILY)).meta({ description: 'A current Node.js runtime; deprecated ones are rejected (R-G9).' }),
    code: functionCode.meta({ description: 'The payment API\'s package (functions/payment-api/).' }),
  }),
  api: strictObject({
    customDomain: customDomain.optional().meta({ description: '@default unset: clients use the API\'s execute-api endpoint (apiEndpoint in the outputs)' }),
    corsAllowOrigins: z.array(z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, { error: 'expected an exact https origin like https://pay.example.com' })).min(1).meta({ description: 'Origins allowed by CORS: exact https origins.' }),
    apiID: z.string().regex(/^[a-z0-9]{10}$/, { error: 'expected an API Gateway API ID (10 lowercase letters and digits)' }).optional().meta({ description: 'The API\'s ID once created; scopes the function\'s invoke permission, enables the 5XX alarm. @default unset (synth warns)' }),
  }),
  alarms: strictObject({
    rdsCpuPercent: wholeNumber(1, 100).meta({ description: 'CPU of each database instance.' }),
    lambdaErrors: wholeNumber(1, 100000).meta({ description: 'Errors of the API function per 5 minutes.' }),
    lambdaThrottles: wholeNumber(1, 100000).meta({ description: 'Throttled invocations per 5 minutes.' }),
    api5xx: wholeNumber(1, 100000).meta({ description: 'Server errors of the API per 5 minutes (needs api.apiID).' }),
  }).meta({ description: 'Alarm thresholds (R-G12).' }),
}).superRefine((stack, ctx) => {
  for (const { path, message } of networkProblems(stack.network, stack.region, { private: stack.network.subnetPrefixLength })) ctx.addIssue({ code: 'custom', path, message });
  const certificateRegion = stack.api.customDomain?.certificateARN.split(':')[3];
  if (certificateRegion !== undefined && certificateRegion !== stack.region) {
    ctx.addIssue({ code: 'custom', path: ['api', 'customDomain', 'certificateARN'], message: `is in ${certificateRegion}; a regional API's certificate must be in the system's region ${stack.region}` });
  }
});

export type PaymentStackConfig = z.output<typeof paymentStackSchema>;
