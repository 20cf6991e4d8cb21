/**
 * Which policies cover an object, and what they require of it together.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabelSelector, PolicyConflict, TagPolicy } from './crd';

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>> = {}): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
    }
  });
  return byLabels && byExpressions;
}

/** `group/Kind` of an object, as policies name kinds. */
export function groupKind(object: KubernetesObject): string {
  return `${object.apiVersion!.split('/')[0]}/${object.kind}`;
}

export function policyCovers(policy: TagPolicy, object: KubernetesObject, namespaceLabels: Readonly<Record<string, string>> | undefined): boolean {
  const { namespaces, namespaceSelector, selector, kinds } = policy.spec;
  const namespace = object.metadata?.namespace ?? '';
  const kind = groupKind(object);
  const group = kind.split('/')[0];
  return (
    (!kinds || kinds.some((k) => k === kind || k === `${group}/*`)) &&
    (!namespaces || namespaces.includes(namespace)) &&
    (!namespaceSelector || (namespaceLabels !== undefined && selectorMatches(namespaceSelector, namespaceLabels))) &&
    selectorMatches(selector, object.metadata?.labels)
  );
}

/**
 * The tags `policies` require of one object. A key two policies require with
 * different values is a conflict: neither value is applied, so the object is
 * not flipped back and forth; the conflict is reported instead.
 */
export function requiredTags(policies: readonly TagPolicy[], objectName: string): { tags: Map<string, string>; conflicts: PolicyConflict[] } {
  const values = new Map<string, Map<string, string>>(); // key → policy → value
  for (const policy of [...policies].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))) {
    for (const [key, value] of Object.entries(policy.spec.tags)) {
      if (!values.has(key)) values.set(key, new Map());
      values.get(key)!.set(policy.metadata!.name!, value);
    }
  }
  const tags = new Map<string, string>();
  const conflicts: PolicyConflict[] = [];
  for (const [key, byPolicy] of values) {
    if (new Set(byPolicy.values()).size === 1) tags.set(key, [...byPolicy.values()][0]);
    else conflicts.push({ key, object: objectName, policies: [...byPolicy.keys()] });
  }
  return { tags, conflicts };
}
