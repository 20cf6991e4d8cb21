/**
 * Associating a WAF web ACL with a regional resource (an Application Load
 * Balancer): AWS WAF's `AssociateWebACL`, which no ACK controller calls
 * (research ack-behaviour.md §8; wafv2-controller v1.4.2 has no association
 * kind or field). The calls go to the resource's own region.
 */
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { regionOfArn } from './errors';
import { RegionalClients } from './regional-clients';

export interface WebAclAssociations {
  /** The ARN of the web ACL protecting the resource, or undefined. */
  associatedWith(resourceArn: string): Promise<string | undefined>;
  /** Protects the resource with the web ACL (replacing any other association of the resource). */
  associate(webAclArn: string, resourceArn: string): Promise<void>;
  disassociate(resourceArn: string): Promise<void>;
}

export class SdkWebAclAssociations implements WebAclAssociations {
  private readonly clients: RegionalClients<WAFV2Client>;

  constructor(clientFor: (region: string) => WAFV2Client = (region) => new WAFV2Client({ region, maxAttempts: 3 })) {
    this.clients = new RegionalClients(clientFor);
  }

  async associatedWith(resourceArn: string): Promise<string | undefined> {
    const result = await this.client(resourceArn).send(new GetWebACLForResourceCommand({ ResourceArn: resourceArn }));
    return result.WebACL?.ARN;
  }

  async associate(webAclArn: string, resourceArn: string): Promise<void> {
    await this.client(resourceArn).send(new AssociateWebACLCommand({ WebACLArn: webAclArn, ResourceArn: resourceArn }));
  }

  async disassociate(resourceArn: string): Promise<void> {
    await this.client(resourceArn).send(new DisassociateWebACLCommand({ ResourceArn: resourceArn }));
  }

  private client(resourceArn: string): WAFV2Client {
    return this.clients.in(regionOfArn(resourceArn)!);
  }
}
