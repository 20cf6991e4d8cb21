/**
 * What a lint rule is (R-L1): a stable ID, a severity, the kinds it reads, what
 * it checks in one line, why it matters, how to fix it, and where it comes
 * from (PCI DSS v4.0.1 requirements, AWS Foundational Security Best Practices
 * controls, the seed failure it catches, the ACK controller code it rests on).
 * A rule looks at one object (`check`) or at the whole set (`checkAll`: the
 * cross-object rules no per-resource scanner can have).
 */
import type { LintObject, LintSet } from './objects';

export type Severity = 'error' | 'warning';

export interface Violation {
  /** The object it is about. */
  readonly object: LintObject;
  readonly message: string;
  /** The field, as a dotted path below the object (`spec.ingressRules[0]`). */
  readonly path?: string;
}

export interface Rule {
  /** Stable: acknowledgements and reports name it. `ACKS-<AREA>-<NNN>`. */
  readonly id: string;
  readonly severity: Severity;
  /** `<group>/<Kind>` of the kinds it reads (`*` every ACK kind). */
  readonly kinds: readonly string[];
  readonly description: string;
  readonly rationale: string;
  readonly fix: string;
  /** PCI DSS v4.0.1 requirement numbers. */
  readonly pci: readonly string[];
  /** AWS Foundational Security Best Practices control IDs. */
  readonly fsbp: readonly string[];
  /** For convergence rules: the ACK controller file and release the rule rests on. */
  readonly source?: string;
  /** Only objects of production environments (see `LintObject.production`). */
  readonly productionOnly?: boolean;
  /** Messages about one object; `undefined` entries are dropped. */
  check?(object: LintObject, set: LintSet): Iterable<Omit<Violation, 'object'> | undefined>;
  /** Messages about the set as a whole. */
  checkAll?(set: LintSet): Iterable<Violation>;
}

/** Defines a rule (a function only so that rule files read as a list). */
export function rule(definition: Rule): Rule {
  return definition;
}
