/**
 * Reconciles a DeferredObject (R-O6): resolve its inputs, render its template,
 * and apply the rendered object, owned by the DeferredObject, by server-side
 * apply under the operator's own field manager. Applying by name is
 * idempotent, so a new leader, or two rounds racing, never create an object
 * twice. A rendering that changes nothing is not applied again (the status
 * keeps the hash of what was applied), so a steady state writes nothing.
 *
 * Nothing is retried hot: an invalid expression or a cycle waits for a change
 * of the spec, a forbidden or refused kind is looked at again after
 * `SLOW_RETRY_MS`, and a missing input waits for that input to change.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { DomainNameLookup } from '../aws/domain-names';
import { ApiError, isStatus, objectPath, type ApiClient, type ResourceType } from '../runtime/api-client';
import type { ReconcileResult, Reconciler } from '../runtime/controller';
import type { EventRecorder } from '../runtime/events';
import { Finalizer } from '../runtime/finalizers';
import type { Logger } from '../runtime/log';
import { setCondition, writeStatus, type Condition } from '../runtime/status';
import type { Store } from '../runtime/store';
import { DEFERRED_OBJECT_TYPE, type DeferredObject, type DeferredObjectStatus } from './crd';
import { cycleThrough, groupOf, renderedKey } from './graph';
import { TemplateProgram } from './template';

/** How soon a refused apply, or an AWS lookup that did not answer, is tried again. */
export const SLOW_RETRY_MS = 5 * 60_000;
const LOOKUP_RETRY_MS = 30_000;
export const DEFERRED_FINALIZER = 'ack-systems.io/deferred-object';

/** The kinds served by CRDs, by `<group>/<Kind>`, and their objects as cached. */
export interface InputObjects {
  /** Where objects of a kind are read and written; undefined when no CRD serves it. */
  typeOf(group: string, kind: string): ResourceType | undefined;
  /** The cached object, or undefined; registers the kind for watching on first use. */
  get(type: ResourceType, namespace: string, name: string): KubernetesObject | undefined;
}

export interface DeferredReconcilerOptions {
  readonly api: ApiClient;
  readonly deferred: Store<DeferredObject>;
  readonly inputs: InputObjects;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly fieldManager: string;
  /** Absent: inputs that look up AWS wait, saying the operator has no AWS access. */
  readonly domainNames?: DomainNameLookup;
  readonly now?: () => Date;
}

type Outcome = { readonly status: Omit<DeferredObjectStatus, 'observedGeneration'>; readonly event?: { type: 'Normal' | 'Warning'; reason: string; message: string }; readonly result?: ReconcileResult };

export class DeferredObjectReconciler implements Reconciler {
  private readonly finalizer: Finalizer;
  /** Compiled templates by `<uid>/<generation>`: a spec compiles once. */
  private readonly programs = new Map<string, TemplateProgram | { errors: readonly string[] }>();

  constructor(private readonly options: DeferredReconcilerOptions) {
    this.finalizer = new Finalizer(options.api, DEFERRED_OBJECT_TYPE, DEFERRED_FINALIZER, options.fieldManager);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const object = this.options.deferred.get(key);
    if (!object) return;
    const outcome = await this.finalizer.reconcile(object, () => this.deleteRendered(object, object.status?.rendered));
    if (outcome === 'deleted') return this.forget(object);
    const { status, event, result } = await this.converge(object);
    const previous = object.status?.conditions?.find((c) => c.type === 'Ready');
    await writeStatus<DeferredObject, DeferredObjectStatus>(this.options.api, DEFERRED_OBJECT_TYPE, { namespace: object.metadata!.namespace, name: object.metadata!.name! }, (fresh) => ({
      ...status,
      conditions: (status.conditions ?? []).reduce<Condition[]>((all, condition) => setCondition(all, { ...condition, observedGeneration: fresh.metadata?.generation }, this.now()), fresh.status?.conditions ?? []),
    }));
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    if (event && (event.reason === 'Applied' || previous?.message !== ready?.message)) this.options.events.record(object, event.type, event.reason, event.message);
    return result;
  }

