/**
 * The configuration of one environment: `config/<environment>.yaml` (R-G1).
 * Every value that differs between environments or systems lives in that file;
 * this schema is the single place that says what is valid.
 */
import { z } from 'zod';
import { accountId, checked, strictObject, tagMap } from './fields';
import { paymentProcessingSchema } from './payment-processing';
import { paymentStackSchema } from './payment-stack';
import { productionSettingsProblems, settingsSchema } from './settings';
import { vpcPeeringSchema } from './vpc-peering';
import { drSchema } from './dr';
import { multiRegionAppSchema } from './multi-region-app';
import { alarmSubscriptionProblem, type AlarmSubscription } from '../validation/aws';

/**
 * Environment names (the file name) and suffixes: DNS labels short enough that
 * every derived name stays legal (R-G2) — the longest namespace is
 * `<system>-<environment>` (63), the tightest AWS limit is IAM's 64.
 */
export const ENVIRONMENT_NAME_RULE = {
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  maxLength: 16,
  allowed: 'lowercase letters, digits and dashes, starting and ending with a letter or digit, at most 16 characters',
} as const;

export function environmentNameProblem(name: string): string | undefined {
  const { pattern, maxLength, allowed } = ENVIRONMENT_NAME_RULE;
  return name.length <= maxLength && pattern.test(name) ? undefined : `"${name}" is not allowed; allowed: ${allowed}`;
}

const environmentSuffix = checked(environmentNameProblem);

/**
 * One recipient of every alarm of the environment: exactly one of `email`,
 * `https` or `topicARN` (another SNS topic).
 */
const alarmSubscription = strictObject({
  email: z.string().optional().meta({ description: 'An email address; SNS mails it a confirmation link first.' }),
  https: z.string().optional().meta({ description: 'An https endpoint; SNS calls it once to confirm. A URL carrying a key or token is refused (R-G8): use topicARN.' }),
  topicARN: z.string().optional().meta({ description: 'Another SNS topic (one of another account must allow sns:Subscribe from this one).' }),
})
  .transform((entry, ctx): AlarmSubscription => {
    const given = (['email', 'https', 'topicARN'] as const).filter((key) => entry[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of email, https or topicARN' });
      return z.NEVER;
    }
    const subscription: AlarmSubscription = { protocol: given[0] === 'topicARN' ? 'sns' : given[0], endpoint: entry[given[0]]! };
    const problem = alarmSubscriptionProblem(subscription);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: [given[0]], message: problem });
      return z.NEVER;
    }
    return subscription;
  });

/** Tags derived by the project; setting them in a file would be silently wrong. */
export const DERIVED_TAGS = ['Environment', 'EnvironmentSuffix'] as const;

