/**
 * Runs rules over a set of objects and applies acknowledgements (R-L2): an
 * object may acknowledge a rule with the annotation
 * `acknowledge.lint.ack-systems.io/<RULE-ID>: <reason>`, as cdk-nag's
 * suppressions do. An acknowledged finding is still reported (with its
 * reason) but does not fail the run; an acknowledgement without a written
 * reason is itself an error, and one naming no rule a warning.
 */
import { LINT_ACKNOWLEDGE_PREFIX } from '../lib/labels';
import type { LintObject, LintSet } from './objects';
import { rule, type Rule, type Severity, type Violation } from './rule';

export const ACKNOWLEDGE_PREFIX = LINT_ACKNOWLEDGE_PREFIX;
/** A reason shorter than this says nothing. */
const MIN_REASON = 10;

export interface Finding extends Violation {
  readonly ruleId: string;
  readonly severity: Severity;
  /** The written reason, when the object acknowledges the rule. */
  readonly acknowledged?: string;
}

/** The engine's own rules, about acknowledgements (their findings come from the engine itself). */
export const ACKNOWLEDGEMENT_RULES = {
  reason: rule({
    id: 'ACKS-LINT-001',
    severity: 'error',
    kinds: ['*'],
    description: 'An acknowledgement has no written reason',
    rationale: 'An acknowledgement is a decision someone must be able to review; without a reason it only hides the finding.',
    fix: `Write why the rule does not apply here as the annotation's value (at least ${MIN_REASON} characters).`,
    pci: ['12.4.1'],
    fsbp: [],
  }),
  unknown: rule({
    id: 'ACKS-LINT-002',
    severity: 'warning',
    kinds: ['*'],
    description: 'An acknowledgement names a rule that does not exist',
    rationale: 'A misspelt rule ID acknowledges nothing, and the finding it meant stays (or a renamed rule\'s finding comes back).',
    fix: 'Use the rule ID as the lint reference lists it.',
    pci: [],
    fsbp: [],
  }),
};

/** The acknowledgements an object carries: rule ID → reason. */
export function acknowledgements(object: LintObject): Map<string, string> {
  const annotations: Record<string, unknown> = object.manifest.metadata?.annotations ?? {};
  return new Map(
    Object.entries(annotations)
      .filter(([key]) => key.startsWith(ACKNOWLEDGE_PREFIX))
      .map(([key, value]) => [key.slice(ACKNOWLEDGE_PREFIX.length), String(value ?? '').trim()]),
  );
}

export function lint(set: LintSet, rules: readonly Rule[]): Finding[] {
  const findings: Finding[] = [];
  const known = new Set([...rules, ...Object.values(ACKNOWLEDGEMENT_RULES)].map((r) => r.id));
  for (const current of rules) {
    const violations: Violation[] = [];
    if (current.check) {
      for (const object of set.ofKinds(current.kinds)) {
        if (current.productionOnly && !object.production) continue;
        for (const v of current.check(object, set)) if (v) violations.push({ ...v, object });
      }
    }
    if (current.checkAll) violations.push(...[...current.checkAll(set)].filter((v) => !current.productionOnly || v.object.production));
    for (const violation of violations) {
      const reason = acknowledgements(violation.object).get(current.id);
      findings.push({ ...violation, ruleId: current.id, severity: current.severity, ...(reason && reason.length >= MIN_REASON ? { acknowledged: reason } : {}) });
    }
  }
  for (const object of set.objects) {
    for (const [id, reason] of acknowledgements(object)) {
      const path = `metadata.annotations.${ACKNOWLEDGE_PREFIX}${id}`;
      if (reason.length < MIN_REASON) {
        findings.push({ object, path, ruleId: ACKNOWLEDGEMENT_RULES.reason.id, severity: 'error', message: `acknowledges ${id} without a reason: write why the finding does not apply here (at least ${MIN_REASON} characters)` });
      }
      if (!known.has(id)) findings.push({ object, path, ruleId: ACKNOWLEDGEMENT_RULES.unknown.id, severity: 'warning', message: `acknowledges ${id}, which is not a rule (a typo, or a rule since renamed?)` });
    }
  }
  return findings;
}

/** The findings that fail a run: errors not acknowledged. */
export function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error' && !f.acknowledged);
}
