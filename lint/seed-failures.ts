/**
 * Every failure the five seeds name (`../shared/seeds/`), and what catches it:
 * a lint rule for manifests written by hand, and, for what the construct
 * library makes impossible, the test that proves it. `docs/reference/lint-rules.md`
 * shows this table; a test checks that every rule and test named here exists.
 */

export interface SeedFailure {
  /** Seed file prefix and the item as the seed numbers it. */
  readonly seed: string;
  readonly failure: string;
  /** Lint rules that find it in any manifest. */
  readonly rules: readonly string[];
  /** Where the construct library makes it impossible: a test file and the start of the test's name. */
  readonly construct?: { readonly file: string; readonly test: string };
  /** Why neither applies, when the failure is not about the manifests (code layout, tooling). */
  readonly notAboutManifests?: string;
}

const tooling = (why: string) => ({ rules: [] as string[], notAboutManifests: why });

export const SEED_FAILURES: readonly SeedFailure[] = [
  { seed: '000 1.1', failure: 'security groups open too wide (all protocols, 0.0.0.0/0)', rules: ['ACKS-SG-001', 'ACKS-SG-002', 'ACKS-SG-003'], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'S1 never protocol -1, never 0.0.0.0/0' } },
  { seed: '000 1.2', failure: 'security groups without names', rules: [], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'S1 security groups have explicit, environment-suffixed names' } },
  { seed: '000 1.3', failure: 'insufficient compliance tagging', rules: ['ACKS-TAG-001'], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'R-G3 every AWS resource carries the PCI-DSS compliance tag set' } },
  { seed: '000 2.1', failure: 'no VPC validation', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'S1 overlapping VPC CIDRs are rejected' } },
  { seed: '000 2.2', failure: 'no route table validation', rules: ['ACKS-REF-001'], construct: { file: 'test/unit/config.test.ts', test: 'S1 a route table listed twice is rejected' } },
  { seed: '000 2.3', failure: 'no input validation', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'R-G1 every problem in a file is listed' } },
  { seed: '000 3.1', failure: 'no default tags on providers', rules: ['ACKS-TAG-001'], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'R-G3 every AWS resource carries the PCI-DSS compliance tag set' } },
  { seed: '000 3.2', failure: 'inconsistent provider (region) naming', rules: ['ACKS-REGION-001'], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'S1 the connection is requested from us-east-1' } },
  { seed: '000 4.1', failure: 'incomplete DNS resolution options', rules: [], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'S1 DNS resolution' } },
  { seed: '000 5.1', failure: 'no monitoring or alarms', rules: ['ACKS-ALARM-001'], construct: { file: 'test/unit/constructs/compute-and-api.test.ts', test: 'R-G12 an alarm has a description, a threshold and notifies the topic' } },
  { seed: '000 5.2', failure: 'limited outputs', rules: [], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'S1 R-G10 outputs' } },
  { seed: '000 6.1', failure: 'hard-coded values in code', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'R-G1 a valid file parses, with defaults applied' } },
  { seed: '000 6.2', failure: 'no environment-specific config files', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'R-G1 every YAML file is an environment' } },
  { seed: '000 7.1, 7.2, 8.1, 8.2, 9.1', failure: 'documentation, .gitignore, docstrings, versions, test dependencies', ...tooling('project hygiene, not manifests: README, docs/ and package.json pin them') },
  { seed: '000 8.3', failure: 'auto-accept on a cross-region peering (it cannot work; the accepter must accept)', rules: ['ACKS-CONV-001'], construct: { file: 'test/unit/vpc-peering.test.ts', test: 'S1 the connection is requested from us-east-1' } },
  { seed: '001 1', failure: 'invalid Aurora PostgreSQL version 15.3', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'R-G9 Aurora PostgreSQL 15.3 is rejected in config' } },
  { seed: '001 2', failure: 'project name mismatch', ...tooling('a Pulumi project setting; cdk8s has one app, checked by synth') },
  { seed: '001 3', failure: 'hard-coded database credentials', rules: ['ACKS-SECRET-001', 'ACKS-LAMBDA-002'], construct: { file: 'test/unit/constructs/data-stores.test.ts', test: 'R-G8 defaults: AWS-managed master password' } },
  { seed: '001 4', failure: 'no VPC flow logs', rules: ['ACKS-NET-001'], construct: { file: 'test/unit/constructs/network.test.ts', test: 'S2 flow logs: ALL traffic to a log group with retention' } },
  { seed: '001 5', failure: 'placeholder container image (nginx:latest)', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'S2 :latest is refused for a production image' } },
  { seed: '001 6', failure: 'no database migration strategy', rules: [], construct: { file: 'test/unit/payment-processing.test.ts', test: 'S2 the migration runner' } },
  { seed: '001 7', failure: 'wasteful subnet CIDR allocation', rules: [], construct: { file: 'test/unit/constructs/network.test.ts', test: 'S2 subnets per tier per zone, packed without gaps' } },
  { seed: '001 8', failure: 'no CloudWatch dashboard', rules: [], construct: { file: 'test/unit/payment-processing.test.ts', test: 'S2 R-G12 alarms with descriptions and the SNS action; a dashboard' } },
  { seed: '001 9', failure: 'no cost tagging', rules: ['ACKS-TAG-001'], construct: { file: 'test/unit/payment-processing.test.ts', test: 'S2 R-G3 cost-allocation tags on every AWS resource' } },
  { seed: '002 1.1-1.4', failure: 'monolithic code, no reusable component, no types, inline configuration', ...tooling('code structure: one chart per system over typed constructs and one config schema') },
  { seed: '002 2.1', failure: 'private subnets without route tables', rules: ['ACKS-REF-001'], construct: { file: 'test/unit/payment-stack.test.ts', test: 'S3 VPC 10.0.0.0/16 with three private subnets, route tables' } },
  { seed: '002 2.2', failure: 'database in the default security group', rules: ['ACKS-REF-002'], construct: { file: 'test/unit/constructs/data-stores.test.ts', test: 'its own subnet group (isolated tier when there is one) and security group' } },
  { seed: '002 2.3', failure: 'Lambda without its own security group', rules: [], construct: { file: 'test/unit/constructs/compute-and-api.test.ts', test: 'in a VPC: private subnets and a security group of its own' } },
  { seed: '002 3.1, 3.2', failure: 'KMS key without alias, without rotation', rules: ['ACKS-KMS-001'], construct: { file: 'test/unit/constructs/kms-iam-logs.test.ts', test: 'defaults: rotation on, symmetric encryption key' } },
  { seed: '002 3.3', failure: 'no database log exports', rules: ['ACKS-RDS-004'], construct: { file: 'test/unit/constructs/data-stores.test.ts', test: 'defaults: 7 days of backups, windows, PostgreSQL log exports' } },
  { seed: '002 3.4', failure: 'no Multi-AZ in production', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'R-G7 a production environment needs Multi-AZ and a week of backups' } },
  { seed: '002 3.5', failure: 'no backup configuration', rules: ['ACKS-RDS-003'], construct: { file: 'test/unit/constructs/data-stores.test.ts', test: 'defaults: 7 days of backups, windows, PostgreSQL log exports' } },
  { seed: '002 3.6', failure: 'no storage autoscaling', rules: [], construct: { file: 'test/unit/constructs/data-stores.test.ts', test: 'rejects storage that cannot grow' } },
  { seed: '002 3.7', failure: 'outdated engine version', rules: [], construct: { file: 'test/unit/config.test.ts', test: 'R-G9 S3 asks for PostgreSQL 15.x' } },
  { seed: '002 4.1', failure: 'IAM role without environment prefix', rules: [], construct: { file: 'test/unit/payment-stack.test.ts', test: 'S3 every role of the component is named <env>-payment-<purpose>-role-<suffix>' } },
  { seed: '002 4.2', failure: 'only managed policies, no least privilege', rules: ['ACKS-IAM-001', 'ACKS-IAM-002', 'ACKS-IAM-003'], construct: { file: 'test/unit/constructs/compute-and-api.test.ts', test: 'its role may only write its own logs (not AWSLambdaBasicExecutionRole)' } },
  { seed: '002 4.3', failure: 'hand-written assume-role JSON', rules: [], construct: { file: 'test/unit/constructs/kms-iam-logs.test.ts', test: 'defaults: named <name>-<suffix>; trust limited to the service for this account' } },
  { seed: '002 5.1', failure: 'Lambda not in the VPC', rules: [], construct: { file: 'test/unit/payment-stack.test.ts', test: 'S3 Lambda: current Node.js, 512 MB, 30 s, reserved concurrency, in the VPC' } },
  { seed: '002 5.2', failure: 'log group not created first (no retention)', rules: ['ACKS-LOG-001'], construct: { file: 'test/unit/constructs/compute-and-api.test.ts', test: 'S3 defaults: arm64, JSON logs into a log group created first' } },
  { seed: '002 5.3', failure: 'old Lambda runtime (nodejs18.x)', rules: ['ACKS-LAMBDA-001'], construct: { file: 'test/unit/config.test.ts', test: 'R-G9 a deprecated Lambda runtime is refused' } },
  { seed: '002 5.4, 5.5', failure: 'no timeout; a code path that may not resolve', rules: [], construct: { file: 'test/unit/payment-stack.test.ts', test: 'S3 Lambda: current Node.js, 512 MB, 30 s' } },
  { seed: '002 6.1, 6.2', failure: 'no GSIs, no TTL', rules: [], construct: { file: 'test/unit/payment-stack.test.ts', test: 'S3 DynamoDB: on-demand, PITR, SSE, GSIs' } },
  { seed: '003 1, 12', failure: 'flat exports instead of components; providers without parents', rules: ['ACKS-REGION-001'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 the seed\'s regions by default' } },
  { seed: '003 2', failure: 'required region config that crashes when unset', rules: [], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 R-G1 regions are optional and validated' } },
  { seed: '003 3', failure: 'KMS key without a key policy (RDS cannot use it)', rules: ['ACKS-KMS-002'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 each region\'s KMS key has an explicit policy' } },
  { seed: '003 4', failure: 'hard-coded database password', rules: ['ACKS-SECRET-001'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 R-G7 R-G8 MySQL from the catalogue with an AWS-managed password' } },
  { seed: '003 5', failure: 'no deletion protection, skipped final snapshot', rules: ['ACKS-RDS-005', 'ACKS-RDS-006', 'ACKS-RETAIN-001'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 R-G7 R-G8 MySQL from the catalogue' } },
  { seed: '003 6', failure: 'security groups scoped to the VPC, not the subnets', rules: ['ACKS-REF-002'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 the database admits 3306 only from the app subnets\' exact blocks' } },
  { seed: '003 7', failure: 'no WAF, CloudTrail, flow logs or alarms', rules: ['ACKS-CONV-010', 'ACKS-TRAIL-001', 'ACKS-CONV-009', 'ACKS-NET-001', 'ACKS-ALARM-001'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 R-O7 one multi-region CloudTrail trail' } },
  { seed: '003 8', failure: 'AWS managed policies instead of a minimal custom one', rules: ['ACKS-IAM-003', 'ACKS-IAM-002'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 the instances\' role: no managed policy' } },
  { seed: '003 9', failure: 'static names that collide between environments', rules: [], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 the load balancer admits the internet on 443 and 80 (redirect) only; every group is named with the environment first' } },
  { seed: '003 10', failure: 'no input validation', rules: [], construct: { file: 'test/unit/constructs/web-tier.test.ts', test: 'S4 refuses an AMI that is not one' } },
  { seed: '003 11', failure: 'step scaling instead of target tracking', rules: ['ACKS-CONV-007', 'ACKS-CONV-008'], construct: { file: 'test/unit/multi-region-app.test.ts', test: 'S4 R-O7 target tracking on CPU at the seed\'s 70%' } },
  { seed: '004 1', failure: 'bucket settings (versioning, encryption) not applied', rules: ['ACKS-S3-001', 'ACKS-S3-002', 'ACKS-S3-003', 'ACKS-S3-004', 'ACKS-S3-005'], construct: { file: 'test/unit/constructs/data-stores.test.ts', test: 'defaults: all four public access blocks' } },
  { seed: '004 2', failure: 'cross-region replication prepared but not configured', rules: ['ACKS-REPL-001', 'ACKS-CONV-004'], construct: { file: 'test/unit/dr.test.ts', test: 'S5 each bucket replicates into the other' } },
  { seed: '004 3', failure: 'Route 53 health checks and failover not finished', rules: ['ACKS-FAILOVER-001'], construct: { file: 'test/unit/dr.test.ts', test: 'S5 failover records: PRIMARY and SECONDARY aliases' } },
  { seed: '004 4', failure: 'IAM policies not attached to the Lambda role', rules: ['ACKS-REF-001'], construct: { file: 'test/unit/constructs/kms-iam-logs.test.ts', test: 'grants become one inline policy' } },
  { seed: '004 5', failure: 'inconsistent environment suffix', rules: ['ACKS-TAG-001'], construct: { file: 'test/unit/config.test.ts', test: 'R-G4 two environments with the same suffix are rejected' } },
  { seed: '004 6', failure: 'one provider for two regions', rules: ['ACKS-REGION-001', 'ACKS-REF-001'], construct: { file: 'test/unit/dr.test.ts', test: 'S5 primary us-east-1 and DR us-east-2' } },
  { seed: '004 7', failure: 'linting adjustments', ...tooling('code style: tsc and the repository\'s checks') },
  { seed: '004 8', failure: 'password management left as a note', rules: ['ACKS-SECRET-001'], construct: { file: 'test/unit/dr.test.ts', test: 'S5 R-G8 the primary' } },
  { seed: '004 9', failure: 'implicit resource ordering', rules: ['ACKS-REF-001'], construct: { file: 'test/unit/dr.test.ts', test: 'S5 ordering: sync waves' } },
];
