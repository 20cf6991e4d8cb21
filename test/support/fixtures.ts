/**
 * A valid environment configuration for tests, built through the real schema so
 * that fixtures can never drift from what the loader accepts.
 */
import { Testing } from 'cdk8s';
import { SystemChart } from '../../charts/system-chart';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { parseEnvironment } from '../../lib/config/load';

/** The raw YAML content of a valid environment (a fresh copy every call). */
export function rawEnvironment(): any {
  return {
    awsAccountID: '123456789012',
    tier: 'production',
    deletionPolicy: 'retain',
    tags: { Owner: 'platform-team', CostCenter: 'cc-1234', ManagedBy: 'cdk8s-ack' },
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
              existingRoutes: [
                { destinationCIDRBlock: '0.0.0.0/0', natGatewayID: 'nat-0123456789abcdef0' },
                { destinationPrefixListID: 'pl-63a5400a', vpcEndpointID: 'vpce-0123456789abcdef0' },
              ],
              existingTags: { Name: 'payment-private-a' },
            },
            { routeTableID: 'rtb-0123456789abcdef1', existingRoutes: [] },
          ],
        },
        analytics: {
          region: 'us-west-2',
          vpcID: 'vpc-0fedcba9876543210',
          vpcCIDR: '10.1.0.0/16',
          apiSubnetCIDR: '10.1.2.0/24',
          privateRouteTables: [{ routeTableID: 'rtb-0fedcba9876543210', existingRoutes: [] }],
        },
        peeringConnectionID: 'pcx-0123456789abcdef0',
      },
    },
  };
}

/** Parses `raw` as environment `name`; throws with the problems when invalid. */
export function environment(raw: any = rawEnvironment(), name = 'test'): EnvironmentConfig {
  const result = parseEnvironment(raw, name, `config/${name}.yaml`);
  if ('problems' in result) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.environment;
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
