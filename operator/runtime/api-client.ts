/**
 * A small REST client for the Kubernetes API on top of @kubernetes/client-node:
 * its KubeConfig does authentication and TLS, this adds what the operator
 * needs and the generated clients make awkward — any kind by path, server-side
 * apply with a field manager, status subresource writes — and counts every
 * request for the metrics.
 */
import { HttpMethod, RequestContext, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { ConcurrencyLimit } from './concurrency';
import type { OperatorMetrics } from './metrics';

interface RequestOptions {
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Ends the request early (the client's own timeout applies as well). */
  readonly signal?: AbortSignal;
}

/** One line of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: KubernetesObject & { code?: number; message?: string };
}

/**
 * An error answer, from whatever the server sent: a Kubernetes Status object,
 * or (from a proxy or load balancer in front of it) any text at all.
 */
function apiError(method: HttpMethod, path: string, response: Dispatcher.ResponseData, text: string): ApiError {
  let status: { reason?: string; message?: string } | undefined;
  try {
    status = text ? JSON.parse(text) : undefined;
  } catch {
    status = undefined;
  }
  const fallback = `${method} ${path}: HTTP ${response.statusCode}${text && !status ? `: ${text.slice(0, 200).split('\n')[0]}` : ''}`;
  const retryAfter = Number(response.headers['retry-after']);
  return new ApiError(response.statusCode, status?.reason ?? 'Unknown', status?.message ?? fallback, Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined);
}

/** An error answer of the API server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    /** How long the server asked to wait before trying again (`Retry-After`), if it did. */
    readonly retryAfterMs?: number,
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

/** How long credentials read from the kubeconfig are used before they are read again. */
const CREDENTIALS_TTL_MS = 60_000;

/** What every request carries: the kubeconfig's headers (Authorization, Impersonate-User) and TLS connection pool. */
interface Credentials {
  readonly headers: Record<string, string>;
  readonly dispatcher: Dispatcher;
  readonly until: number;
}

export class ApiClient {
  private readonly inFlight: ConcurrencyLimit;
  /** The connection pool: kept for the client's life, so that connections (one HTTP/2 connection for everything) are reused. */
  private dispatcher?: Dispatcher;
  private cached?: Promise<Credentials>;

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

  request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    return this.inFlight.run(() => this.send<T>(method, path, options));
  }

  private async send<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const response = await this.open(method, path, options, options.signal ? AbortSignal.any([timeout, options.signal]) : timeout);
    const text = await response.body.text();
    this.metrics?.apiRequests.inc({ verb: method, code: String(response.statusCode) });
    this.rejected(response.statusCode);
    // The status first: a 502 from a proxy or a 429 need not be JSON.
    if (response.statusCode >= 400) throw apiError(method, path, response, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Sends a request with the kubeconfig's credentials over the shared
   * connection pool, with undici's `request` (client-node's `fetch` builds
   * WHATWG Request, Response and stream objects per request: about 3 s of the
   * operator's CPU at 10,000 corrections, and their garbage).
   */
  private async open(method: HttpMethod, path: string, options: RequestOptions, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const { headers, dispatcher } = await this.credentials();
    return dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method,
      headers: { ...headers, accept: 'application/json', ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}) },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal,
    });
  }

  /**
   * The kubeconfig's credentials, read at most once a minute, as client-go
   * re-reads a token file. client-node's `applySecurityAuthentication` reads
   * the CA file and builds a new undici Agent on every call (1.5 s of the
   * operator's CPU at 10,000 corrections), and an Agent per request would
   * also mean no connection is ever reused; the first one serves every request
   * (without TLS settings in the kubeconfig client-node builds none: undici's
   * defaults then, with the system's CAs).
   */
  private async credentials(): Promise<Credentials> {
    const pending = this.cached;
    const cached = await pending;
    if (cached && Date.now() < cached.until) return cached;
    // One read for every request waiting on it.
    if (this.cached === pending) this.cached = this.readCredentials();
    return this.cached!;
  }

  private async readCredentials(): Promise<Credentials> {
    const probe = new RequestContext(this.kubeConfig.getCurrentCluster()?.server ?? 'https://localhost', HttpMethod.GET);
    try {
      await this.kubeConfig.applySecurityAuthentication(probe);
    } catch (error) {
      this.cached = undefined;
      throw error;
    }
    this.dispatcher ??= (probe.getDispatcher() as Dispatcher | undefined) ?? new Agent();
    return { headers: probe.getHeaders(), dispatcher: this.dispatcher, until: Date.now() + CREDENTIALS_TTL_MS };
  }

  /** A 401: the token may have expired or rotated; read the credentials again on the next request. */
  private rejected(status: number): void {
    if (status === 401) this.cached = undefined;
  }

  /**
   * Watches a collection from `resourceVersion`, calling `onEvent` for each
   * event, until the server ends the watch (its `timeoutSeconds`), `signal`
   * aborts, or nothing arrives for `idleMs` (a half-open connection). Rejects
   * with ApiError for an error answer; an ERROR event is passed to `onEvent`.
   */
  async watch(path: string, query: Record<string, string | undefined>, onEvent: (event: WatchEvent) => void, signal: AbortSignal, idleMs = 90_000): Promise<void> {
    const idle = new AbortController();
    const both = AbortSignal.any([signal, idle.signal]);
    const timer = setTimeout(() => idle.abort(new Error(`watch ${path}: nothing received for ${idleMs / 1000} s`)), idleMs);
    try {
      const response = await this.open(HttpMethod.GET, path, { query: { ...query, watch: 'true' } }, both);
      this.metrics?.apiRequests.inc({ verb: 'WATCH', code: String(response.statusCode) });
      this.rejected(response.statusCode);
      if (response.statusCode >= 400) throw apiError(HttpMethod.GET, path, response, await response.body.text());
      response.body.setEncoding('utf8');
      let buffered = '';
      for await (const chunk of response.body as AsyncIterable<string>) {
        timer.refresh();
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.trim()) onEvent(JSON.parse(line) as WatchEvent);
      }
    } catch (error) {
      // The caller's abort ends the watch quietly; the idle timeout is a failure to retry.
      if (signal.aborted) return;
      throw idle.signal.aborted ? idle.signal.reason : error;
    } finally {
      clearTimeout(timer);
    }
  }

  get<T extends KubernetesObject>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>(HttpMethod.GET, path, { signal });
  }

  /** One page of a list; pass `continue` to get the next. */
  list<T extends KubernetesObject>(path: string, query: { limit?: number; continue?: string; labelSelector?: string } = {}): Promise<KubernetesList<T>> {
    return this.request<KubernetesList<T>>(HttpMethod.GET, path, {
      query: { limit: query.limit?.toString(), continue: query.continue, labelSelector: query.labelSelector },
    });
  }

  create<T extends KubernetesObject>(path: string, body: T, signal?: AbortSignal): Promise<T> {
    return this.request<T>(HttpMethod.POST, path, { body, signal });
  }

  replace<T extends KubernetesObject>(path: string, body: T, signal?: AbortSignal): Promise<T> {
    return this.request<T>(HttpMethod.PUT, path, { body, signal });
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
