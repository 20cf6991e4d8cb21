/** Small manifests for lint tests: an ACK object in namespace `shop`, us-east-1, named as given. */
import { lint, type Finding } from '../../lint/engine';
import { LintSet, type Json, type LintSetOptions } from '../../lint/objects';
import type { Rule } from '../../lint/rule';

export function ack(service: string, kind: string, name: string, spec: Json = {}, metadata: Json = {}): Json {
  return {
    apiVersion: `${service}.services.k8s.aws/v1alpha1`,
    kind,
    metadata: { name, namespace: 'shop', ...metadata, annotations: { 'services.k8s.aws/region': 'us-east-1', ...metadata.annotations } },
    spec,
  };
}

/** One of the project's own kinds (`ack-systems.io/v1alpha1`). */
export function ours(kind: string, name: string, spec: Json, annotations: Json = {}): Json {
  return { apiVersion: 'ack-systems.io/v1alpha1', kind, metadata: { name, namespace: 'shop', annotations }, spec };
}

/** Lints manifests (as if each were its own document of `test.yaml`) with the given rules. */
export function lintManifests(manifests: readonly Json[], rules: readonly Rule[], options: LintSetOptions = {}): Finding[] {
  return lint(new LintSet(manifests.map((manifest, i) => ({ manifest, source: { file: 'test.yaml', line: i + 1 } })), options), rules);
}
