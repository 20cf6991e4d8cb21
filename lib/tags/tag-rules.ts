/**
 * AWS tag key/value rules (shared by the config schema and `Tags.add`).
 * @see https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
 */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ALLOWED = 'letters, digits, spaces and _.:/=+-@';

/** Why `key` cannot be an AWS tag key, or `undefined` when it can. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > 128) return `tag key "${key}" must be 1-128 characters`;
  if (!TAG_CHARACTERS.test(key)) return `tag key "${key}" has characters AWS rejects; allowed: ${ALLOWED}`;
  if (/^aws:/i.test(key)) return `tag key "${key}" uses the reserved "aws:" prefix`;
  // ACK's own tags; controllers filter them out of specs, so they would never converge.
  if (key.startsWith('services.k8s.aws/')) return `tag key "${key}" uses ACK's reserved "services.k8s.aws/" prefix`;
  return undefined;
}

/** Why `value` cannot be an AWS tag value, or `undefined` when it can. */
export function tagValueProblem(key: string, value: string): string | undefined {
  if (value.length > 256) return `tag "${key}" value is ${value.length} characters; allowed: 0-256`;
  if (!TAG_CHARACTERS.test(value)) return `tag "${key}" value "${value}" has characters AWS rejects; allowed: ${ALLOWED}`;
  return undefined;
}
