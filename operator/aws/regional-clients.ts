/**
 * One AWS SDK client per region, made on first use and kept: the failover
 * controller talks to both regions of every group, and a client holds its
 * own connection pool and credential cache.
 */
export class RegionalClients<C> {
  private readonly clients = new Map<string, C>();

  constructor(private readonly make: (region: string) => C) {}

  in(region: string): C {
    let client = this.clients.get(region);
    if (!client) this.clients.set(region, (client = this.make(region)));
    return client;
  }
}
