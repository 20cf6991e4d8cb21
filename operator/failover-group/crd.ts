/**
 * The FailoverGroup custom resource (R-O2), defined once: zod schemas give its
 * TypeScript types and the CRD (CEL rules included). A group names one
 * system's members in its two regions; the controller aggregates their
 * health and moves the system between the regions, safely and resumably.
 */
import { z } from 'zod';
import { defineApiType, type ApiObject } from '../runtime/api-type';
import { conditionsSchema, observedGenerationSchema } from '../runtime/status';
import { OPERATOR_GROUP } from '../tag-policy/crd';

const rule = (rule: string, message: string) => ({ rule, message });
const objectName = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
const memberRef = z.object({ name: objectName.meta({ description: 'Name of the ACK object in the group\'s namespace.' }) });

export const SIDES = ['primary', 'secondary'] as const;
export type Side = (typeof SIDES)[number];

const probeSchema = z.object({
  url: z.string().max(2048).regex(/^https:\/\/[^\s]+$/).meta({ description: 'An HTTPS URL of this region\'s own endpoint (not the failover name).' }),
  expectedStatus: z.number().int().min(100).max(599).default(200).meta({ description: '@default 200' }),
  timeoutSeconds: z.number().int().min(1).max(30).default(5).meta({ description: '@default 5' }),
});

const regionMembersSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/).meta({ description: 'The AWS region of this side, e.g. us-east-1.' }),
  dbCluster: memberRef.optional().meta({ description: 'The side\'s ACK DBCluster (a member of `globalCluster`).' }),
  recordSet: memberRef.optional().meta({ description: 'The side\'s ACK failover RecordSet.' }),
  healthCheck: memberRef
    .optional()
    .meta({ description: 'The ACK Route 53 HealthCheck of this side\'s own endpoint; with AWS credentials its status from Route 53\'s checkers counts toward the side\'s health. Not the traffic-control check (the controller sets that one).' }),
  trafficControl: z
    .string()
    .max(255)
    .regex(/^[\w.-]+$/)
    .optional()
    .meta({
      description:
        'This side\'s traffic control: every round the controller publishes `ACKSystems/Failover TrafficAllowed` with dimension `Control=<this>` in this region (1: serve, 0: out); an alarm on it feeds the side\'s Route 53 health check, so traffic moves without Route 53\'s control plane. @default - traffic moves only by rewriting the records (planned moves)',
    }),
  probes: z.array(probeSchema).max(4).default([]).meta({ description: 'HTTPS probes the controller runs against this side. @default []' }),
  alarms: z
    .array(memberRef)
    .max(10)
    .default([])
    .meta({ description: 'ACK MetricAlarms in this side\'s region whose ALARM state means the side cannot serve (read from CloudWatch when the operator has AWS credentials). @default []' }),
  tables: z
    .array(memberRef)
    .max(10)
    .default([])
    .meta({ description: 'ACK DynamoDB Tables the side needs: unhealthy when the table, or its replica in this region, is not usable (status from ACK). @default []' }),
  buckets: z.array(memberRef).max(10).default([]).meta({ description: 'ACK S3 Buckets the side needs: unhealthy when ACK reports them Terminal. @default []' }),
});

export const failoverGroupSpecSchema = z
  .object({
    primary: regionMembersSchema.meta({ description: 'The side that serves while all is well.' }),
    secondary: regionMembersSchema.meta({ description: 'The side that takes over.' }),
    globalCluster: memberRef.optional().meta({ description: 'The ACK GlobalCluster whose members are the sides\' dbClusters.' }),
    policy: z
      .object({
        failover: z.enum(['Automatic', 'Manual']).default('Manual').meta({ description: 'Whether a failed primary is failed over without a person. @default Manual' }),
        failback: z.enum(['Manual']).default('Manual').meta({ description: 'Failback is always a request: the old primary must first rejoin and catch up. @default Manual' }),
        failureThreshold: z.number().int().min(1).max(100).default(3).meta({ description: 'Failed probe rounds in a row before a side counts as down. @default 3' }),
        probeIntervalSeconds: z.number().int().min(5).max(300).default(10).meta({ description: '@default 10' }),
        cooldownSeconds: z.number().int().min(0).max(604800).default(3600).meta({ description: 'Least time between two failovers (anti-flap). @default 3600' }),
        allowDataLoss: z.boolean().default(false).meta({ description: 'Whether an unplanned database failover may lose the writes not yet replicated. @default false' }),
        maxReplicationLagSeconds: z
          .number()
          .int()
          .min(0)
          .max(86400)
          .optional()
          .meta({ description: 'The largest replication lag an unplanned failover accepts (RPO), read from Aurora\'s lag metric in the target region; an unknown lag is refused too. @default - any, when allowDataLoss' }),
        copyLostWrites: z
          .boolean()
          .default(true)
          .meta({ description: 'After an unplanned failover, copy the old primary\'s `rds:unplanned-global-failover-*` snapshot (the writes not replicated) to a manual snapshot, which its backup retention does not delete. @default true' }),
      })
      .default({ failover: 'Manual', failback: 'Manual', failureThreshold: 3, probeIntervalSeconds: 10, cooldownSeconds: 3600, allowDataLoss: false, copyLostWrites: true }),
    request: z
      .object({
        action: z.enum(['Failover', 'Failback']).meta({ description: 'Failover: a planned move to the secondary (a drill). Failback: back to the primary.' }),
        id: z.string().min(1).max(63).meta({ description: 'Makes each request distinct: a request is carried out once per ID.' }),
      })
      .optional()
      .meta({ description: 'A planned move, by editing the object (kubectl or Git). @default - none' }),
    freeze: z.boolean().default(false).meta({ description: 'Stops every automatic and requested action; health is still reported. @default false' }),
  })
  .meta({
    'x-kubernetes-validations': [
      rule('self.primary.region != self.secondary.region', 'primary and secondary must be in different regions'),
      rule('has(self.globalCluster) == (has(self.primary.dbCluster) && has(self.secondary.dbCluster))', 'globalCluster and both sides\' dbCluster go together'),
      rule('has(self.primary.recordSet) == has(self.secondary.recordSet)', 'both sides name a recordSet, or neither'),
      rule(
        'size(self.primary.probes) + size(self.secondary.probes) + size(self.primary.alarms) + size(self.secondary.alarms) > 0 || has(self.primary.healthCheck) || has(self.primary.dbCluster)',
        'name probes, health checks, alarms or database clusters: a group must have a way to see health',
      ),
    ],
  });

