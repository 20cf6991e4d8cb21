/**
 * A scripted list/watch source for unit tests of the informer and the cache
 * (like client-go's `FakeControllerSource`): collections held in memory,
 * versions that are served or not, failures and 410s on demand. It stands in
 * for the two calls an informer makes, not for an API server: behaviour
 * against a real kube-apiserver is in test/integration/.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiError, type KubernetesList, type WatchEvent } from '../../operator/runtime/api-client';
import { objectKey } from '../../operator/runtime/store';

interface OpenWatch {
  readonly collection: string;
  readonly onEvent: (event: WatchEvent) => void;
  readonly end: (error?: unknown) => void;
}

/** `/apis/<group>/<version>/<plural>` or `/api/v1/<plural>` → its group/plural and version. */
function parsePath(path: string): { collection: string; version: string } {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api') return { collection: `/${parts.at(-1)}`, version: parts[1] };
  return { collection: `${parts[1]}/${parts.at(-1)}`, version: parts[2] };
}

export class ScriptedListWatch {
  private revision = 1;
  private readonly collections = new Map<string, Map<string, KubernetesObject>>();
  private readonly served = new Map<string, Set<string>>();
  private readonly failures = new Map<string, unknown[]>();
  private readonly watches = new Set<OpenWatch>();
  /** Every call, as `LIST <path>` or `WATCH <path>`, in order. */
  readonly calls: string[] = [];
  /** The query of every watch, in order. */
  readonly watchQueries: Record<string, string | undefined>[] = [];
  /** When true, a watch ends at once without events (a proxy closing it). */
  endWatchesAtOnce = false;

  /** Only these versions of `group/plural` are served (others answer 404). @default every version */
  serve(collection: string, versions: readonly string[]): void {
    this.served.set(collection, new Set(versions));
  }

  /** The next calls on `collection` fail with these errors, in order. */
  failNext(collection: string, ...errors: unknown[]): void {
    this.failures.set(collection, [...(this.failures.get(collection) ?? []), ...errors]);
  }

  put(collection: string, object: KubernetesObject): KubernetesObject {
    const items = this.collection(collection);
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } };
    const existed = items.has(objectKey(stored));
    items.set(objectKey(stored), stored);
    this.emit(collection, { type: existed ? 'MODIFIED' : 'ADDED', object: stored });
    return stored;
  }

  /** Deletes the object with key `key` (`namespace/name`, or `name` for cluster-scoped kinds). */
  remove(collection: string, key: string): void {
    const object = this.collection(collection).get(key);
    if (!object) return;
    this.collection(collection).delete(key);
    this.emit(collection, { type: 'DELETED', object: { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } } });
  }

  /** Changes made while nobody watched: a watch resumed later gets 410 Gone. */
  putUnseen(collection: string, object: KubernetesObject): void {
    this.collection(collection).set(objectKey(object), { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } });
  }

  removeUnseen(collection: string, key: string): void {
    this.revision += 1;
    this.collection(collection).delete(key);
  }

  /** Ends the open watches of `collection` with an ERROR 410 event (the version was compacted). */
  expire(collection: string): void {
    for (const watch of [...this.watches].filter((w) => w.collection === collection)) {
      try {
        watch.onEvent({ type: 'ERROR', object: { code: 410, message: 'too old resource version' } as WatchEvent['object'] });
      } catch (error) {
        watch.end(error);
      }
    }
  }

  openWatches(collection: string): number {
    return [...this.watches].filter((w) => w.collection === collection).length;
  }

  async list<T extends KubernetesObject>(path: string): Promise<KubernetesList<T>> {
    this.calls.push(`LIST ${path}`);
    const collection = this.check(path);
    return { metadata: { resourceVersion: String(this.revision) }, items: [...this.collection(collection).values()].map((o) => structuredClone(o)) as T[] };
  }

  async watch(path: string, query: Record<string, string | undefined>, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    this.calls.push(`WATCH ${path}`);
    this.watchQueries.push(query);
    const collection = this.check(path);
    if (this.endWatchesAtOnce) return;
    await new Promise<void>((resolve, reject) => {
      const watch: OpenWatch = {
        collection,
        onEvent,
        end: (error) => {
          this.watches.delete(watch);
          if (error) reject(error);
          else resolve();
        },
      };
      this.watches.add(watch);
      signal.addEventListener('abort', () => watch.end(), { once: true });
    });
  }

  private check(path: string): string {
    const { collection, version } = parsePath(path);
    const failure = this.failures.get(collection)?.shift();
    if (failure) throw failure;
    const served = this.served.get(collection);
    if (served && !served.has(version)) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
    return collection;
  }

  private collection(collection: string): Map<string, KubernetesObject> {
    let items = this.collections.get(collection);
    if (!items) this.collections.set(collection, (items = new Map()));
    return items;
  }

  private emit(collection: string, event: WatchEvent): void {
    for (const watch of [...this.watches].filter((w) => w.collection === collection)) {
      try {
        watch.onEvent(structuredClone(event));
      } catch (error) {
        watch.end(error);
      }
    }
  }
}
