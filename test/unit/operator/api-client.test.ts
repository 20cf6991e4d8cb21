/**
 * The REST client's error handling (issue 10) against a local HTTP server
 * that answers as proxies and overloaded API servers do, and how often it
 * reads the kubeconfig's credentials (issue 18).
 */
import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, ApiError } from '../../../operator/runtime/api-client';

let server: Server;
let handler: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
let client: ApiClient;

beforeAll(async () => {
  server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new ApiClient(localKubeConfig('t'), undefined, 4, 5_000);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A kubeconfig for the local server, with a bearer token. */
function localKubeConfig(token: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kubeConfig;
}

const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
  handler = (_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  };
};

describe('ApiClient errors (issue 10)', () => {
  test('a non-JSON 502 from a proxy is an ApiError with its status and the start of the text', async () => {
    answer(502, '<html>Bad Gateway</html>\n<body>…</body>', { 'content-type': 'text/html' });
    const error = await client.get('/api/v1/namespaces/x').catch((caught) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.message]).toEqual([502, 'GET /api/v1/namespaces/x: HTTP 502: <html>Bad Gateway</html>']);
  });

  test('a 429 keeps the server\'s Retry-After', async () => {
    answer(429, JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down' }), { 'retry-after': '3' });
    const error = await client.get('/api/v1/namespaces/x').catch((caught) => caught);
    expect([error.status, error.reason, error.message, error.retryAfterMs]).toEqual([429, 'TooManyRequests', 'slow down', 3000]);
  });

  test('a caller\'s signal ends a request that gets no answer', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = client.get('/api/v1/namespaces/x', controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  test('a watch gets its events line by line, even split across chunks', async () => {
    handler = (_request, response) => {
      response.writeHead(200);
      response.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MOD');
      response.end('IFIED","object":{"metadata":{"name":"a"}}}\n');
    };
    const events: string[] = [];
    await client.watch('/api/v1/namespaces', {}, (event) => void events.push(`${event.type} ${event.object.metadata?.name}`), new AbortController().signal, 2_000);
    expect(events).toEqual(['ADDED a', 'MODIFIED a']);
  });
});

describe('ApiClient credentials (R-O3, issue 18)', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** A client of its own (credentials are cached per client), the kubeconfig's reads counted, the Authorization header of every request recorded. */
  function countingClient() {
    const kubeConfig = localKubeConfig('test-token');
    const reads = jest.spyOn(kubeConfig, 'applySecurityAuthentication');
    const authorization: (string | undefined)[] = [];
    let status = 200;
    handler = (request, response) => {
      authorization.push(request.headers.authorization);
      response.writeHead(status);
      response.end(JSON.stringify({ kind: 'Status', metadata: {} }));
    };
    return { client: new ApiClient(kubeConfig, undefined, 4, 5_000), reads, authorization, answer: (code: number) => (status = code) };
  }

  test('R-O3 credentials are read from the kubeconfig once for many requests, and every request carries them', async () => {
    const { client, reads, authorization } = countingClient();
    await Promise.all(Array.from({ length: 20 }, () => client.get('/api/v1/namespaces/x')));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(authorization).toEqual(Array(20).fill('Bearer test-token'));
  });

  test('R-O3 credentials are read again after a minute, and at once after a 401', async () => {
    const { client, reads, answer } = countingClient();
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    await client.get('/api/v1/namespaces/x');
    clock.mockReturnValue(now + 59_999);
    await client.get('/api/v1/namespaces/x');
    expect(reads).toHaveBeenCalledTimes(1);
    clock.mockReturnValue(now + 60_000);
    await client.get('/api/v1/namespaces/x');
    expect(reads).toHaveBeenCalledTimes(2);
    answer(401);
    await expect(client.get('/api/v1/namespaces/x')).rejects.toMatchObject({ status: 401 });
    answer(200);
    await client.get('/api/v1/namespaces/x');
    expect(reads).toHaveBeenCalledTimes(3);
  });
});
