/**
 * The checks of a system's network config that would otherwise fail only
 * while the chart is built (without a file or field): zones of the system's
 * region, each once, and subnets that fit the VPC's CIDR block.
 */
import { allocateSubnets } from '../cidr-allocation';
import type { Cidr } from '../validation/aws';

export type SubnetLayout = Readonly<Partial<Record<'public' | 'private' | 'isolated', number>>>;

export function networkProblems(
  network: { readonly cidr: Cidr; readonly availabilityZones: readonly string[] },
  region: string,
  layout: SubnetLayout,
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  network.availabilityZones.forEach((zone, i) => {
    if (!(zone.startsWith(region) && /^[a-z]$/.test(zone.slice(region.length)))) {
      problems.push({ path: ['network', 'availabilityZones', i], message: `${zone} is not a zone of the system's region ${region} (e.g. ${region}a)` });
    }
    if (seen.has(zone)) problems.push({ path: ['network', 'availabilityZones', i], message: `${zone} is listed twice` });
    seen.add(zone);
  });
  const requests = Object.entries(layout).flatMap(([tier, prefixLength]) => network.availabilityZones.map((zone) => ({ key: `${tier}-${zone}`, prefixLength: prefixLength! })));
  try {
    allocateSubnets(network.cidr, requests);
  } catch (error) {
    const tiers = Object.entries(layout).map(([tier, prefix]) => `${network.availabilityZones.length} ${tier} /${prefix}`).join(', ');
    problems.push({ path: ['network', 'cidr'], message: `${(error as Error).message} (${tiers})` });
  }
  return problems;
}
