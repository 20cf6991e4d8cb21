/** Labels this project writes on every object, which the linter (and tools) read. */
export const PROJECT_LABELS = {
  environment: 'ack-systems.io/environment',
  /** `production` or `non-production` (the environment's `tier`): production rules apply to `production`. */
  tier: 'ack-systems.io/tier',
} as const;

/**
 * `acknowledge.lint.ack-systems.io/<RULE-ID>: <reason>` on an object: its
 * finding of that rule is reported with the reason and fails nothing.
 */
export const LINT_ACKNOWLEDGE_PREFIX = 'acknowledge.lint.ack-systems.io/';

/**
 * On every tagged ACK object of an environment with `gitops`: the tag keys Git
 * gives it (a JSON array). Argo CD's diff ignores only tag entries whose key is
 * not listed (the ones the TagPolicy operator adds), so a tag Git changes is
 * still drift and is applied (`charts/gitops.ts`).
 */
export const GIT_TAG_KEYS_ANNOTATION = 'ack-systems.io/git-tag-keys';
