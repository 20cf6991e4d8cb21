/**
 * A small REST client for the Kubernetes API on top of @kubernetes/client-node:
 * its KubeConfig does authentication and TLS, this adds what the operator
 * needs and the generated clients make awkward — any kind by path, server-side
 * apply with a field manager, status subresource writes — and counts every
 * request for the metrics.
 */
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { ConcurrencyLimit } from './concurrency';
import type { OperatorMetrics } from './metrics';

/** An error answer of the API server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status;
}

/** Where a kind is served. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The collection path of `type`, in `namespace` or across all namespaces. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const root = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced && namespace ? `${root}/namespaces/${namespace}/${type.plural}` : `${root}/${type.plural}`;
}

export function objectPath(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(type, namespace)}/${name}`;
}

export interface KubernetesList<T> {
  readonly metadata: { readonly resourceVersion: string; readonly continue?: string };
  readonly items: T[];
}

const http = new IsomorphicFetchHttpLibrary();

export class ApiClient {
  private readonly inFlight: ConcurrencyLimit;
  private dispatcher?: ReturnType<RequestContext['getDispatcher']>;

  /**
   * @param maxInFlight requests in flight at once (watches excluded)
   * @param timeoutMs a request not answered by then fails (and is retried by its
   *   controller), so a half-open connection cannot hold a worker for undici's 5 minutes
   */
  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly metrics?: OperatorMetrics,
    maxInFlight = 16,
    private readonly timeoutMs = 60_000,
  ) {
    this.inFlight = new ConcurrencyLimit(maxInFlight);
  }

  request<T>(method: HttpMethod, path: string, options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {}): Promise<T> {
    return this.inFlight.run(() => this.send<T>(method, path, options));
  }

  private async send<T>(method: HttpMethod, path: string, options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string }): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const context = new RequestContext(url.toString(), method);
    context.setSignal(AbortSignal.timeout(this.timeoutMs));
    context.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(JSON.stringify(options.body));
    }
    await this.kubeConfig.applySecurityAuthentication(context);
    // client-node 2.0 builds a new undici Agent for every request, so no
    // connection is ever reused: a TLS handshake per request, and idle sockets
    // piling up. Keep the first and use it for every request.
    this.dispatcher ??= context.getDispatcher();
    if (this.dispatcher) context.setDispatcher(this.dispatcher);
    const response = await http.send(context).toPromise();
    const text = await response.body.text();
    this.metrics?.apiRequests.inc({ verb: method, code: String(response.httpStatusCode) });
    const parsed = text ? JSON.parse(text) : undefined;
    if (response.httpStatusCode >= 400) {
      throw new ApiError(response.httpStatusCode, parsed?.reason ?? 'Unknown', parsed?.message ?? `${method} ${path}: HTTP ${response.httpStatusCode}`);
    }
    return parsed as T;
  }

  get<T extends KubernetesObject>(path: string): Promise<T> {
    return this.request<T>(HttpMethod.GET, path);
  }

  /** One page of a list; pass `continue` to get the next. */
  list<T extends KubernetesObject>(path: string, query: { limit?: number; continue?: string; labelSelector?: string } = {}): Promise<KubernetesList<T>> {
    return this.request<KubernetesList<T>>(HttpMethod.GET, path, {
      query: { limit: query.limit?.toString(), continue: query.continue, labelSelector: query.labelSelector },
    });
  }

  create<T extends KubernetesObject>(path: string, body: T): Promise<T> {
    return this.request<T>(HttpMethod.POST, path, { body });
  }

  replace<T extends KubernetesObject>(path: string, body: T): Promise<T> {
    return this.request<T>(HttpMethod.PUT, path, { body });
  }

  delete(path: string): Promise<unknown> {
    return this.request(HttpMethod.DELETE, path);
  }

  /**
   * Server-side apply: `body` is the operator's whole intent for the fields
   * this field manager owns. With `metadata.resourceVersion` set, the apply
   * only succeeds against that version (optimistic concurrency).
   */
  apply<T extends KubernetesObject>(path: string, body: T, fieldManager: string, options: { force?: boolean; subresource?: 'status' } = {}): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, options.subresource ? `${path}/${options.subresource}` : path, {
      query: { fieldManager, force: options.force ? 'true' : undefined },
      body,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /** PUT to the status subresource; fails with 409 when `body.metadata.resourceVersion` is stale. */
  replaceStatus<T extends KubernetesObject>(path: string, body: T): Promise<T> {
    return this.request<T>(HttpMethod.PUT, `${path}/status`, { body });
  }
}
