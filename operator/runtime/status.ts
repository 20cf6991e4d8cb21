/**
 * Status helpers every controller needs (apimachinery `meta.SetStatusCondition`,
 * controller-runtime's status writer): a condition that keeps its
 * lastTransitionTime while its status holds, and a status write that reads
 * the object fresh, writes only when something changed (a converged cluster
 * sees no writes), records the generation it observed, and retries when
 * someone else updated the object in between (409 Conflict).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import { isStatus, objectPath, type ApiClient, type ResourceType } from './api-client';

/** A status condition (`metav1.Condition`); its schema is part of every CRD with conditions. */
export const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.iso.datetime(),
  observedGeneration: z.number().int().meta({ format: 'int64' }).optional(),
});

export type Condition = z.infer<typeof conditionSchema>;

/** `conditions: [...]` in a status schema: a list keyed by `type`, so that server-side apply merges it. */
export const conditionsSchema = z.array(conditionSchema).meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

/** A status's `observedGeneration`. */
export const observedGenerationSchema = z.number().int().meta({ format: 'int64' });

/**
 * `conditions` with `next` in place of the condition of its type. The
 * transition time is kept while the status holds and is `now` when it changes.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: Date = new Date()): Condition[] {
  const previous = conditions?.find((c) => c.type === next.type);
  const condition: Condition = { ...next, lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString() };
  return [...(conditions ?? []).filter((c) => c.type !== next.type), condition];
}

/** Equality of JSON values, whatever the order of object keys (the API server may reorder them). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return keysA.length === keysB.length && keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export type StatusWrite = 'written' | 'unchanged' | 'gone';

export interface WriteStatusOptions<T> {
  /** Attempts before a conflict is returned as an error (and the key retried with backoff). @default 5 */
  readonly maxAttempts?: number;
  /** The object as cached: when its status already is the desired one, nothing is read or written. */
  readonly cached?: T;
}

/**
 * Writes the status `desired` computes from the object as it is now. `desired`
 * gets the fresh object (its generation, its current status) and returns the
 * whole status; `observedGeneration` is set to the generation it was computed
 * from. Nothing is written when the status is already that.
 */
export async function writeStatus<T extends KubernetesObject & { status?: S }, S extends object>(
  api: ApiClient,
  type: ResourceType,
  at: { readonly namespace?: string; readonly name: string },
  desired: (fresh: T) => S,
  options: WriteStatusOptions<T> = {},
): Promise<StatusWrite> {
  const withGeneration = (object: T) => ({ ...desired(object), observedGeneration: object.metadata?.generation });
  if (options.cached && sameJson(withGeneration(options.cached), options.cached.status)) return 'unchanged';
  const path = objectPath(type, at.namespace, at.name);
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    let fresh: T;
    try {
      fresh = await api.get<T>(path);
    } catch (error) {
      if (isStatus(error, 404)) return 'gone';
      throw error;
    }
    const status = withGeneration(fresh);
    if (sameJson(status, fresh.status)) return 'unchanged';
    try {
      await api.replaceStatus(path, { ...fresh, status });
      return 'written';
    } catch (error) {
      // Someone else updated the object since it was read: read again and retry.
      if (!isStatus(error, 409) || attempt >= maxAttempts) throw error;
    }
  }
}
