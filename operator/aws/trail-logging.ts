/**
 * Whether a CloudTrail trail records: `StartLogging` / `StopLogging` /
 * `GetTrailStatus`, which ACK's cloudtrail-controller never calls, so a trail
 * it creates records nothing (research ack-behaviour.md §0.2 and §6,
 * cloudtrail-controller v1.3.2). Calls go to the trail's home region, named
 * by its ARN.
 */
import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { regionOfArn } from './errors';
import { RegionalClients } from './regional-clients';

export interface TrailLogging {
  isLogging(trailArn: string): Promise<boolean>;
  start(trailArn: string): Promise<void>;
  stop(trailArn: string): Promise<void>;
}

export class SdkTrailLogging implements TrailLogging {
  private readonly clients: RegionalClients<CloudTrailClient>;

  constructor(clientFor: (region: string) => CloudTrailClient = (region) => new CloudTrailClient({ region, maxAttempts: 3 })) {
    this.clients = new RegionalClients(clientFor);
  }

  async isLogging(trailArn: string): Promise<boolean> {
    const status = await this.client(trailArn).send(new GetTrailStatusCommand({ Name: trailArn }));
    return status.IsLogging === true;
  }

  async start(trailArn: string): Promise<void> {
    await this.client(trailArn).send(new StartLoggingCommand({ Name: trailArn }));
  }

  async stop(trailArn: string): Promise<void> {
    await this.client(trailArn).send(new StopLoggingCommand({ Name: trailArn }));
  }

  private client(trailArn: string): CloudTrailClient {
    return this.clients.in(regionOfArn(trailArn)!);
  }
}