  private async converge(object: DeferredObject): Promise<Outcome> {
    const namespace = object.metadata!.namespace!;
    const program = this.program(object);
    const rendered = object.status?.rendered;
    if (!(program instanceof TemplateProgram)) return blocked(rendered, 'Resolved', 'InvalidExpression', `fix the template: ${program.errors.join('; ')}`);
    const cycle = cycleThrough(object, this.options.deferred.listInNamespace(namespace));
    if (cycle) return blocked(rendered, 'Resolved', 'Cycle', `inputs go round in a cycle, so none can render: ${cycle.join(' → ')}`);

    const { bindings, waiting, retryMs } = await this.resolveInputs(object);
    if (waiting.length > 0) return waitingFor(rendered, waiting, retryMs);
    const result = program.render(bindings);
    if (result.kind === 'invalid') return blocked(rendered, 'Resolved', 'InvalidExpression', result.reasons.join('; '));
    if (result.kind === 'waiting') return waitingFor(rendered, result.reasons);

    const target = this.ownedBy(object, result.object);
    const type = this.options.inputs.typeOf(groupOf(target.apiVersion!), target.kind!);
    if (!type) return blocked(rendered, 'Applied', 'KindNotServed', `no CustomResourceDefinition serves ${target.apiVersion} ${target.kind}: install its controller's CRDs`, SLOW_RETRY_MS);
    const hash = createHash('sha256').update(JSON.stringify(target)).digest('hex').slice(0, 16);
    const path = objectPath(type, namespace, target.metadata!.name!);
    const next = { apiVersion: target.apiVersion!, kind: target.kind!, name: target.metadata!.name!, hash };
    if (rendered?.hash === hash && (await this.exists(path))) return applied(next, false);
    try {
      await this.options.api.apply(path, target, this.options.fieldManager, { force: true });
    } catch (error) {
      if (isStatus(error, 403)) return blocked(rendered, 'Applied', 'Forbidden', `the operator may not write ${target.kind} (${type.group}): its ClusterRole grants only the kinds the charts defer; add this one to the operator's RBAC`, SLOW_RETRY_MS);
      if (isStatus(error, 422) || isStatus(error, 400)) return blocked(rendered, 'Applied', 'Rejected', `the API server refused the rendered ${target.kind}: ${(error as ApiError).message}`, SLOW_RETRY_MS);
      throw error;
    }
    // The template now names another object: the one rendered before is no longer wanted.
    if (rendered && renderedKey(rendered) !== renderedKey(next)) await this.deleteRendered(object, rendered);
    return applied(next, true);
  }

  /** Each input's value, or what it waits for. */
  private async resolveInputs(object: DeferredObject): Promise<{ bindings: Record<string, unknown>; waiting: string[]; retryMs?: number }> {
    const namespace = object.metadata!.namespace!;
    const bindings: Record<string, unknown> = {};
    const waiting: string[] = [];
    let retryMs: number | undefined;
    for (const input of object.spec.inputs) {
      if (input.object) {
        const { apiVersion, kind, name } = input.object;
        const type = this.options.inputs.typeOf(groupOf(apiVersion), kind);
        const found = type && this.options.inputs.get(type, namespace, name);
        if (found) bindings[input.name] = found;
        else if (input.optional && type) bindings[input.name] = {};
        else waiting.push(`${input.name}: ${kind} ${name} ${type ? 'not found' : `(no CustomResourceDefinition serves ${apiVersion} ${kind})`}`);
      } else if (input.apiGatewayDomainName) {
        const { region, domainName } = input.apiGatewayDomainName;
        if (!this.options.domainNames) {
          waiting.push(`${input.name}: API Gateway domain ${domainName} (${region}): the operator has no AWS access`);
          continue;
        }
        try {
          bindings[input.name] = await this.options.domainNames.regionalTarget(region, domainName);
        } catch (error) {
          waiting.push(`${input.name}: API Gateway domain ${domainName} (${region}): ${(error as Error).name}: ${(error as Error).message}`);
          retryMs = LOOKUP_RETRY_MS;
        }
      }
    }
    return { bindings, waiting, retryMs };
  }

