/**
 * A valid environment configuration for tests, built through the real schema so
 * that fixtures can never drift from what the loader accepts.
 */
import { Testing } from 'cdk8s';
import type { Construct } from 'constructs';
import { collectWarnings } from '../../lib/warnings';
import { SystemChart } from '../../charts/system-chart';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { parseEnvironment } from '../../lib/config/load';

/** The raw YAML content of a valid environment (a fresh copy every call). */
export function rawEnvironment(): any {
  return {
    awsAccountID: '123456789012',
    ack: { roleARN: 'arn:aws:iam::123456789012:role/ack-systems' },
    tier: 'production',
    deletionPolicy: 'retain',
    tags: { Owner: 'platform-team', CostCenter: 'cc-1234', ManagedBy: 'cdk8s-ack' },
    settings: {
      logRetentionDays: 30,
      multiAZ: true,
      backupRetentionDays: 7,
      natGateways: 2,
      lambdaReservedConcurrency: 10,
      waf: true,
      auditGlacierAfterDays: 30,
      dbInstanceClass: 'db.r7g.large',
      cacheNodeType: 'cache.r7g.large',
      containerDesiredCount: 2,
    },
    alarmSubscriptions: [{ email: 'payments-oncall@example.com' }],
    systems: {
      'vpc-peering': {
        tags: { Project: 'VPC-Peering', Application: 'payment-analytics', Compliance: 'PCI-DSS' },
        payment: {
          region: 'us-east-1',
          vpcID: 'vpc-0123456789abcdef0',
          vpcCIDR: '10.0.0.0/16',
          privateRouteTables: [
            {
              routeTableID: 'rtb-0123456789abcdef0',
              ackOwnsAllRoutes: true,
              existingRoutes: [
                { destinationCIDRBlock: '0.0.0.0/0', natGatewayID: 'nat-0123456789abcdef0' },
                { destinationPrefixListID: 'pl-63a5400a', vpcEndpointID: 'vpce-0123456789abcdef0' },
              ],
              existingTags: { Name: 'payment-private-a' },
            },
            { routeTableID: 'rtb-0123456789abcdef1', ackOwnsAllRoutes: true, existingRoutes: [] },
          ],
        },
        analytics: {
          region: 'us-west-2',
          vpcID: 'vpc-0fedcba9876543210',
          vpcCIDR: '10.1.0.0/16',
          apiSubnetCIDR: '10.1.2.0/24',
          privateRouteTables: [{ routeTableID: 'rtb-0fedcba9876543210', ackOwnsAllRoutes: true, existingRoutes: [] }],
        },
        peeringConnectionID: 'pcx-0123456789abcdef0',
      },
      'payment-processing': {
        tags: { Project: 'PaymentProcessing', Application: 'payment-processor', Compliance: 'PCI-DSS' },
        region: 'us-east-1',
        network: { cidr: '10.40.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'], vpcID: 'vpc-0123456789abcdef1' },
        database: { engineVersion: '15.12' },
        service: { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-processor:1.8.0', cpu: 512, memoryMiB: 1024 },
        loadBalancer: {
          certificateARN: 'arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c50',
          metricDimension: 'app/payment-alb-test/0123456789abcdef',
          targetGroupARN: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payment-alb-tg-prod/0123456789abcdef',
        },
        cache: { authTokenSecret: { name: 'payment-redis-auth', key: 'token' } },
        migrations: { runtime: 'nodejs22.x', code: { s3Bucket: 'artifacts-123456789012' } },
        alarms: { ecsCpuPercent: 80, rdsCpuPercent: 80, redisCpuPercent: 75, deadLetterMessages: 1, target5xx: 10, elb5xx: 5, unhealthyTargets: 1, minHealthyTargets: 1 },
      },
      'payment-stack': {
        tags: { Project: 'PaymentStack', Application: 'payment-api', Compliance: 'PCI-DSS' },
        region: 'us-east-1',
        network: { cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], vpcID: 'vpc-0123456789abcdef0', dynamoDBPrefixListID: 'pl-02cd2c6b' },
        database: { engineVersion: '15.13' },
        lambda: { runtime: 'nodejs22.x', code: { s3Bucket: 'artifacts-123456789012' } },
        api: {
          customDomain: {
            domainName: 'api.payments.example.com',
            certificateARN: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50',
            hostedZoneID: 'Z0123456789ABCDEFGHIJ',
            regionalTarget: { domainName: 'd-a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', hostedZoneID: 'Z1UJRXOUMOOFQ8' },
          },
          corsAllowOrigins: ['https://pay.example.com'],
          apiID: 'a1b2c3d4e5',
        },
        alarms: { rdsCpuPercent: 80, lambdaErrors: 10, lambdaThrottles: 5, api5xx: 10 },
      },
      'multi-region-app': {
        tags: { Project: 'MultiRegionApp', Application: 'web-tier' },
        primary: {
          network: { cidr: '10.50.0.0/16', availabilityZones: ['ap-south-1a', 'ap-south-1b'] },
          certificateARN: 'arn:aws:acm:ap-south-1:123456789012:certificate/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7001',
          imageID: 'ami-0a1b2c3d4e5f60701',
        },
        secondary: {
          network: { cidr: '10.60.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
          certificateARN: 'arn:aws:acm:eu-west-1:123456789012:certificate/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7002',
          imageID: 'ami-0b1c2d3e4f5a60701',
        },
        database: { engineVersion: '8.0.42' },
        alarms: { instanceCpuPercent: 90, databaseCpuPercent: 80, databaseFreeStorageGiB: 5, loadBalancer5xx: 10 },
      },
      dr: {
        tags: { Project: 'PaymentDR', Application: 'payment-processor', CostCenter: 'Operations', Criticality: 'High' },
        primary: {
          region: 'us-east-1',
          network: { cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1b'], vpcID: 'vpc-0f1a2b3c4d5e60000' },
          code: { s3Bucket: 'dr-artifacts-123456789012-us-east-1' },
          certificateARN: 'arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7000',
          apiID: 'p1q2r3s4t0',
          regionalTarget: { domainName: 'd-p1q2r3s4t0.execute-api.us-east-1.amazonaws.com', hostedZoneID: 'Z1UJRXOUMOOFQ8' },
        },
        dr: {
          region: 'us-east-2',
          network: { cidr: '10.1.0.0/16', availabilityZones: ['us-east-2a', 'us-east-2b'], vpcID: 'vpc-0f1a2b3c4d5e61000' },
          code: { s3Bucket: 'dr-artifacts-123456789012-us-east-2' },
          certificateARN: 'arn:aws:acm:us-east-2:123456789012:certificate/2a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7000',
          apiID: 'd1e2f3g4h0',
          regionalTarget: { domainName: 'd-d1e2f3g4h0.execute-api.us-east-2.amazonaws.com', hostedZoneID: 'ZOJJZC49E0EPZ' },
        },
        database: { engineVersion: '16.8', instanceClass: 'db.r6g.large', masterPasswordSecret: { name: 'dr-db-master', key: 'password' } },
        globalTable: { drKeyARN: 'arn:aws:kms:us-east-2:123456789012:key/3a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7000' },
        dns: {
          domainName: 'api.dr-payments.example.com',
          hostedZone: { name: 'dr-payments.example.com', id: 'Z0123456789DRZONE' },
          healthCheckIDs: { primary: '6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c00', dr: '7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c00' },
        },
        lambda: { runtime: 'nodejs22.x' },
        alarms: { auroraReplicationLagMs: 5000, databaseCpuPercent: 80, s3ReplicationLatencySeconds: 900, dynamoReplicationLatencyMs: 5000, lambdaErrors: 10 },
      },
    },
  };
}

/**
 * A second valid environment that owns none of the first one's AWS resources
 * (two environments must never adopt the same VPC, route table or peering).
 */
export function rawOtherEnvironment(): any {
  const raw = rawEnvironment();
  const renumber = (id: string) => id.replace(/[0-9a-f]{8}(?=[0-9a-f]*$)/, (hex) => [...hex].reverse().join(''));
  const peering = raw.systems['vpc-peering'];
  for (const side of [peering.payment, peering.analytics]) {
    side.vpcID = renumber(side.vpcID);
    for (const table of side.privateRouteTables) table.routeTableID = renumber(table.routeTableID);
  }
  delete peering.peeringConnectionID;
  const processing = raw.systems['payment-processing'];
  processing.network.vpcID = renumber(processing.network.vpcID);
  delete processing.loadBalancer.targetGroupARN;
  delete processing.loadBalancer.metricDimension;
  const stack = raw.systems['payment-stack'];
  stack.network.vpcID = renumber(stack.network.vpcID);
  delete stack.api.apiID;
  delete stack.api.customDomain;
  return raw;
}

/** Parses `raw` as environment `name`; throws with the problems when invalid. */
export function environment(raw: any = rawEnvironment(), name = 'test'): EnvironmentConfig {
  const result = parseEnvironment(raw, name, `config/${name}.yaml`);
  if ('problems' in result) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.environment;
}


/** The test environment with values AWS assigns left to the user (`lateBinding: config`), not to the operator. */
export function configMode(raw: any = rawEnvironment()): EnvironmentConfig {
  return environment({ ...raw, lateBinding: 'config' });
}

/** The DeferredObject that renders `kind` `name`, or undefined. */
export function deferredOf(manifests: any[], kind: string, name: string): any {
  return manifests.find((m) => m.kind === 'DeferredObject' && m.spec.template.kind === kind && m.spec.template.metadata.name === name);
}

/** An empty system chart in a test environment, default region us-east-1. */
export function testChart(env: EnvironmentConfig = environment()): SystemChart {
  return new SystemChart(Testing.app(), { environment: env, system: 'vpc-peering', region: 'us-east-1', tags: { Project: 'p', Application: 'a' } });
}

/** The synthesized manifest of `kind` named `name`. */
export function manifest(manifests: any[], kind: string, name: string): any {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in [${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}]`);
  return found;
}

/** Builds constructs in a fresh test chart and returns the chart's manifests. */
export function synthWith(build: (chart: SystemChart) => void, env?: EnvironmentConfig): any[] {
  const chart = testChart(env);
  build(chart);
  return chart.toJson();
}

/** The manifests of one kind. */
export function ofKind(manifests: any[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The parsed inline policy statements of an IAM Role manifest. */
export function inlineStatements(role: any): any[] {
  return Object.values<string>(role.spec.inlinePolicies ?? {}).flatMap((doc) => JSON.parse(doc).Statement);
}

/**
 * Synthesizes one system chart for the test environment, edited by `edit`;
 * returns its manifests and the IDs of the warnings it raised.
 */
export function synthSystem(
  Chart: new (scope: Construct, environment: EnvironmentConfig) => SystemChart,
  edit: (raw: any) => void = () => undefined,
  name = 'prod',
): { manifests: any[]; warnings: string[] } {
  const raw = rawEnvironment();
  edit(raw);
  const app = Testing.app();
  const chart = new Chart(app, environment(raw, name));
  return { manifests: chart.toJson(), warnings: collectWarnings(app).map((w) => w.id) };
}
