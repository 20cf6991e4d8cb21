/**
 * Configuration of system S3 `payment-stack` (SPEC S3, seed 002): a reusable
 * payment API per environment. The values that differ by environment but are
 * shared with other systems live in `settings`.
 */
import { z } from 'zod';
import { engineVersionProblem, lambdaRuntimeProblem, RDS_ENGINES } from '../catalog';
import { availabilityZones, certificateArn, checked, ec2Id, region, s3Object, strictObject, tagMap, vpcCidr, wholeNumber } from './fields';

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
    /** The VPC's ID once created; enables flow logs. @default unset (synth warns) */
    vpcID: ec2Id('vpc').optional(),
  }),
  database: strictObject({
    /** PostgreSQL 15.x, checked against the maintained table (R-G9). */
    engineVersion: checked(
      (version) =>
        engineVersionProblem('postgres', version) ??
        (version.startsWith('15.') ? undefined : `SPEC S3 asks for PostgreSQL 15.x; valid: ${RDS_ENGINES.postgres.versions.filter((v) => v.startsWith('15.')).join(', ')}`),
    ),
  }),
  lambda: strictObject({
    /** A current Node.js runtime; deprecated ones are rejected (R-G9). */
    runtime: checked((runtime) => lambdaRuntimeProblem(runtime) ?? (runtime.startsWith('nodejs') ? undefined : 'SPEC S3 asks for a Node.js runtime')),
    code: s3Object,
  }),
  api: strictObject({
    /** Certificate of `api-<environment>.payments.internal` (a private CA's, as the zone is internal). */
    certificateARN: certificateArn,
    /** Origins allowed by CORS: exact https origins. */
    corsAllowOrigins: z.array(z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, { error: 'expected an exact https origin like https://pay.example.com' })).min(1),
    /** The API's ID once created; enables the 5XX alarm and dashboard widget. @default unset (synth warns) */
    apiID: z.string().regex(/^[a-z0-9]{10}$/, { error: 'expected an API Gateway API ID (10 lowercase letters and digits)' }).optional(),
  }),
  /** Alarm thresholds (R-G12). */
  alarms: strictObject({
    rdsCpuPercent: wholeNumber(1, 100),
    lambdaErrors: wholeNumber(1, 100000),
    lambdaThrottles: wholeNumber(1, 100000),
    api5xx: wholeNumber(1, 100000),
  }),
});

export type PaymentStackConfig = z.output<typeof paymentStackSchema>;
