/**
 * Reconciles a TagPolicy's status from the ledger: counts, conflicts, the
 * untaggable kinds and a Ready condition, written with the runtime's status
 * helper (fresh read, no write when nothing changed, conflict retry).
 */
import type { ApiClient } from '../runtime/api-client';
import type { ReconcileResult, Reconciler } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import { setCondition, writeStatus, type Condition } from '../runtime/status';
import type { Store } from '../runtime/store';
import { TAG_POLICY_TYPE, type TagPolicy, type TagPolicyStatus } from './crd';
import type { ComplianceLedger, PolicySummary } from './ledger';

const MAX_CONFLICTS_LISTED = 20;

export interface PolicyStatusOptions {
  readonly api: ApiClient;
  readonly policies: Store<TagPolicy>;
  readonly ledger: ComplianceLedger;
  readonly events: EventRecorder;
}

function readyCondition(summary: PolicySummary): Pick<Condition, 'status' | 'reason' | 'message'> {
  if (summary.conflicts.length > 0) {
    const keys = [...new Set(summary.conflicts.map((c) => c.key))].join(', ');
    return { status: 'False', reason: 'Conflict', message: `another policy requires a different value for ${keys}; neither is applied` };
  }
  if (summary.pending > 0) return { status: 'False', reason: 'Correcting', message: `${summary.pending} covered objects are being corrected` };
  const untaggable = summary.untaggable.objects > 0 ? `; ${summary.untaggable.objects} objects of kinds without tags are reported only` : '';
  return { status: 'True', reason: 'Compliant', message: `${summary.compliant} of ${summary.covered} covered objects carry the required tags${untaggable}` };
}

/** The status `summary` calls for; the Ready condition keeps its transition time while its status holds. */
export function desiredStatus(policy: TagPolicy, summary: PolicySummary, now?: Date): TagPolicyStatus {
  const generation = policy.metadata?.generation;
  return {
    observedGeneration: generation,
    covered: summary.covered,
    compliant: summary.compliant,
    corrected: summary.corrected,
    untaggable: { objects: summary.untaggable.objects, kinds: [...summary.untaggable.kinds] },
    conflicts: summary.conflicts.slice(0, MAX_CONFLICTS_LISTED).map((c) => ({ ...c, policies: [...c.policies] })),
    ...(summary.lastError ? { lastError: summary.lastError } : {}),
    conditions: setCondition(policy.status?.conditions, { type: 'Ready', ...readyCondition(summary), observedGeneration: generation }, now),
  };
}

export class PolicyStatusReconciler implements Reconciler {
  constructor(private readonly options: PolicyStatusOptions) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const cached = this.options.policies.get(name);
    if (!cached) return;
    const summary = this.options.ledger.summarize(name);
    const written = await writeStatus<TagPolicy, TagPolicyStatus>(this.options.api, TAG_POLICY_TYPE, { name }, (fresh) => desiredStatus(fresh, summary), { cached });
    const hadConflicts = (cached.status?.conflicts?.length ?? 0) > 0;
    if (written === 'written' && summary.conflicts.length > 0 && !hadConflicts) {
      const keys = [...new Set(summary.conflicts.map((c) => c.key))].join(', ');
      this.options.events.record(cached, 'Warning', 'TagConflict', `policies disagree on ${keys} for ${summary.conflicts.length} objects; neither value is applied`);
    }
  }
}
