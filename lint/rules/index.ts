/** Every rule, in the order reports and the reference list them. */
import { ACKNOWLEDGEMENT_RULES } from '../engine';
import type { Rule } from '../rule';
import { COMPUTE_RULES } from './compute';
import { CONVERGENCE_RULES } from './convergence';
import { DATA_RULES } from './data';
import { GOVERNANCE_RULES } from './governance';
import { NETWORK_RULES } from './network';
import { OBSERVABILITY_RULES } from './observability';
import { REFERENCE_RULES } from './references';
import { SECURITY_RULES } from './security';

export const RULES: readonly Rule[] = [...NETWORK_RULES, ...DATA_RULES, ...SECURITY_RULES, ...COMPUTE_RULES, ...OBSERVABILITY_RULES, ...GOVERNANCE_RULES, ...REFERENCE_RULES, ...CONVERGENCE_RULES];

/** The rules the engine checks itself (acknowledgements), for reports and the reference. */
export const ALL_RULES: readonly Rule[] = [...RULES, ...Object.values(ACKNOWLEDGEMENT_RULES)];
