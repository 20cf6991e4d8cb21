/**
 * The informer's in-memory cache: objects by `namespace/name`, with indexes
 * (client-go's `Indexer`), so that reconcilers and event mappings read state
 * without API requests. Every store is indexed by namespace; controllers add
 * their own indexes (for example "policies by the tag key they require").
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export function objectKey(object: KubernetesObject): string {
  return object.metadata?.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata!.name!;
}

/** The values an object is indexed under (none: not in the index). */
export type IndexFunction<T> = (object: T) => readonly string[];

export const NAMESPACE_INDEX = 'namespace';

interface Index<T> {
  readonly valuesOf: IndexFunction<T>;
  readonly keysByValue: Map<string, Set<string>>;
}

export class Store<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  constructor() {
    this.addIndex(NAMESPACE_INDEX, (object) => [object.metadata?.namespace ?? '']);
  }

  /** Adds an index, built over the objects already stored. @throws when `name` is taken */
  addIndex(name: string, valuesOf: IndexFunction<T>): void {
    if (this.indexes.has(name)) throw new Error(`the store already has an index named ${name}`);
    const index: Index<T> = { valuesOf, keysByValue: new Map() };
    this.indexes.set(name, index);
    for (const [key, object] of this.objects) this.indexObject(index, key, object);
  }

  /** The objects `name` indexes under `value`. @throws for an unknown index */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`the store has no index named ${name}; add it with addIndex`);
    return [...(index.keysByValue.get(value) ?? [])].map((key) => this.objects.get(key)!);
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  listInNamespace(namespace: string): T[] {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  /** Stores `object` (replacing the one with its key) and returns the one replaced. */
  upsert(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    if (previous) for (const index of this.indexes.values()) this.unindexObject(index, key, previous);
    this.objects.set(key, object);
    for (const index of this.indexes.values()) this.indexObject(index, key, object);
    return previous;
  }

  /** Removes the object with `object`'s key and returns it. */
  remove(object: KubernetesObject): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.objects.delete(key);
    for (const index of this.indexes.values()) this.unindexObject(index, key, previous);
    return previous;
  }

  private indexObject(index: Index<T>, key: string, object: T): void {
    for (const value of index.valuesOf(object)) {
      let keys = index.keysByValue.get(value);
      if (!keys) index.keysByValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindexObject(index: Index<T>, key: string, object: T): void {
    for (const value of index.valuesOf(object)) {
      const keys = index.keysByValue.get(value);
      keys?.delete(key);
      // An index of values that come and go (namespaces, policy names) must not grow forever.
      if (keys?.size === 0) index.keysByValue.delete(value);
    }
  }
}
