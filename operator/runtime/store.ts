/**
 * The informer's in-memory cache: objects by `namespace/name`, with a
 * namespace index, so that reconcilers read state without API requests.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export function objectKey(object: KubernetesObject): string {
  return object.metadata?.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata!.name!;
}

export class Store<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly byNamespace = new Map<string, Set<string>>();

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  listInNamespace(namespace: string): T[] {
    return [...(this.byNamespace.get(namespace) ?? [])].map((key) => this.objects.get(key)!);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  upsert(object: T): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    const namespace = object.metadata?.namespace ?? '';
    if (!this.byNamespace.has(namespace)) this.byNamespace.set(namespace, new Set());
    this.byNamespace.get(namespace)!.add(key);
    return previous;
  }

  remove(object: KubernetesObject): T | undefined {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.delete(key);
    this.byNamespace.get(object.metadata?.namespace ?? '')?.delete(key);
    return previous;
  }
}
