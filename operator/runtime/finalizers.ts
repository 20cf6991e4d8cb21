/**
 * Finalizers, for controllers that must clean up outside Kubernetes before an
 * object goes (controller-runtime `controllerutil.AddFinalizer` and
 * `pkg/finalizer`): while the object lives, the finalizer is on it; once it
 * is being deleted, the cleanup runs and only its success removes the
 * finalizer, so a failed cleanup is retried and the object stays until it
 * succeeds.
 *
 * Writes are merge patches of `metadata.finalizers` pinned to the
 * resourceVersion read: a concurrent change fails with 409 and the
 * controller retries with fresh state, so another controller's finalizer is
 * never dropped.
 */
import { HttpMethod, type KubernetesObject } from '@kubernetes/client-node';
import { objectPath, type ApiClient, type ResourceType } from './api-client';

export type FinalizerOutcome =
  /** The object lives and carries the finalizer: reconcile it. */
  | 'live'
  /** The object is being deleted and this finalizer is done (or was never on it): do nothing more. */
  | 'deleted';

/** Finalizer names are qualified: `<domain>/<name>`. */
const FINALIZER_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export class Finalizer {
  constructor(
    private readonly api: ApiClient,
    private readonly type: ResourceType,
    readonly name: string,
    /** Who the finalizer field belongs to in managedFields (GitOps tools can ignore its writes by it). @default the client's */
    private readonly fieldManager?: string,
  ) {
    if (!FINALIZER_NAME.test(name)) throw new Error(`finalizer ${JSON.stringify(name)} must be qualified, as <domain>/<name> (for example ack-systems.io/failover)`);
  }

  /**
   * Adds the finalizer to a live object, or, for an object being deleted,
   * runs `cleanup` and then removes it. A cleanup that throws leaves the
   * finalizer in place (the controller retries).
   */
  async reconcile(object: KubernetesObject, cleanup: () => Promise<void>): Promise<FinalizerOutcome> {
    const finalizers = object.metadata?.finalizers ?? [];
    const present = finalizers.includes(this.name);
    if (!object.metadata?.deletionTimestamp) {
      if (!present) await this.write(object, [...finalizers, this.name]);
      return 'live';
    }
    if (!present) return 'deleted';
    await cleanup();
    await this.write(
      object,
      finalizers.filter((name) => name !== this.name),
    );
    return 'deleted';
  }

  private async write(object: KubernetesObject, finalizers: string[]): Promise<void> {
    const { namespace, name, resourceVersion } = object.metadata!;
    await this.api.request(HttpMethod.PATCH, objectPath(this.type, namespace, name!), {
      body: { metadata: { finalizers, resourceVersion } },
      contentType: 'application/merge-patch+json',
      query: { fieldManager: this.fieldManager },
    });
  }
}
