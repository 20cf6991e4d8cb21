/**
 * Sample ACK objects for operator tests and the benchmark: one kind per tag
 * shape ACK uses, plus a kind without tags. User tags are written in the
 * kind's own shape by the same functions synth uses.
 */
import { ACK_KINDS } from '../../imports/ack-kinds';
import { readTags, withTags } from '../../lib/tags/apply';
import { kindKey } from '../../lib/tags/tag-shape';
import type { ResourceType } from '../../operator/runtime/api-client';

export interface AckSample {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  /** The smallest spec the CRD accepts. */
  readonly spec: (name: string) => Record<string, unknown>;
}

const sample = (apiVersion: string, kind: string, spec: AckSample['spec']): AckSample => ({ apiVersion, kind, spec, plural: ACK_KINDS[kindKey(apiVersion, kind)].plural });

/** One kind per tag shape, named by the shape. */
export const TAGGABLE_SAMPLES = {
  'list of key/value': sample('ec2.services.k8s.aws/v1alpha1', 'SecurityGroup', (name) => ({ name, description: 'operator test' })),
  'list of tagKey/tagValue': sample('kms.services.k8s.aws/v1alpha1', 'Key', () => ({ description: 'operator test' })),
  map: sample('lambda.services.k8s.aws/v1alpha1', 'Function', (name) => ({ name, code: { s3Bucket: 'artifacts', s3Key: `${name}.zip` } })),
  'S3 tagging.tagSet': sample('s3.services.k8s.aws/v1alpha1', 'Bucket', (name) => ({ name })),
} as const;

/** A kind whose AWS resource has no tags. */
export const UNTAGGABLE_SAMPLE = sample('apigatewayv2.services.k8s.aws/v1alpha1', 'Route', () => ({ routeKey: 'GET /health' }));

const shapeOf = (sample: AckSample) => ACK_KINDS[kindKey(sample.apiVersion, sample.kind)].tagShape;

/** The sample's kind as the operator's REST client addresses it. */
export function resourceTypeOf(sample: AckSample): ResourceType {
  const [group, version] = sample.apiVersion.split('/');
  return { group, version, plural: sample.plural, kind: sample.kind, namespaced: true };
}

/** A manifest of `sample` carrying `tags` in the kind's tag shape. */
export function ackObject(sample: AckSample, namespace: string, name: string, tags: Record<string, string> = {}, labels?: Record<string, string>): any {
  const shape = shapeOf(sample);
  const spec = sample.spec(name);
  return {
    apiVersion: sample.apiVersion,
    kind: sample.kind,
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: shape && Object.keys(tags).length > 0 ? withTags(shape, spec, new Map(Object.entries(tags))) : spec,
  };
}

/** The tags of a live object, read in its kind's shape. */
export function tagsOf(object: any): Record<string, string> {
  const shape = ACK_KINDS[kindKey(object.apiVersion, object.kind)].tagShape;
  return shape ? Object.fromEntries(readTags(shape, object.spec)) : {};
}
