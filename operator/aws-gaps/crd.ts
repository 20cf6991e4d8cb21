/**
 * The custom resources that close ACK's gaps (R-O7): each joins ACK objects
 * by name, as ACK's own references do, and has the operator make the one AWS
 * call ACK never makes. Status and conditions follow ACK's
 * (`ACK.ResourceSynced`, `ACK.Terminal`, `ACK.Recoverable`,
 * `ACK.ReferencesResolved`, runtime `apis/core/v1alpha1/conditions.go`), so
 * tools that read ACK objects read these too. Defined once: zod gives the
 * TypeScript types and the CRDs.
 */
import { z } from 'zod';
import { defineApiType, type ApiObject, type PrinterColumn } from '../runtime/api-type';
import { conditionsSchema, observedGenerationSchema } from '../runtime/status';
import { ackType as ack } from '../ack-types';
import { OPERATOR_GROUP } from '../tag-policy/crd';

/** The ACK kinds the gap kinds reference. */
export const ACK_TYPES = {
  webACL: ack('wafv2', 'WebACL', 'webacls'),
  loadBalancer: ack('elbv2', 'LoadBalancer', 'loadbalancers'),
  trail: ack('cloudtrail', 'Trail', 'trails'),
  autoScalingGroup: ack('autoscaling', 'AutoScalingGroup', 'autoscalinggroups'),
} as const;

/** A reference to an ACK object of this namespace, by name (ACK's `…Ref.from.name`, without cross-namespace). */
const ref = (kind: string) =>
  z
    .object({ name: z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/) })
    .meta({ description: `The ${kind} object of this namespace, by name; its ARN is read from its ACK status once it is synced.` });

const arn = z.string().regex(/^arn:aws[a-z-]*:/);

/** What every gap's status holds: ACK's conditions and the generation they describe. */
const gapStatus = <T extends z.ZodRawShape>(fields: T) => z.object({ observedGeneration: observedGenerationSchema.optional(), ...fields, conditions: conditionsSchema.optional() });

const COLUMNS: readonly PrinterColumn[] = [
  { name: 'Synced', type: 'string', jsonPath: ".status.conditions[?(@.type=='ACK.ResourceSynced')].status" },
  { name: 'Reason', type: 'string', jsonPath: ".status.conditions[?(@.type=='ACK.ResourceSynced')].reason", priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

const common = { group: OPERATOR_GROUP, version: 'v1alpha1', scope: 'Namespaced', categories: ['ack-systems', 'ack-gaps'] } as const;

export const webAclAssociationSpecSchema = z.object({
  webACLRef: ref('wafv2 WebACL (scope REGIONAL, in the load balancer\'s region)'),
  loadBalancerRef: ref('elbv2 LoadBalancer (an Application Load Balancer)'),
});
export const webAclAssociationStatusSchema = gapStatus({
  webACLARN: arn.optional().meta({ description: 'The web ACL associated.' }),
  resourceARN: arn.optional().meta({ description: 'The resource it protects; disassociated when this object is deleted (unless retained).' }),
});
export type WebAclAssociation = ApiObject<typeof webAclAssociationSpecSchema, typeof webAclAssociationStatusSchema>;
export const WEB_ACL_ASSOCIATION = defineApiType({
  ...common,
  kind: 'WebACLAssociation',
  plural: 'webaclassociations',
  singular: 'webaclassociation',
  shortNames: ['waclassoc'],
  printerColumns: [{ name: 'WebACL', type: 'string', jsonPath: '.spec.webACLRef.name' }, { name: 'LoadBalancer', type: 'string', jsonPath: '.spec.loadBalancerRef.name' }, ...COLUMNS],
  spec: webAclAssociationSpecSchema,
  status: webAclAssociationStatusSchema,
});

export const trailLoggingSpecSchema = z.object({ trailRef: ref('cloudtrail Trail') });
export const trailLoggingStatusSchema = gapStatus({
  trailARN: arn.optional(),
  isLogging: z.boolean().optional().meta({ description: 'Whether the trail records, as CloudTrail last said.' }),
  startedLogging: z.boolean().optional().meta({ description: 'Whether this operator started the logging: only then does deleting this object stop it.' }),
});
export type TrailLogging = ApiObject<typeof trailLoggingSpecSchema, typeof trailLoggingStatusSchema>;
export const TRAIL_LOGGING = defineApiType({
  ...common,
  kind: 'TrailLogging',
  plural: 'trailloggings',
  singular: 'traillogging',
  shortNames: ['trlog'],
  printerColumns: [{ name: 'Trail', type: 'string', jsonPath: '.spec.trailRef.name' }, { name: 'Logging', type: 'boolean', jsonPath: '.status.isLogging' }, ...COLUMNS],
  spec: trailLoggingSpecSchema,
  status: trailLoggingStatusSchema,
});

/** The Auto Scaling group metrics a target-tracking policy can follow without a load balancer label. */
export const TRACKED_METRICS = ['ASGAverageCPUUtilization', 'ASGAverageNetworkIn', 'ASGAverageNetworkOut'] as const;

export const targetTrackingPolicySpecSchema = z
  .object({
    autoScalingGroupRef: ref('autoscaling AutoScalingGroup'),
    policyName: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^:]+$/)
      .optional()
      .meta({ description: 'The policy\'s name in AWS. @default the object\'s name' }),
    metric: z.enum(TRACKED_METRICS).default('ASGAverageCPUUtilization').meta({ description: '@default ASGAverageCPUUtilization' }),
    targetValue: z.number().meta({ description: 'The value the group scales to keep the metric at, e.g. 70 (percent CPU).' }),
    disableScaleIn: z.boolean().default(false).meta({ description: 'Only scale out; never remove instances. @default false' }),
    estimatedInstanceWarmupSeconds: z.number().int().min(0).max(86400).optional().meta({ description: '@default the group\'s default instance warmup' }),
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: 'self.targetValue > 0.0', message: 'targetValue must be greater than 0' },
      { rule: "self.metric != 'ASGAverageCPUUtilization' || self.targetValue <= 100.0", message: 'a CPU target is a percentage: at most 100' },
    ],
  });
export const targetTrackingPolicyStatusSchema = gapStatus({
  policyARN: arn.optional().meta({ description: 'The policy in AWS (its ARN names the group and the policy); deleted with this object unless retained.' }),
});
export type TargetTrackingPolicy = ApiObject<typeof targetTrackingPolicySpecSchema, typeof targetTrackingPolicyStatusSchema>;
export const TARGET_TRACKING_POLICY = defineApiType({
  ...common,
  kind: 'TargetTrackingPolicy',
  plural: 'targettrackingpolicies',
  singular: 'targettrackingpolicy',
  shortNames: ['ttp'],
  printerColumns: [
    { name: 'Group', type: 'string', jsonPath: '.spec.autoScalingGroupRef.name' },
    { name: 'Metric', type: 'string', jsonPath: '.spec.metric' },
    { name: 'Target', type: 'number', jsonPath: '.spec.targetValue' },
    ...COLUMNS,
  ],
  spec: targetTrackingPolicySpecSchema,
  status: targetTrackingPolicyStatusSchema,
});

export const AWS_GAP_CRDS = [WEB_ACL_ASSOCIATION.crd, TRAIL_LOGGING.crd, TARGET_TRACKING_POLICY.crd] as const;
