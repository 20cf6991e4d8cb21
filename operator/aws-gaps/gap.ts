/**
 * The reconciler every ACK-gap kind shares (R-O7), in ACK's own style:
 * resolve the ACK objects it references (waiting, with
 * `ACK.ReferencesResolved` saying why, until each is synced and has an ARN),
 * make the one AWS call ACK lacks, and report `ACK.ResourceSynced`,
 * `ACK.Terminal` (an error no retry fixes: access denied, an invalid request)
 * or `ACK.Recoverable` (throttling and the like: retried with the work
 * queue's backoff). A finalizer undoes the call on delete, unless the object
 * says `services.k8s.aws/deletion-policy: retain`, as ACK's runtime does
 * (runtime `pkg/runtime/reconciler.go` deleteResource, deletion policy).
 *
 * Each kind supplies only what differs: the references it joins and its
 * `converge` and `undo` against AWS.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';
import { awsFailure } from '../aws/errors';
import type { ResourceType } from '../runtime/api-client';
import type { ReconcileResult, Reconciler } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import { Finalizer } from '../runtime/finalizers';
import type { Logger } from '../runtime/log';
import { setCondition, writeStatus, type Condition } from '../runtime/status';
import type { Store } from '../runtime/store';

/** ACK's condition types (runtime `apis/core/v1alpha1/conditions.go`). */
export const ACK_CONDITIONS = {
  synced: 'ACK.ResourceSynced',
  terminal: 'ACK.Terminal',
  recoverable: 'ACK.Recoverable',
  referencesResolved: 'ACK.ReferencesResolved',
} as const;

/** How often a synced object is checked against AWS again, so a change made outside (the console) is undone. */
export const GAP_RESYNC_MS = 10 * 60_000;
export const GAP_FINALIZER = 'ack-systems.io/aws-gap';

export type AckObject = KubernetesObject & { spec?: any; status?: any };

/** A referenced ACK object that is synced, with its ARN. */
export interface Resolved {
  readonly arn: string;
  readonly object: AckObject;
}

export type GapObject = KubernetesObject & { spec: object; status?: { conditions?: Condition[]; observedGeneration?: number } };

/** What one gap kind does; the shared reconciler does the rest. */
export interface GapKind<T extends GapObject, Refs extends string> {
  /** The gap kind's own API type. */
  readonly type: ResourceType;
  /** The ACK kind each reference field names. */
  readonly refTypes: Readonly<Record<Refs, ResourceType>>;
  /** The name each reference field holds. */
  refs(object: T): Readonly<Record<Refs, string>>;
  /** Makes AWS match the spec. Returns the status fields to record and, when it changed something, what (an Event). */
  converge(object: T, resolved: Readonly<Record<Refs, Resolved>>): Promise<{ readonly status: Omit<NonNullable<T['status']>, 'conditions' | 'observedGeneration'>; readonly changed?: string }>;
  /** Undoes in AWS what `converge` did, from the status it recorded. Returns what it did, if anything. */
  undo(object: T): Promise<string | undefined>;
}

export interface GapReconcilerOptions<T extends GapObject> {
  readonly objects: Store<T>;
  /** The cached ACK objects of a referenced kind. */
  readonly referenced: (type: ResourceType) => Store<AckObject>;
  readonly api: import('../runtime/api-client').ApiClient;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly fieldManager: string;
  readonly now?: () => Date;
}

type NewCondition = Omit<Condition, 'lastTransitionTime'>;
const condition = (type: string, status: NewCondition['status'], reason: string, message: string): NewCondition => ({ type, status, reason, message });

interface Outcome {
  readonly fields?: object;
  readonly conditions: readonly NewCondition[];
  readonly event?: { readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };
}

/** Whether deleting the object leaves what it did in AWS (ACK's `retain`). */
export function retained(object: KubernetesObject): boolean {
  return object.metadata?.annotations?.[ACK_ANNOTATIONS.deletionPolicy]?.toLowerCase() === 'retain';
}

export class GapReconciler<T extends GapObject, Refs extends string> implements Reconciler {
  private readonly finalizer: Finalizer;