export const environmentSchema = strictObject({
  environmentSuffix: environmentSuffix.optional().meta({ description: 'Suffix of every AWS name of this environment. @default the file name' }),
  awsAccountID: accountId.meta({ description: 'The AWS account the systems live in (key policies, stable name suffixes).' }),
  ack: strictObject({
    roleARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: 'expected an IAM role ARN: arn:aws:iam::<account>:role/<name>' }).meta({ description: 'The IAM role in awsAccountID that the ACK controllers assume for this environment\'s namespaces (`ack-role-account-map`).' }),
  }).meta({ description: 'How ACK reaches that account (cross-account resource management: docs/getting-started.md, step 3).' }),
  sharedAccounts: z.array(accountId).default([]).meta({ description: 'Other accounts whose ARNs and images this environment may name on purpose (a shared artifact registry, an incident-management topic). Any other foreign account is refused, as a sign of a copied file. @default []' }),
  tier: z.enum(['production', 'non-production']).default('production').meta({ description: '`production` forces the protections of R-G7. @default production' }),
  deletionPolicy: z.enum(['retain', 'delete']).default('retain').meta({ description: 'ACK deletion policy for the environment\'s namespaces: `retain` keeps the AWS resource when its Kubernetes object is deleted. @default retain' }),
  tags: tagMap({ Owner: undefined, CostCenter: undefined, ManagedBy: undefined }).superRefine((tags, ctx) => {
    for (const key of DERIVED_TAGS.filter((derived) => derived in tags)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'derived from the file name and environmentSuffix; remove it here' });
    }
  }).meta({ description: 'Tags on every AWS resource of every system (R-G3): Owner, CostCenter and ManagedBy are required; Environment and EnvironmentSuffix are derived and may not be set here.' }),
  settings: settingsSchema.meta({ description: 'Values that differ between environments, shared by every system.' }),
  alarmSubscriptions: z.array(alarmSubscription).default([]).meta({ description: 'Who every alarm topic of the environment notifies. SNS asks email and https recipients to confirm first (docs/configuration.md, alarm recipients). @default [] (refused in production)' }),
  lateBinding: z
    .enum(['operator', 'config'])
    .default('operator')
    .meta({
      description:
        'Who fills in the values AWS assigns (IDs, ARNs, DNS targets): `operator`, the ack-systems operator from the objects\' status in the cluster (DeferredObjects: one apply converges); `config`, you, from the outputs ConfigMaps into this file, synthesizing again (for clusters without the operator). A value set in this file is used in both modes. @default operator',
    }),
  gitops: strictObject({
    repoURL: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, { error: 'expected a git URL (https://, ssh:// or git@)' }).meta({ description: 'Where Argo CD clones this repository from.' }),
    targetRevision: z.string().min(1).default('main').meta({ description: '@default main' }),
    project: z.string().min(1).default('default').meta({ description: '@default default' }),
  }).optional().meta({ description: 'Where Argo CD finds this repository; when set, synth also writes one Argo CD Application per system to dist/argocd/<environment>.k8s.yaml. @default unset: none' }),
  systems: strictObject({
    'vpc-peering': vpcPeeringSchema,
    'payment-processing': paymentProcessingSchema,
    'payment-stack': paymentStackSchema,
    'multi-region-app': multiRegionAppSchema,
    dr: drSchema,
  }),
}).superRefine((env, ctx) => {
  const roleAccount = env.ack.roleARN.split(':')[4];
  if (roleAccount !== env.awsAccountID) {
    ctx.addIssue({ code: 'custom', path: ['ack', 'roleARN'], message: `is a role of account ${roleAccount}; ACK must assume a role in this environment's account ${env.awsAccountID}` });
  }
  for (const { path, account } of foreignAccounts(env)) {
    if (account !== env.awsAccountID && !env.sharedAccounts.includes(account)) {
      ctx.addIssue({ code: 'custom', path, message: `belongs to account ${account}, not this environment's ${env.awsAccountID} (a copied file?); if it is shared on purpose, list ${account} in sharedAccounts` });
    }
  }
  const processing = env.systems['payment-processing'];
  const zones = processing.network.availabilityZones.length;
  if (env.settings.natGateways > zones) {
    ctx.addIssue({ code: 'custom', path: ['settings', 'natGateways'], message: `must be at most the ${zones} zones of systems.payment-processing.network (one NAT gateway per zone)` });
  }
  if (env.settings.natGateways === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['settings', 'natGateways'],
      message:
        "payment-processing's tasks and migration runner live in private subnets without VPC endpoints: with no NAT gateway they lose the image pull (ECR), their logs (CloudWatch Logs), the queue (SQS), the database secret (Secrets Manager) and the RDS API; use at least 1",
    });
  }
  if (processing.alarms.minHealthyTargets > env.settings.containerDesiredCount) {
    ctx.addIssue({
      code: 'custom',
      path: ['systems', 'payment-processing', 'alarms', 'minHealthyTargets'],
      message: `must be at most settings.containerDesiredCount (${env.settings.containerDesiredCount}), or the alarm never clears`,
    });
  }
  if (env.tier === 'production' && env.deletionPolicy !== 'retain') {
    ctx.addIssue({ code: 'custom', path: ['deletionPolicy'], message: 'must be "retain" when tier is "production" (R-G7)' });
  }
  if (env.tier === 'production' && env.alarmSubscriptions.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['alarmSubscriptions'], message: 'a production environment needs at least one recipient of its alarms (email, https or topicARN), or every alarm pages nobody' });
  }
  if (env.tier === 'production') {
    for (const { path, message } of productionSettingsProblems(env.settings)) ctx.addIssue({ code: 'custom', path: ['settings', ...path], message: `${message} (R-G7)` });
    if (env.systems['payment-processing'].service.image.endsWith(':latest')) {
      ctx.addIssue({ code: 'custom', path: ['systems', 'payment-processing', 'service', 'image'], message: 'a production image must be pinned: use a version tag or @sha256 digest, not :latest' });
    }
  }
});

/** The accounts named in ARNs and ECR image references anywhere in the configuration, with where. */
function foreignAccounts(config: object): { path: (string | number)[]; account: string }[] {
  const found: { path: (string | number)[]; account: string }[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'string') {
      const account = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(value)?.[1] ?? /^(\d{12})\.dkr\.ecr\./.exec(value)?.[1];
      if (account) found.push({ path, account });
    } else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(config, []);
  return found.filter(({ path }) => path[0] !== 'ack');
}

/** A validated environment, with the values derived from its file. */
export interface EnvironmentConfig extends z.output<typeof environmentSchema> {
  /** The environment's name: its file name without extension. */
  readonly name: string;
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly environmentSuffix: string;
}

export type SystemName = keyof EnvironmentConfig['systems'];
