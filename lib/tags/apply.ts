/**
 * Reads and writes AWS tags inside an ACK object's `spec`, in the shape its CRD
 * defines. Pure functions on plain JSON: the synth-time tag mechanism and the
 * operator share them.
 */
import type { TagShape } from './tag-shape';

type Json = Record<string, unknown>;

function getAt(spec: Json | undefined, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), spec);
}

function setAt(spec: Json, path: readonly string[], value: unknown): Json {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...spec, [head]: value };
  const child = spec[head];
  return { ...spec, [head]: setAt(child && typeof child === 'object' ? (child as Json) : {}, rest, value) };
}

/** The tags an object's spec carries, in their order. */
export function readTags(shape: TagShape, spec: Json | undefined): Map<string, string> {
  const stored = getAt(spec, shape.path);
  if (shape.form === 'map') {
    return new Map(Object.entries((stored ?? {}) as Record<string, string>));
  }
  const items = (Array.isArray(stored) ? stored : []) as Json[];
  return new Map(items.map((item) => [String(item[shape.keyField]), String(item[shape.valueField] ?? '')]));
}

/**
 * Returns a copy of `spec` carrying `tags`: a key already present gets the new
 * value in place, new keys are appended in the order given, and tags not named
 * in `tags` are kept untouched.
 */
export function withTags(shape: TagShape, spec: Json | undefined, tags: ReadonlyMap<string, string>): Json {
  const merged = readTags(shape, spec);
  for (const [key, value] of tags) merged.set(key, value);
  const stored =
    shape.form === 'map'
      ? Object.fromEntries(merged)
      : [...merged].map(([key, value]) => ({ [shape.keyField]: key, [shape.valueField]: value }));
  return setAt(spec ?? {}, shape.path, stored);
}

/**
 * The part of a spec a tag writer sends with server-side apply: only the tag
 * field. A map shape is granular, so it holds just `tags` (the keys the writer
 * owns); a list shape is atomic in ACK's schemas, so it holds the whole merged
 * list, other tags kept as they are.
 */
export function tagPatch(shape: TagShape, spec: Json | undefined, tags: ReadonlyMap<string, string>): Json {
  const stored = shape.form === 'map' ? Object.fromEntries(tags) : getAt(withTags(shape, spec, tags), shape.path);
  return setAt({}, shape.path, stored);
}
