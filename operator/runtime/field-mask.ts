/**
 * Field masks: what a controller reads of a kind's objects, so that the
 * shared cache keeps only that (the union over every controller reading the
 * kind) and memory stays proportional to what is used.
 *
 * A mask is `true` (the whole value), an object naming fields (each with its
 * own mask; applied to an array, it masks each element), or a predicate
 * choosing the elements of an array to keep.
 */
export type FieldMask = true | ArrayFilter | { readonly [field: string]: FieldMask };
export type ArrayFilter = (item: never) => boolean;

/** What every cached object keeps, whatever the masks: identity, labels and lifecycle. */
export const IDENTITY_MASK: FieldMask = {
  apiVersion: true,
  kind: true,
  metadata: { name: true, namespace: true, uid: true, resourceVersion: true, generation: true, labels: true, deletionTimestamp: true, finalizers: true, ownerReferences: true },
};

/** The smallest mask keeping everything `a` or `b` keeps. */
export function unionMasks(a: FieldMask, b: FieldMask): FieldMask {
  if (a === true || b === true) return true;
  if (typeof a === 'function' && typeof b === 'function') return (item: never) => a(item) || b(item);
  // A filter and a field list on the same array cannot be combined exactly: keep it whole.
  if (typeof a === 'function' || typeof b === 'function') return true;
  const union: Record<string, FieldMask> = { ...a };
  for (const [field, mask] of Object.entries(b)) union[field] = field in union ? unionMasks(union[field], mask) : mask;
  return union;
}

/** Whether keeping `wider` keeps at least what `narrower` keeps (functions compare by identity). */
export function coversMask(wider: FieldMask, narrower: FieldMask): boolean {
  if (wider === true) return true;
  if (narrower === true) return false;
  if (typeof wider === 'function' || typeof narrower === 'function') return wider === narrower;
  return Object.entries(narrower).every(([field, mask]) => field in wider && coversMask(wider[field], mask));
}

/** `value` with only what `mask` keeps. */
export function applyMask(value: unknown, mask: FieldMask): unknown {
  if (mask === true || value === null || typeof value !== 'object') return value;
  if (typeof mask === 'function') return Array.isArray(value) ? value.filter(mask as (item: unknown) => boolean) : value;
  if (Array.isArray(value)) return value.map((item) => applyMask(item, mask));
  const kept: Record<string, unknown> = {};
  for (const [field, fieldMask] of Object.entries(mask)) {
    const fieldValue = (value as Record<string, unknown>)[field];
    if (fieldValue !== undefined) kept[field] = applyMask(fieldValue, fieldMask);
  }
  return kept;
}