  constructor(
    private readonly kind: GapKind<T, Refs>,
    private readonly options: GapReconcilerOptions<T>,
  ) {
    this.finalizer = new Finalizer(options.api, kind.type, GAP_FINALIZER, options.fieldManager);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const object = this.options.objects.get(key);
    if (!object) return;
    const outcome = await this.finalizer.reconcile(object, () => this.cleanUp(object));
    if (outcome === 'deleted') return;

    const waiting = this.unresolved(object);
    if (waiting.problems.length > 0) {
      const message = waiting.problems.join('; ');
      return void (await this.record(object, {
        conditions: [condition(ACK_CONDITIONS.referencesResolved, 'False', 'ReferenceNotReady', message), condition(ACK_CONDITIONS.synced, 'False', 'WaitingForReferences', message)],
      }));
    }
    const resolvedCondition = condition(ACK_CONDITIONS.referencesResolved, 'True', 'Resolved', 'every reference is synced');
    try {
      const { status, changed } = await this.kind.converge(object, waiting.resolved);
      await this.record(object, {
        fields: status,
        conditions: [resolvedCondition, condition(ACK_CONDITIONS.synced, 'True', 'Synced', changed ?? 'AWS matches the spec')],
        event: changed ? { type: 'Normal', reason: 'Synced', message: changed } : undefined,
      });
      return { requeueAfterMs: GAP_RESYNC_MS };
    } catch (error) {
      const failure = awsFailure(error);
      if (failure.kind === 'terminal') {
        // Like ACK: no retry until the spec changes (or the resync, after the IAM role is fixed).
        await this.record(object, {
          conditions: [resolvedCondition, condition(ACK_CONDITIONS.synced, 'False', 'Terminal', failure.message), condition(ACK_CONDITIONS.terminal, 'True', 'Terminal', failure.message)],
          event: { type: 'Warning', reason: 'Terminal', message: failure.message },
        });
        return { requeueAfterMs: GAP_RESYNC_MS };
      }
      await this.record(object, {
        conditions: [resolvedCondition, condition(ACK_CONDITIONS.synced, 'False', 'Recoverable', failure.message), condition(ACK_CONDITIONS.recoverable, 'True', 'Recoverable', failure.message)],
        event: { type: 'Warning', reason: 'Recoverable', message: `${failure.message} (retrying with backoff)` },
      });
      throw error;
    }
  }

  /** The finalizer's work: undo in AWS, or leave it when retained. A failure keeps the finalizer (retried). */
  private async cleanUp(object: T): Promise<void> {
    if (retained(object)) {
      this.options.events.record(object, 'Normal', 'Retained', `deletion-policy retain: ${this.kind.type.kind} left in AWS as it is`);
      return;
    }
    try {
      const undone = await this.kind.undo(object);
      if (undone) this.options.events.record(object, 'Normal', 'Deleted', undone);
    } catch (error) {
      const failure = awsFailure(error);
      this.options.events.record(object, 'Warning', failure.kind === 'terminal' ? 'Terminal' : 'Recoverable', `cannot undo on delete: ${failure.message} (retrying with backoff)`);
      throw error;
    }
  }

  /** Each reference's ARN, or why it cannot be used yet. */
  private unresolved(object: T): { resolved: Record<Refs, Resolved>; problems: string[] } {
    const namespace = object.metadata!.namespace!;
    const resolved = {} as Record<Refs, Resolved>;
    const problems: string[] = [];
    for (const [field, name] of Object.entries(this.kind.refs(object)) as [Refs, string][]) {
      const type = this.kind.refTypes[field];
      const found = this.options.referenced(type).get(`${namespace}/${name}`);
      const conditions = (found?.status?.conditions ?? []) as { type: string; status: string; message?: string }[];
      const terminal = conditions.find((c) => c.type === ACK_CONDITIONS.terminal && c.status === 'True');
      const synced = conditions.find((c) => c.type === ACK_CONDITIONS.synced)?.status === 'True';
      const arn = found?.status?.ackResourceMetadata?.arn as string | undefined;
      if (!found) problems.push(`${type.kind} ${name} not found`);
      else if (terminal) problems.push(`${type.kind} ${name} is ACK.Terminal: ${terminal.message ?? ''}`.trim());
      else if (!synced || !arn) problems.push(`${type.kind} ${name} is not synced yet`);
      else resolved[field] = { arn, object: found };
    }
    return { resolved, problems };
  }

  /** Writes the status (only what changed) and records the Event of a change or a new problem. */
  private async record(object: T, outcome: Outcome): Promise<void> {
    const now = this.options.now?.() ?? new Date();
    const cleared = new Set<string>([ACK_CONDITIONS.terminal, ACK_CONDITIONS.recoverable].filter((type) => !outcome.conditions.some((c) => c.type === type)));
    const previous = object.status?.conditions?.find((c) => c.type === ACK_CONDITIONS.synced);
    await writeStatus<T, NonNullable<T['status']>>(
      this.options.api,
      this.kind.type,
      { namespace: object.metadata!.namespace, name: object.metadata!.name! },
      (fresh) => {
        const { conditions: kept = [], observedGeneration: _, ...fields } = fresh.status ?? {};
        return {
          ...fields,
          ...outcome.fields,
          conditions: outcome.conditions.reduce<Condition[]>(
            (all, next) => setCondition(all, { ...next, observedGeneration: fresh.metadata?.generation }, now),
            kept.filter((c) => !cleared.has(c.type)),
          ),
        } as NonNullable<T['status']>;
      },
      { cached: object },
    );
    const synced = outcome.conditions.find((c) => c.type === ACK_CONDITIONS.synced)!;
    const news = previous?.status !== synced.status || previous?.message !== synced.message;
    if (outcome.event && (outcome.event.type === 'Normal' || news)) this.options.events.record(object, outcome.event.type, outcome.event.reason, outcome.event.message);
    else if (!outcome.event && news && synced.status === 'False') this.options.events.record(object, 'Normal', 'Waiting', synced.message);
  }
}