  /** The rendered object as the operator writes it: in the DeferredObject's namespace, owned by it. */
  private ownedBy(owner: DeferredObject, rendered: Record<string, unknown>): KubernetesObject {
    const metadata = (rendered.metadata ?? {}) as Record<string, unknown>;
    return {
      ...rendered,
      metadata: {
        ...metadata,
        namespace: owner.metadata!.namespace,
        ownerReferences: [{ apiVersion: `${DEFERRED_OBJECT_TYPE.group}/${DEFERRED_OBJECT_TYPE.version}`, kind: DEFERRED_OBJECT_TYPE.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true }],
      },
    } as KubernetesObject;
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await this.options.api.get(path);
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  /** Deletes what this DeferredObject rendered (its deletion, or a template that now names another object). */
  private async deleteRendered(owner: DeferredObject, rendered: DeferredObjectStatus['rendered']): Promise<void> {
    const type = rendered && this.options.inputs.typeOf(groupOf(rendered.apiVersion), rendered.kind);
    if (!rendered || !type) return;
    try {
      await this.options.api.delete(objectPath(type, owner.metadata!.namespace, rendered.name));
      this.options.events.record(owner, 'Normal', 'Deleted', `deleted ${rendered.kind} ${rendered.name}`);
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }

  private program(object: DeferredObject): TemplateProgram | { errors: readonly string[] } {
    const key = `${object.metadata!.uid}/${object.metadata!.generation}`;
    let program = this.programs.get(key);
    if (!program) {
      for (const old of this.programs.keys()) if (old.startsWith(`${object.metadata!.uid}/`)) this.programs.delete(old);
      program = TemplateProgram.compile(object.spec.template, object.spec.inputs.map((input) => input.name));
      this.programs.set(key, program);
    }
    return program;
  }

  private forget(object: DeferredObject): void {
    for (const key of this.programs.keys()) if (key.startsWith(`${object.metadata!.uid}/`)) this.programs.delete(key);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

type NewCondition = Omit<Condition, 'lastTransitionTime'>;
const condition = (type: string, status: NewCondition['status'], reason: string, message: string): NewCondition => ({ type, status, reason, message });

function applied(rendered: NonNullable<DeferredObjectStatus['rendered']>, changed: boolean): Outcome {
  const message = `${rendered.kind} ${rendered.name} is applied with every input resolved`;
  return {
    status: { rendered, conditions: [condition('Resolved', 'True', 'Resolved', 'every input resolved'), condition('Applied', 'True', 'Applied', message), condition('Ready', 'True', 'Applied', message)] as Condition[] },
    ...(changed ? { event: { type: 'Normal' as const, reason: 'Applied', message: `applied ${rendered.kind} ${rendered.name}` } } : {}),
  };
}

function waitingFor(rendered: DeferredObjectStatus['rendered'], reasons: readonly string[], retryMs?: number): Outcome {
  const message = `waiting for ${reasons.join('; ')}`;
  return {
    status: { ...(rendered ? { rendered } : {}), waitingFor: [...reasons], conditions: [condition('Resolved', 'False', 'Waiting', message), condition('Ready', 'False', 'Waiting', message)] as Condition[] },
    event: { type: 'Normal', reason: 'Waiting', message },
    ...(retryMs ? { result: { requeueAfterMs: retryMs } } : {}),
  };
}

function blocked(rendered: DeferredObjectStatus['rendered'], type: 'Resolved' | 'Applied', reason: string, message: string, retryMs?: number): Outcome {
  // Refused at apply: every input had resolved.
  const resolved = type === 'Applied' ? [condition('Resolved', 'True', 'Resolved', 'every input resolved')] : [];
  return {
    status: { ...(rendered ? { rendered } : {}), conditions: [...resolved, condition(type, 'False', reason, message), condition('Ready', 'False', reason, message)] as Condition[] },
    event: { type: 'Warning', reason, message },
    ...(retryMs ? { result: { requeueAfterMs: retryMs } } : {}),
  };
}
