import type { ApiObject } from 'cdk8s';
import { LINT_ACKNOWLEDGE_PREFIX } from '../../lib/labels';

/**
 * Acknowledges a lint rule on an object, with the written reason it does not
 * apply (R-L2): the finding is reported with the reason and fails neither
 * synth nor `npm run lint`. The reason is the decision a reviewer reads.
 */
export function acknowledge(object: ApiObject, ruleId: string, reason: string): void {
  object.metadata.addAnnotation(`${LINT_ACKNOWLEDGE_PREFIX}${ruleId}`, reason);
}
