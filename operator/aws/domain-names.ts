/**
 * The one AWS lookup DeferredObjects may use as an input (R-O6): an API
 * Gateway custom domain's regional target (`ApiGatewayDomainName`) and its
 * hosted zone, which a Route 53 alias record needs and ACK's apigatewayv2
 * `DomainName` does not report (research ack-behaviour.md §11). Read only,
 * and cached: a domain's target does not change while the domain lives.
 */
import { ApiGatewayV2Client, GetDomainNameCommand } from '@aws-sdk/client-apigatewayv2';
import { RegionalClients } from './regional-clients';

export interface RegionalTarget {
  readonly regionalDomainName: string;
  readonly regionalHostedZoneId: string;
}

export interface DomainNameLookup {
  regionalTarget(region: string, domainName: string): Promise<RegionalTarget>;
}

/** How long a found target is reused before it is read again. */
export const DOMAIN_NAME_TTL_MS = 10 * 60_000;

export class SdkDomainNames implements DomainNameLookup {
  private readonly clients: RegionalClients<ApiGatewayV2Client>;
  private readonly found = new Map<string, { target: RegionalTarget; at: number }>();

  constructor(
    clientFor: (region: string) => ApiGatewayV2Client = (region) => new ApiGatewayV2Client({ region, maxAttempts: 2 }),
    private readonly now: () => number = Date.now,
  ) {
    this.clients = new RegionalClients(clientFor);
  }

  async regionalTarget(region: string, domainName: string): Promise<RegionalTarget> {
    const key = `${region}/${domainName}`;
    const cached = this.found.get(key);
    if (cached && this.now() - cached.at < DOMAIN_NAME_TTL_MS) return cached.target;
    const result = await this.clients.in(region).send(new GetDomainNameCommand({ DomainName: domainName }));
    const configuration = result.DomainNameConfigurations?.find((c) => c.ApiGatewayDomainName && c.HostedZoneId);
    if (!configuration) throw Object.assign(new Error(`domain ${domainName} has no regional target yet`), { name: 'NotReady' });
    const target = { regionalDomainName: configuration.ApiGatewayDomainName!, regionalHostedZoneId: configuration.HostedZoneId! };
    this.found.set(key, { target, at: this.now() });
    return target;
  }
}
