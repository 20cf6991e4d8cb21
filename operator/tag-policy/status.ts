/**
 * Reconciles a TagPolicy's status from the ledger: counts, conflicts, the
 * untaggable kinds and a Ready condition. Writes only when something changed
 * (so a converged cluster sees no writes), through the status subresource,
 * retrying on conflicting updates.
 */
import { isStatus, objectPath, type ApiClient } from '../runtime/api-client';
import type { ReconcileResult, Reconciler } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import type { Store } from '../runtime/store';
import { TAG_POLICY_TYPE, type Condition, type TagPolicy, type TagPolicyStatus } from './crd';
import type { ComplianceLedger, PolicySummary } from './ledger';

const MAX_CONFLICTS_LISTED = 20;
const MAX_ATTEMPTS = 5;

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
export function desiredStatus(policy: TagPolicy, summary: PolicySummary): TagPolicyStatus {
  const ready = readyCondition(summary);
  const previous = policy.status?.conditions?.find((c) => c.type === 'Ready');
  const generation = policy.metadata?.generation;
  return {
    observedGeneration: generation,
    covered: summary.covered,
    compliant: summary.compliant,
    corrected: summary.corrected,
    untaggable: summary.untaggable,
    conflicts: summary.conflicts.slice(0, MAX_CONFLICTS_LISTED),
    ...(summary.lastError ? { lastError: summary.lastError } : {}),
    conditions: [
      {
        type: 'Ready',
        ...ready,
        lastTransitionTime: previous?.status === ready.status ? previous.lastTransitionTime : new Date().toISOString(),
        observedGeneration: generation,
      },
    ],
  };
}

export class PolicyStatusReconciler implements Reconciler {
  constructor(private readonly options: PolicyStatusOptions) {}

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const cached = this.options.policies.get(name);
    if (!cached) return;
    const summary = this.options.ledger.summarize(name);
    const status = desiredStatus(cached, summary);
    if (JSON.stringify(status) === JSON.stringify(cached.status)) return;

    const path = objectPath(TAG_POLICY_TYPE, undefined, name);
    for (let attempt = 1; ; attempt++) {
      const fresh = await this.options.api.get<TagPolicy>(path);
      const next = desiredStatus(fresh, summary);
      if (JSON.stringify(next) === JSON.stringify(fresh.status)) return;
      try {
        await this.options.api.replaceStatus(path, { ...fresh, status: next });
        break;
      } catch (error) {
        // Someone else updated the policy since we read it: read again and retry.
        if (!isStatus(error, 409) || attempt === MAX_ATTEMPTS) throw error;
      }
    }
    const hadConflicts = (cached.status?.conflicts?.length ?? 0) > 0;
    if (summary.conflicts.length > 0 && !hadConflicts) {
      const keys = [...new Set(summary.conflicts.map((c) => c.key))].join(', ');
      this.options.events.record(cached, 'Warning', 'TagConflict', `policies disagree on ${keys} for ${summary.conflicts.length} objects; neither value is applied`);
    }
  }
}
