/**
 * The TagPolicy custom resource: its TypeScript shape and its CRD, in one
 * place, so that the operator and the chart that installs it cannot drift.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceType } from '../runtime/api-client';

export const OPERATOR_GROUP = 'ack-systems.io';

export const TAG_POLICY_TYPE: ResourceType = { group: OPERATOR_GROUP, version: 'v1alpha1', plural: 'tagpolicies', kind: 'TagPolicy', namespaced: false };

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }[];
}

export interface TagPolicySpec {
  /** Tags every covered AWS resource must carry: key → value. */
  readonly tags: Readonly<Record<string, string>>;
  /** Only objects in these namespaces. @default all namespaces */
  readonly namespaces?: readonly string[];
  /** Only objects in namespaces with these labels. @default all namespaces */
  readonly namespaceSelector?: LabelSelector;
  /** Only objects with these labels. @default all objects */
  readonly selector?: LabelSelector;
  /** Only these kinds: `<group>/<Kind>` or `<group>/*`. @default every ACK kind */
  readonly kinds?: readonly string[];
}

export interface PolicyConflict {
  readonly key: string;
  readonly object: string;
  readonly policies: readonly string[];
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface TagPolicyStatus {
  readonly observedGeneration?: number;
  /** ACK objects the policy selects. */
  readonly covered?: number;
  /** Covered objects that carry every required tag (untaggable ones excluded). */
  readonly compliant?: number;
  /** Corrections this operator made for the policy since it started. */
  readonly corrected?: number;
  /** Covered objects whose kind has no tags: reported, never retried. */
  readonly untaggable?: { readonly objects: number; readonly kinds: readonly string[] };
  /** Keys another policy requires with a different value: applied by neither. At most 20 listed. */
  readonly conflicts?: readonly PolicyConflict[];
  readonly lastError?: string;
  readonly conditions?: readonly Condition[];
}

export interface TagPolicy extends KubernetesObject {
  spec: TagPolicySpec;
  status?: TagPolicyStatus;
}

const labelSelectorSchema = {
  type: 'object',
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 }, maxProperties: 32 },
    matchExpressions: {
      type: 'array',
      maxItems: 32,
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', maxLength: 317 },
          operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 63 } },
        },
        'x-kubernetes-validations': [
          {
            rule: "(self.operator in ['In', 'NotIn']) == (has(self.values) && size(self.values) > 0)",
            message: 'In and NotIn need values; Exists and DoesNotExist take none',
          },
        ],
      },
    },
  },
};

const conditionSchema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64' },
  },
};

/** The CRD, as the chart writes it to dist/operator/crds.k8s.yaml. */
export const TAG_POLICY_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${TAG_POLICY_TYPE.plural}.${OPERATOR_GROUP}` },
  spec: {
    group: OPERATOR_GROUP,
    scope: 'Cluster',
    names: { kind: 'TagPolicy', listKind: 'TagPolicyList', plural: 'tagpolicies', singular: 'tagpolicy', shortNames: ['tagpol'], categories: ['ack-systems'] },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Covered', type: 'integer', jsonPath: '.status.covered' },
          { name: 'Compliant', type: 'integer', jsonPath: '.status.compliant' },
          { name: 'Corrected', type: 'integer', jsonPath: '.status.corrected' },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['tags'],
                properties: {
                  tags: {
                    type: 'object',
                    minProperties: 1,
                    maxProperties: 50,
                    additionalProperties: { type: 'string', maxLength: 256 },
                    'x-kubernetes-validations': [
                      { rule: "self.all(k, size(k) >= 1 && size(k) <= 128)", message: 'tag keys must be 1-128 characters' },
                      { rule: "self.all(k, !k.startsWith('aws:') && !k.startsWith('services.k8s.aws/'))", message: 'tag keys may not use the reserved "aws:" or "services.k8s.aws/" prefixes' },
                    ],
                  },
                  namespaces: { type: 'array', maxItems: 256, items: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' } },
                  namespaceSelector: labelSelectorSchema,
                  selector: labelSelectorSchema,
                  kinds: {
                    type: 'array',
                    maxItems: 128,
                    items: { type: 'string', maxLength: 128, pattern: '^[a-z0-9]+\\.services\\.k8s\\.aws/(\\*|[A-Z][A-Za-z0-9]*)$' },
                  },
                },
              },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer', format: 'int64' },
                  covered: { type: 'integer' },
                  compliant: { type: 'integer' },
                  corrected: { type: 'integer' },
                  untaggable: { type: 'object', properties: { objects: { type: 'integer' }, kinds: { type: 'array', items: { type: 'string' } } } },
                  conflicts: {
                    type: 'array',
                    maxItems: 20,
                    items: {
                      type: 'object',
                      properties: { key: { type: 'string' }, object: { type: 'string' }, policies: { type: 'array', items: { type: 'string' } } },
                    },
                  },
                  lastError: { type: 'string' },
                  conditions: { type: 'array', items: conditionSchema, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
                },
              },
            },
          },
        },
      },
    ],
  },
} as const;
