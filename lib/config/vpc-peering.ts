/**
 * Configuration of system S1 `vpc-peering` (SPEC S1): two pre-existing VPCs,
 * payment (requester) and analytics (accepter), in different regions.
 */
import { z } from 'zod';
import { cidrBlock, ec2Id, region, strictObject, tagMap, vpcCidr } from './fields';
import { cidrContains, cidrsOverlap, type AwsRegion, type Cidr } from '../validation/aws';

const ROUTE_DESTINATIONS = ['destinationCIDRBlock', 'destinationPrefixListID'] as const;
const ROUTE_TARGETS = [
  'gatewayID',
  'natGatewayID',
  'transitGatewayID',
  'vpcPeeringConnectionID',
  'vpcEndpointID',
  'networkInterfaceID',
  'egressOnlyInternetGatewayID',
] as const;

/**
 * A route already in a pre-existing route table. ACK treats an adopted route
 * table's `routes` as its whole desired state and deletes any other route, so
 * every existing non-local route must be declared (docs/systems/vpc-peering.md: "Routes in
 * pre-existing route tables").
 */
const existingRoute = strictObject({
  destinationCIDRBlock: cidrBlock.optional(),
  destinationPrefixListID: ec2Id('pl').optional(),
  gatewayID: z
    .string()
    .regex(/^(igw|vgw)-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'expected an internet or virtual private gateway ID (igw-… or vgw-…)' })
    .optional(),
  natGatewayID: ec2Id('nat').optional(),
  transitGatewayID: ec2Id('tgw').optional(),
  vpcPeeringConnectionID: ec2Id('pcx').optional(),
  vpcEndpointID: ec2Id('vpce').optional(),
  networkInterfaceID: ec2Id('eni').optional(),
  egressOnlyInternetGatewayID: ec2Id('eigw').optional(),
}).superRefine((route, ctx) => {
  const destinations = ROUTE_DESTINATIONS.filter((field) => route[field] !== undefined);
  const targets = ROUTE_TARGETS.filter((field) => route[field] !== undefined);
  if (destinations.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `a route needs exactly one destination: ${ROUTE_DESTINATIONS.join(' or ')}` });
  }
  if (targets.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `a route needs exactly one target: one of ${ROUTE_TARGETS.join(', ')}` });
  }
});

export type ExistingRoute = z.output<typeof existingRoute>;

const privateRouteTable = strictObject({
  routeTableID: ec2Id('rtb').meta({ description: 'The pre-existing route table.' }),
  ackOwnsAllRoutes: z.literal(true, {
    error:
      'set to true to accept that ACK will own every route of this table and delete, at its next sync, any route existingRoutes does not list (except local and gateway-endpoint routes)',
  }).meta({ description: 'The explicit opt-in: once adopted, ACK owns every route of the table and deletes at its next sync any route `existingRoutes` does not list (ec2-controller v1.20.0 `route_table/hooks.go` syncRoutes), except the local route and gateway-endpoint routes to AWS prefix lists.' }),
  existingRoutes: z.array(existingRoute, { error: 'list every non-local route already in this route table ([] if none)' }).meta({ description: 'Required, even when empty: saying "nothing else is there" must be a decision.' }),
  existingTags: tagMap().default({}).meta({ description: 'Tags the table already has; ACK removes tags its spec does not list. @default {}' }),
});

export type PrivateRouteTable = z.output<typeof privateRouteTable>;

function vpcSide(defaultRegion: AwsRegion) {
  return {
    region: region.default(defaultRegion).meta({ description: '@default the SPEC\'s region for this side' }),
    vpcID: ec2Id('vpc').meta({ description: 'The pre-existing VPC.' }),
    vpcCIDR: vpcCidr.meta({ description: 'Its CIDR block (/16 to /28); the two sides\' blocks must not overlap.' }),
    privateRouteTables: z.array(privateRouteTable).default([]).meta({ description: 'Private route tables that get a route to the peer VPC. @default [] (synth warns)' }),
  };
}

export const vpcPeeringSchema = strictObject({
  tags: tagMap({ Project: undefined, Application: undefined, Compliance: 'PCI-DSS' }).meta({ description: 'System tags (R-G3); the payment VPC is in PCI-DSS scope.' }),
  payment: strictObject(vpcSide('us-east-1')).meta({ description: 'The requester side: the payment VPC.' }),
  analytics: strictObject({
    ...vpcSide('us-west-2'),
    apiSubnetCIDR: cidrBlock.meta({ description: 'The analytics API subnet: the only destination the payment VPC may reach (443/tcp).' }),
  }).meta({ description: 'The accepter side: the analytics VPC, in another region.' }),
  peeringConnectionID: ec2Id('pcx').optional().meta({ description: 'ID of the peering connection, known once the requester has created it. Until it is set the accepter side cannot be emitted (docs/systems/vpc-peering.md).' }),
}).superRefine((s, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (s.payment.region === s.analytics.region) {
    issue(['analytics', 'region'], `must differ from payment.region ("${s.payment.region}"): this system peers across regions`);
  }
  if (cidrsOverlap(s.payment.vpcCIDR, s.analytics.vpcCIDR)) {
    issue(['analytics', 'vpcCIDR'], `overlaps payment.vpcCIDR ${s.payment.vpcCIDR.text}; peered VPCs need disjoint CIDR blocks`);
  }
  if (!cidrContains(s.analytics.vpcCIDR, s.analytics.apiSubnetCIDR)) {
    issue(['analytics', 'apiSubnetCIDR'], `must lie inside analytics.vpcCIDR ${s.analytics.vpcCIDR.text}`);
  }
  for (const [side, peer] of [['payment', s.analytics.vpcCIDR], ['analytics', s.payment.vpcCIDR]] as const) {
    checkRouteTables(s[side].privateRouteTables, peer, s.peeringConnectionID, (path, message) => issue([side, 'privateRouteTables', ...path], message));
  }
});

function checkRouteTables(
  tables: readonly PrivateRouteTable[],
  peerCidr: Cidr,
  peeringConnectionID: string | undefined,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const seen = new Set<string>();
  tables.forEach((table, index) => {
    if (seen.has(table.routeTableID)) issue([index, 'routeTableID'], `route table ${table.routeTableID} is listed twice`);
    seen.add(table.routeTableID);
    table.existingRoutes.forEach((route, routeIndex) => {
      if (route.destinationCIDRBlock?.text === peerCidr.text) {
        issue([index, 'existingRoutes', routeIndex, 'destinationCIDRBlock'], `${peerCidr.text} is the peer VPC's CIDR; this system adds that route itself, remove it here`);
      }
      if (peeringConnectionID !== undefined && route.vpcPeeringConnectionID === peeringConnectionID) {
        issue([index, 'existingRoutes', routeIndex, 'vpcPeeringConnectionID'], 'routes through this system\'s own peering connection are added by the system; remove it here');
      }
    });
  });
}

export type VpcPeeringConfig = z.output<typeof vpcPeeringSchema>;
