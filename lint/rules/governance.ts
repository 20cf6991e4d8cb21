/** Tags and regions: what every ACK object should say about itself. */
import { rule, type Rule } from '../rule';
import { tagsOf } from '../fields';

export const GOVERNANCE_RULES: Rule[] = [
  rule({
    id: 'ACKS-TAG-001',
    severity: 'error',
    kinds: ['*'],
    description: 'An AWS resource lacks a required tag',
    rationale: 'Cost allocation, ownership and compliance scoping read tags; an untagged resource belongs to nobody (seeds 000, 001, R-G3).',
    fix: 'Add the missing tags in the kind\'s own tag shape (the ack-systems operator\'s TagPolicy can add them in the cluster).',
    pci: ['12.5.1'],
    fsbp: [],
    *check(object, set) {
      const tags = tagsOf(object);
      if (!tags) return;
      const missing = set.requiredTags.filter((key) => !tags.has(key));
      if (missing.length) yield { path: 'spec.tags', message: `missing ${missing.join(', ')}` };
    },
  }),
  rule({
    id: 'ACKS-REGION-001',
    severity: 'warning',
    kinds: ['*'],
    description: 'An AWS resource states no region',
    rationale: 'Without services.k8s.aws/region (or a namespace default) the controller\'s own region applies: a multi-region system lands in one region (seeds 000, 003, 004).',
    fix: 'Annotate services.k8s.aws/region, or services.k8s.aws/default-region on the namespace.',
    pci: [],
    fsbp: [],
    *check(object) {
      if (!object.region && !object.kind.startsWith('services.k8s.aws/')) yield { path: 'metadata.annotations', message: 'no services.k8s.aws/region, and no namespace default in the set' };
    },
  }),
];
