/**
 * Rules that need every environment at once: two environments must never
 * create or adopt the same AWS resource (a copied `staging.yaml` would make
 * `qa` adopt and rewrite staging's route tables), nor collide in AWS names or
 * in ACK's account-to-role map.
 */
import type { ConfigProblem } from '../errors';
import type { EnvironmentConfig } from './environment';

/** The AWS identifiers an environment owns or adopts, by field path. */
export function ownedIdentifiers(env: EnvironmentConfig): { path: string; value: string }[] {
  const peering = env.systems['vpc-peering'];
  const processing = env.systems['payment-processing'];
  const stack = env.systems['payment-stack'];
  const entries: [string, string | undefined][] = [
    ['systems.vpc-peering.payment.vpcID', peering.payment.vpcID],
    ['systems.vpc-peering.analytics.vpcID', peering.analytics.vpcID],
    ...(['payment', 'analytics'] as const).flatMap((side) =>
      peering[side].privateRouteTables.map((table, i): [string, string] => [`systems.vpc-peering.${side}.privateRouteTables[${i}].routeTableID`, table.routeTableID]),
    ),
    ['systems.vpc-peering.peeringConnectionID', peering.peeringConnectionID],
    ['systems.payment-processing.network.vpcID', processing.network.vpcID],
    ['systems.payment-processing.loadBalancer.targetGroupARN', processing.loadBalancer.targetGroupARN],
    ['systems.payment-processing.loadBalancer.metricDimension', processing.loadBalancer.metricDimension],
    ['systems.payment-stack.network.vpcID', stack.network.vpcID],
    ['systems.payment-stack.api.apiID', stack.api.apiID],
    ['systems.payment-stack.api.customDomain.domainName', stack.api.customDomain?.domainName],
  ];
  return entries.filter((entry): entry is [string, string] => entry[1] !== undefined).map(([path, value]) => ({ path, value }));
}

export function crossEnvironmentProblems(environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bySuffix = new Map<string, EnvironmentConfig>();
  const owners = new Map<string, { env: EnvironmentConfig; path: string }>();
  const roles = new Map<string, EnvironmentConfig>();
  for (const env of environments) {
    const other = bySuffix.get(env.environmentSuffix);
    if (other) problems.push({ file: env.file, path: 'environmentSuffix', message: `"${env.environmentSuffix}" is also the suffix of ${other.file}; AWS names would collide` });
    bySuffix.set(env.environmentSuffix, env);

    for (const { path, value } of ownedIdentifiers(env)) {
      const owner = owners.get(value);
      if (owner && owner.env !== env) {
        problems.push({ file: env.file, path, message: `${value} is also ${owner.path} of ${owner.env.file}; two environments would create or adopt, and rewrite, the same AWS resource (a copied file?)` });
      } else if (!owner) owners.set(value, { env, path });
    }

    const sameAccount = roles.get(env.awsAccountID);
    if (sameAccount && sameAccount.ack.roleARN !== env.ack.roleARN) {
      problems.push({
        file: env.file,
        path: 'ack.roleARN',
        message: `account ${env.awsAccountID} is also ${sameAccount.file}'s, with role ${sameAccount.ack.roleARN}; ACK maps one role per account (ack-role-account-map): use the same role`,
      });
    }
    roles.set(env.awsAccountID, env);
  }
  return problems;
}
