/**
 * The TagPolicy custom resource, defined once: zod schemas from which come
 * its TypeScript types and the CRD the chart installs (runtime/api-type.ts),
 * CEL rules included, so that the operator and the chart cannot drift.
 */
import { z } from 'zod';
import { defineApiType, type ApiObject } from '../runtime/api-type';
import { conditionsSchema, observedGenerationSchema } from '../runtime/status';

export const OPERATOR_GROUP = 'ack-systems.io';

/** CEL rule and its message, as the API server reports a violation. */
const rule = (rule: string, message: string) => ({ rule, message });

const labelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string().max(63)).meta({ maxProperties: 32 }).optional(),
  matchExpressions: z
    .array(
      z
        .object({
          key: z.string().max(317),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string().max(63)).max(64).optional(),
        })
        .meta({ 'x-kubernetes-validations': [rule("(self.operator in ['In', 'NotIn']) == (has(self.values) && size(self.values) > 0)", 'In and NotIn need values; Exists and DoesNotExist take none')] }),
    )
    .max(32)
    .optional(),
});

export const tagPolicySpecSchema = z.object({
  tags: z
    .record(z.string(), z.string().max(256))
    .meta({
      minProperties: 1,
      maxProperties: 50,
      'x-kubernetes-validations': [
        rule('self.all(k, size(k) >= 1 && size(k) <= 128)', 'tag keys must be 1-128 characters'),
        rule("self.all(k, !k.startsWith('aws:') && !k.startsWith('services.k8s.aws/'))", 'tag keys may not use the reserved "aws:" or "services.k8s.aws/" prefixes'),
      ],
    }).meta({ description: 'Tags every covered AWS resource must carry: key → value.' }),
  namespaces: z.array(z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)).max(256).optional().meta({ description: 'Only objects in these namespaces. @default all namespaces' }),
  namespaceSelector: labelSelectorSchema.optional().meta({ description: 'Only objects in namespaces with these labels. @default all namespaces' }),
  selector: labelSelectorSchema.optional().meta({ description: 'Only objects with these labels. @default all objects' }),
  kinds: z.array(z.string().max(128).regex(/^[a-z0-9]+\.services\.k8s\.aws\/(\*|[A-Z][A-Za-z0-9]*)$/)).max(128).optional().meta({ description: 'Only these kinds: `<group>/<Kind>` or `<group>/*`. @default every ACK kind' }),
});

const conflictSchema = z.object({ key: z.string(), object: z.string(), policies: z.array(z.string()) });

export const tagPolicyStatusSchema = z.object({
  observedGeneration: observedGenerationSchema.optional(),
  covered: z.number().int().optional().meta({ description: 'ACK objects the policy selects.' }),
  compliant: z.number().int().optional().meta({ description: 'Covered objects that carry every required tag (untaggable ones excluded).' }),
  corrected: z.number().int().optional().meta({ description: 'Corrections this operator made for the policy since it started.' }),
  untaggable: z.object({ objects: z.number().int(), kinds: z.array(z.string()) }).optional().meta({ description: 'Covered objects whose kind has no tags: reported, never retried.' }),
  conflicts: z.array(conflictSchema).max(20).optional().meta({ description: 'Keys another policy requires with a different value: applied by neither. At most 20 listed.' }),
  lastError: z.string().optional(),
  conditions: conditionsSchema.optional(),
});

export type LabelSelector = z.infer<typeof labelSelectorSchema>;
export type TagPolicySpec = z.infer<typeof tagPolicySpecSchema>;
export type TagPolicyStatus = z.infer<typeof tagPolicyStatusSchema>;
export type PolicyConflict = z.infer<typeof conflictSchema>;
export type TagPolicy = ApiObject<typeof tagPolicySpecSchema, typeof tagPolicyStatusSchema>;

export const TAG_POLICY = defineApiType({
  group: OPERATOR_GROUP,
  version: 'v1alpha1',
  kind: 'TagPolicy',
  plural: 'tagpolicies',
  singular: 'tagpolicy',
  scope: 'Cluster',
  shortNames: ['tagpol'],
  categories: ['ack-systems'],
  printerColumns: [
    { name: 'Covered', type: 'integer', jsonPath: '.status.covered' },
    { name: 'Compliant', type: 'integer', jsonPath: '.status.compliant' },
    { name: 'Corrected', type: 'integer', jsonPath: '.status.corrected' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  ],
  spec: tagPolicySpecSchema,
  status: tagPolicyStatusSchema,
});

export const TAG_POLICY_TYPE = TAG_POLICY.type;
/** The CRD, as the chart writes it to dist/operator/crds.k8s.yaml. */
export const TAG_POLICY_CRD = TAG_POLICY.crd;
