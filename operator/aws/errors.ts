/**
 * What an AWS error means for a controller that reconciles through the SDK:
 * `retry` (throttling, a service hiccup, a resource still changing: the work
 * queue backs off and tries again) or `terminal` (the request itself is wrong
 * or not allowed: retrying cannot help until the spec, or the operator's IAM
 * role, changes). ACK's controllers draw the same line (runtime
 * `pkg/errors`: Terminal errors are not requeued).
 */

/** Error codes that no retry fixes: permissions, and requests AWS refuses as invalid. */
const TERMINAL_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'ValidationError',
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidTrailNameException',
  'TrailNotFoundException',
  'WAFInvalidParameterException',
  'WAFNonexistentItemException',
  'WAFInvalidOperationException',
]);

export interface AwsFailure {
  readonly kind: 'retry' | 'terminal';
  /** `<code>: <message>`, as AWS said it. */
  readonly message: string;
}

/** Classifies an error thrown by an AWS SDK v3 client. */
export function awsFailure(error: unknown): AwsFailure {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  return { kind: TERMINAL_CODES.has(name) ? 'terminal' : 'retry', message: `${name}: ${message}` };
}

/** The region of an ARN (`arn:<partition>:<service>:<region>:…`), or undefined for a global one. */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}
