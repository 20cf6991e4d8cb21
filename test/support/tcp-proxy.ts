/**
 * A TCP proxy in front of the API server that a test can cut, like a network
 * partition: `cut()` drops every open connection (watches included) and
 * refuses new ones until `restore()`; `stall()` accepts new ones and never
 * answers. TLS passes through untouched.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private isCut = false;
  private isStalled = false;
  /** Client connections accepted so far. */
  connections = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: URL): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = createServer((client) => {
      if (proxy.isCut) return void client.destroy();
      proxy.connections += 1;
      if (proxy.isStalled) {
        // A black hole: the connection opens, nothing ever comes back.
        proxy.sockets.add(client);
        client.on('close', () => proxy.sockets.delete(client));
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => [client, upstream].forEach((s) => s.destroy()));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** The proxy's URL, for a kubeconfig. */
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** New connections are accepted but never answered (a half-open network path). */
  stall(): void {
    this.isStalled = true;
  }

  restore(): void {
    this.isCut = false;
    this.isStalled = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
