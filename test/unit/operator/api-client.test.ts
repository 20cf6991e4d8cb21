/**
 * The REST client's error handling (issue 10) against a local HTTP server
 * that answers as proxies and overloaded API servers do.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, ApiError } from '../../../operator/runtime/api-client';

let server: Server;
let handler: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
let client: ApiClient;

beforeAll(async () => {
  server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  client = new ApiClient(kubeConfig, undefined, 4, 5_000);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
