/**
 * Which DeferredObjects wait for which (R-O6): one depends on another when an
 * input reads the object the other renders. A cycle can never resolve, so it
 * is reported instead of waited on.
 */
import type { DeferredInput, DeferredObject } from './crd';

/** The API group of an `apiVersion` (`''` for the core group's `v1`). */
export const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** `<group>/<Kind>|<namespace>/<name>` of an object input (the controller's watch index uses the same key). */
export function inputKey(namespace: string, input: Pick<NonNullable<DeferredInput['object']>, 'apiVersion' | 'kind' | 'name'>): string {
  return `${groupOf(input.apiVersion)}/${input.kind}|${namespace}/${input.name}`;
}

/** The same key for what a DeferredObject renders (kind and name, in its namespace). */
export function renderedKey(rendered: { apiVersion: string; kind: string; name: string }, namespace = ''): string {
  return inputKey(namespace, rendered);
}

/** The key of what a DeferredObject renders, as its readers' inputs name it. */
export const targetKey = (object: DeferredObject) => renderedKey({ apiVersion: object.spec.template.apiVersion, kind: object.spec.template.kind, name: object.spec.template.metadata.name }, object.metadata!.namespace);

/** The DeferredObjects (names) of a cycle through `start`, in order and back to it; undefined if none. */
export function cycleThrough(start: DeferredObject, namespaceObjects: readonly DeferredObject[]): string[] | undefined {
  const namespace = start.metadata!.namespace!;
  const others = namespaceObjects.filter((object) => object.metadata!.name !== start.metadata!.name);
  const renderers = new Map([...others, start].map((object) => [targetKey(object), object]));
  const dependencies = (object: DeferredObject) =>
    // An optional input never holds the rendering back, so it cannot close a cycle.
    object.spec.inputs.flatMap((input) => (input.object && !input.optional ? [renderers.get(inputKey(namespace, input.object))] : [])).filter((found): found is DeferredObject => found !== undefined);
  const path: string[] = [];
  const visited = new Set<string>();
  const visit = (object: DeferredObject): string[] | undefined => {
    const name = object.metadata!.name!;
    if (name === start.metadata!.name && path.length > 0) return [...path, name];
    if (visited.has(name)) return undefined;
    visited.add(name);
    path.push(name);
    for (const next of dependencies(object)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    return undefined;
  };
  return visit(start);
}