/**
 * The spec as Git holds it: without the fields a runbook sets with `kubectl
 * patch` (a drill request, a freeze). Were they in Git, Argo CD's self-heal
 * would undo a freeze within seconds; left out, they are not drift.
 */
export const failoverGroupGitSpecSchema = failoverGroupSpecSchema.omit({ request: true, freeze: true });

const stepSchema = z.object({
  name: z.string(),
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  detail: z.string().optional(),
});

const moveSchema = z.object({
  id: z.string().meta({ description: 'The request ID, or `auto-<time>` for an automatic failover.' }),
  trigger: z.enum(['Automatic', 'Request']),
  kind: z.enum(['Planned', 'Unplanned']),
  from: z.enum(SIDES),
  to: z.enum(SIDES),
  firstFailureAt: z.iso.datetime().optional().meta({ description: 'When the source first failed a probe (unplanned moves).' }),
  detectedAt: z.iso.datetime().optional(),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().optional(),
  steps: z.array(stepSchema),
  detectionSeconds: z.number().optional(),
  rtoSeconds: z.number().optional().meta({ description: 'From the first failed probe (or the request) to traffic moved.' }),
  expectedDataLossSeconds: z.number().optional(),
  lostWritesSnapshot: z.string().optional().meta({ description: 'After an unplanned failover: the old primary\'s snapshot holding the writes not replicated (kept for its backup retention).' }),
  lostWritesCopy: z.string().optional().meta({ description: 'The manual copy of `lostWritesSnapshot` (policy.copyLostWrites), kept until deleted.' }),
});

const memberHealthSchema = z.object({ side: z.enum(SIDES), member: z.string(), healthy: z.boolean(), reason: z.string() });

export const failoverGroupStatusSchema = z.object({
  observedGeneration: observedGenerationSchema.optional(),
  phase: z.enum(['Healthy', 'Degraded', 'FailingOver', 'FailedOver', 'FailingBack', 'Blocked', 'Frozen']).optional(),
  activeSide: z.enum(SIDES).optional(),
  activeRegion: z.string().optional(),
  primaryHealthy: z.boolean().optional(),
  secondaryHealthy: z.boolean().optional(),
  failedRounds: z.object({ primary: z.number().int(), secondary: z.number().int() }).optional(),
  firstFailureAt: z.object({ primary: z.iso.datetime().optional(), secondary: z.iso.datetime().optional() }).optional(),
  members: z.array(memberHealthSchema).optional(),
  handledRequest: z.string().optional().meta({ description: 'The ID of the last request carried out (or refused).' }),
  move: moveSchema.optional().meta({ description: 'The move in progress, or the last one: its plan and the step reached, written before each step.' }),
  conditions: conditionsSchema.optional(),
});

export type FailoverGroupSpec = z.output<typeof failoverGroupSpecSchema>;
export type FailoverGroupStatus = z.infer<typeof failoverGroupStatusSchema>;
export type FailoverMove = z.infer<typeof moveSchema>;
export type RegionMembers = z.output<typeof regionMembersSchema>;
export type FailoverGroup = ApiObject<typeof failoverGroupSpecSchema, typeof failoverGroupStatusSchema>;

export const FAILOVER_GROUP = defineApiType({
  group: OPERATOR_GROUP,
  version: 'v1alpha1',
  kind: 'FailoverGroup',
  plural: 'failovergroups',
  singular: 'failovergroup',
  scope: 'Namespaced',
  shortNames: ['fog'],
  categories: ['ack-systems'],
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Active', type: 'string', jsonPath: '.status.activeRegion' },
    { name: 'Primary', type: 'boolean', jsonPath: '.status.primaryHealthy' },
    { name: 'Secondary', type: 'boolean', jsonPath: '.status.secondaryHealthy' },
  ],
  spec: failoverGroupSpecSchema,
  status: failoverGroupStatusSchema,
});

export const FAILOVER_GROUP_TYPE = FAILOVER_GROUP.type;
export const FAILOVER_GROUP_CRD = FAILOVER_GROUP.crd;
