/**
 * Configuration of system S2 `payment-processing` (SPEC S2, seed 001): a
 * containerised payment service behind a load balancer, with Aurora
 * PostgreSQL, Redis, SQS and a migration runner.
 */
import { z } from 'zod';
import { engineVersionProblem, fargateSizeProblem, FUNCTION_RUNTIME_FAMILY, lambdaRuntimeProblem } from '../catalog';
import { networkProblems } from './network';
import { nameProblem, K8S_LABEL_NAME } from '../naming';
import { CONTAINER_IMAGE_PATTERN } from '../validation/aws';
import { availabilityZones, certificateArn, checked, ec2Id, region, functionCode, strictObject, tagMap, vpcCidr, wholeNumber } from './fields';


/**
 * Subnet sizes, packed without gaps: tasks get /20s (every Fargate task takes
 * an address), the load balancer's public and the data tier's isolated
 * subnets /24s. One subnet per tier per zone.
 */
export const PAYMENT_PROCESSING_SUBNETS = { public: 24, private: 20, isolated: 24 } as const;

export const paymentProcessingSchema = strictObject({
  tags: tagMap({ Project: undefined, Application: undefined, Compliance: 'PCI-DSS' }).meta({ description: 'System tags, added to (and overriding) the environment\'s: Project, Application and Compliance: PCI-DSS are required.' }),
  region: region.default('us-east-1').meta({ description: '@default us-east-1' }),
  network: strictObject({
    cidr: vpcCidr.meta({ description: 'The VPC\'s block: a public /24, a private /20 and an isolated /24 subnet per zone, packed without gaps.' }),
    availabilityZones: availabilityZones.meta({ description: 'Zones of the system\'s region, each once.' }),
    vpcID: ec2Id('vpc').optional().meta({ description: 'The VPC\'s ID once created; enables flow logs. @default unset (synth warns)' }),
  }),
  database: strictObject({
    engineVersion: checked((version) => engineVersionProblem('aurora-postgresql', version)).meta({ description: 'Aurora PostgreSQL version, checked against the maintained table (R-G9; "15.3" is rejected).' }),
  }),
  service: strictObject({
    image: z.string({ error: 'required: the payment service image (registry/repository:tag or @sha256 digest)' }).regex(CONTAINER_IMAGE_PATTERN, {
      error: 'expected registry/repository:tag or registry/repository@sha256:<digest>; an image without a tag means "latest"',
    }).meta({ description: 'The application image: never a placeholder; `:latest` is refused in production.' }),
    cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], { error: 'expected Fargate CPU units: 256, 512, 1024, 2048 or 4096' }).meta({ description: 'CPU units of the task: a Fargate size together with memoryMiB.' }),
    memoryMiB: wholeNumber(512, 30720).meta({ description: 'Memory of the task: a Fargate size together with cpu.' }),
    containerPort: wholeNumber(1024, 65535).default(8080).meta({ description: '@default 8080' }),
    healthCheckPath: z.string().regex(/^\/[\w./-]*$/, { error: 'expected a path starting with /' }).default('/health').meta({ description: '@default /health' }),
  }),
  loadBalancer: strictObject({
    certificateARN: certificateArn.meta({ description: 'The ACM certificate of the HTTPS listener.' }),
    metricDimension: z.string().regex(/^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, { error: 'expected app/<name>/<16 hex digits>' }).optional().meta({ description: 'The load balancer\'s CloudWatch dimension once created (`app/<name>/<id>`); enables its alarms. @default unset (synth warns)' }),
    targetGroupARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, {
        error: 'expected a target group ARN: arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits>',
      })
      .optional().meta({ description: 'The target group\'s ARN once ACK has created it: ACK then only reads the group, the ECS service is created and registers its tasks (docs/systems/payment-processing.md, "the load balancer\'s targets"). @default unset (no service yet; synth warns)' }),
  }),
  cache: strictObject({
    authTokenSecret: strictObject({
      name: checked((name) => nameProblem(name, K8S_LABEL_NAME)),
      key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: 'expected a Secret data key' }),
    }).meta({ description: 'Kubernetes Secret in the system\'s namespace holding the Redis AUTH token (only referenced, R-G8).' }),
  }),
  migrations: strictObject({
    runtime: checked((runtime) => lambdaRuntimeProblem(runtime, FUNCTION_RUNTIME_FAMILY)).meta({ description: 'A current Node.js runtime of the migration runner (functions/migrations/); deprecated ones are rejected (R-G9).' }),
    code: functionCode.meta({ description: 'The migration runner\'s package.' }),
  }).meta({ description: 'The database-migration runner (a Lambda function in the VPC).' }),
  alarms: strictObject({
    ecsCpuPercent: wholeNumber(1, 100).meta({ description: 'CPU of the service\'s tasks.' }),
    rdsCpuPercent: wholeNumber(1, 100).meta({ description: 'CPU of each database instance.' }),
    redisCpuPercent: wholeNumber(1, 100).meta({ description: 'CPU of each Redis node.' }),
    deadLetterMessages: wholeNumber(1, 100000).meta({ description: 'Messages waiting in the dead-letter queue.' }),
    target5xx: wholeNumber(1, 100000).meta({ description: 'Server errors of the tasks, per 5 minutes.' }),
    elb5xx: wholeNumber(1, 100000).meta({ description: 'Errors the load balancer answers itself (no healthy target), per 5 minutes.' }),
    unhealthyTargets: wholeNumber(1, 100).meta({ description: 'Tasks failing the health check.' }),
    minHealthyTargets: wholeNumber(1, 100).meta({ description: 'Fewer healthy tasks than this pages.' }),
  }).meta({ description: 'Alarm thresholds (R-G12).' }),
}).superRefine((system, ctx) => {
  for (const { path, message } of networkProblems(system.network, system.region, PAYMENT_PROCESSING_SUBNETS)) ctx.addIssue({ code: 'custom', path, message });
  const sizeProblem = fargateSizeProblem(system.service.cpu, system.service.memoryMiB);
  if (sizeProblem) ctx.addIssue({ code: 'custom', path: ['service', 'memoryMiB'], message: sizeProblem });
  const targetGroupRegion = system.loadBalancer.targetGroupARN?.split(':')[3];
  if (targetGroupRegion !== undefined && targetGroupRegion !== system.region) {
    ctx.addIssue({ code: 'custom', path: ['loadBalancer', 'targetGroupARN'], message: `is in ${targetGroupRegion}; the system's target group is in ${system.region}` });
  }
});

export type PaymentProcessingConfig = z.output<typeof paymentProcessingSchema>;
