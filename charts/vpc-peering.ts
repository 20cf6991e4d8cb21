/**
 * S1 `vpc-peering`: cross-region peering between the pre-existing payment VPC
 * (requester) and analytics VPC (accepter), with routes, least-privilege
 * security groups and outputs (SPEC S1, seed 000).
 */
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../lib/config/environment';
import type { ExistingRoute, PrivateRouteTable } from '../lib/config/vpc-peering';
import { AWS_NAME_RULES, joinName } from '../lib/naming';
import { addWarning } from '../lib/warnings';
import { AdoptedRouteTable, RouteTarget, type Route } from './constructs/adopted-route-table';
import { CrossRegionPeering } from './constructs/cross-region-peering';
import { defer, valueOf } from './constructs/late-binding';
import { RegionScope } from './constructs/region-scope';
import { Peer, Port, SecurityGroup } from './constructs/security-group';
import { SystemOutputs } from './constructs/system-outputs';
import { ExistingVpc } from './constructs/vpc';
import { SystemChart } from './system-chart';

/**
 * The system's only traffic: payment opens HTTPS connections to the analytics
 * API. Security groups are stateful, so the replies need no rule; the seed's
 * "return traffic tcp 1024-65535" rules would only let the other side open new
 * connections to any high port (docs/systems/vpc-peering.md, "Security groups").
 */
const HTTPS = Port.tcp(443);

export class VpcPeeringChart extends SystemChart {
  readonly peering: CrossRegionPeering;
  readonly paymentSecurityGroup: SecurityGroup;
  readonly analyticsSecurityGroup: SecurityGroup;

  constructor(scope: Construct, environment: EnvironmentConfig) {
    const config = environment.systems['vpc-peering'];
    super(scope, { environment, system: 'vpc-peering', region: config.payment.region, tags: config.tags });
    const { payment, analytics } = config;
    const suffix = environment.environmentSuffix;

    this.peering = new CrossRegionPeering(this, 'Peering', {
      name: 'payment-analytics-peering',
      awsName: `payment-analytics-peering-${suffix}`,
      requester: { region: payment.region, vpcId: payment.vpcID },
      accepter: { region: analytics.region, vpcId: analytics.vpcID },
      peeringConnectionId: config.peeringConnectionID,
    });
    if (!this.peering.accepter) {
      addWarning(
        this.peering,
        'S1-ACCEPTER-PENDING',
        `the peering is requested but not accepted, and no route uses it yet: once applied, copy peeringConnectionID from ConfigMap ${this.namespaceName}/vpc-peering-outputs ` +
          `into systems.vpc-peering.peeringConnectionID of ${environment.file} and synthesize again`,
      );
    }

    const paymentScope = new RegionScope(this, 'Payment', { region: payment.region });
    const analyticsScope = new RegionScope(this, 'Analytics', { region: analytics.region });

    this.paymentSecurityGroup = new SecurityGroup(paymentScope, 'SecurityGroup', {
      name: 'payment-vpc-sg',
      groupName: joinName(AWS_NAME_RULES.securityGroup, ['payment-vpc-sg', suffix]),
      description: 'Payment VPC: HTTPS to the analytics API subnet only',
      vpc: ExistingVpc.fromId(payment.vpcID),
      egress: [{ peer: Peer.ipv4(analytics.apiSubnetCIDR.text), port: HTTPS, description: 'HTTPS to the analytics API subnet' }],
    });
    this.analyticsSecurityGroup = new SecurityGroup(analyticsScope, 'SecurityGroup', {
      name: 'analytics-vpc-sg',
      groupName: joinName(AWS_NAME_RULES.securityGroup, ['analytics-vpc-sg', suffix]),
      description: 'Analytics VPC: HTTPS from the payment VPC only',
      vpc: ExistingVpc.fromId(analytics.vpcID),
      ingress: [{ peer: Peer.ipv4(payment.vpcCIDR.text), port: HTTPS, description: 'HTTPS from the payment VPC' }],
    });

    const toPeer = (destination: string): Route => ({ destination, target: RouteTarget.peeringConnection(this.peering.requester) });
    const sides = [
      { side: 'payment', scope: paymentScope, tables: payment.privateRouteTables, route: toPeer(analytics.vpcCIDR.text) },
      { side: 'analytics', scope: analyticsScope, tables: analytics.privateRouteTables, route: toPeer(payment.vpcCIDR.text) },
    ] as const;
    for (const { side, scope: sideScope, tables, route } of sides) {
      if (tables.length === 0) {
        addWarning(
          sideScope,
          side === 'payment' ? 'S1-NO-PAYMENT-ROUTE-TABLES' : 'S1-NO-ANALYTICS-ROUTE-TABLES',
          `no private route tables for the ${side} VPC: nothing routes to the peer VPC until systems.vpc-peering.${side}.privateRouteTables lists them`,
        );
      }
      // Routes through a connection nothing can accept yet would fail; they come with the accepter
      // (late-bound: once the accepter has adopted the connection, which its status then names).
      const accepter = this.peering.accepter;
      if (!accepter) continue;
      for (const table of tables) {
        const adopted = addPeerRoute(sideScope, side, table, route);
        if (!this.peering.lateBound) continue;
        const input = { name: 'accepter', object: accepter };
        adopted.resource.metadata.addAnnotation('ack-systems.io/routes-through', valueOf(input, 'status.vpcPeeringConnectionID'));
        defer(adopted.resource, [input]);
      }
    }

    const outputs = new SystemOutputs(this, 'Outputs', {
      name: 'vpc-peering-outputs',
      staticValues: {
        paymentRouteCount: String(this.peering.accepter ? payment.privateRouteTables.length : 0),
        analyticsRouteCount: String(this.peering.accepter ? analytics.privateRouteTables.length : 0),
      },
    });
    outputs.exportField('peeringConnectionID', this.peering.requester, '.status.vpcPeeringConnectionID');
    outputs.exportField('peeringStatus', this.peering.requester, '.status.status.code');
    outputs.exportField('paymentVPCID', this.peering.requester, '.spec.vpcID');
    outputs.exportField('analyticsVPCID', this.peering.requester, '.spec.peerVPCID');
    // What AWS reports, not what was asked for (the requester-side option cannot be set through ACK).
    outputs.exportField('paymentResolvesAnalyticsDNS', this.peering.requester, '.status.accepterVPCInfo.peeringOptions.allowDNSResolutionFromRemoteVPC');
    outputs.exportField('analyticsResolvesPaymentDNS', this.peering.requester, '.status.requesterVPCInfo.peeringOptions.allowDNSResolutionFromRemoteVPC');
    outputs.exportField('paymentSecurityGroupID', this.paymentSecurityGroup.resource, '.status.id');
    outputs.exportField('analyticsSecurityGroupID', this.analyticsSecurityGroup.resource, '.status.id');
  }
}

function addPeerRoute(scope: Construct, side: string, table: PrivateRouteTable, route: Route): AdoptedRouteTable {
  return new AdoptedRouteTable(scope, table.routeTableID, {
    name: `${side}-private-${table.routeTableID}`,
    routeTableId: table.routeTableID,
    existingRoutes: table.existingRoutes.map(fromConfig),
    existingTags: table.existingTags,
    addedRoutes: [route],
  });
}

/** Config routes use ACK's field names; exactly one destination and one target are set (schema). */
function fromConfig(route: ExistingRoute): Route {
  const destination = (route.destinationCIDRBlock?.text ?? route.destinationPrefixListID)!;
  const targets: [string | undefined, (id: string) => RouteTarget][] = [
    [route.gatewayID, (id) => (id.startsWith('igw-') ? RouteTarget.internetGateway(id) : RouteTarget.virtualPrivateGateway(id))],
    [route.natGatewayID, RouteTarget.natGateway],
    [route.transitGatewayID, RouteTarget.transitGateway],
    [route.vpcPeeringConnectionID, RouteTarget.peeringConnectionId],
    [route.vpcEndpointID, RouteTarget.vpcEndpoint],
    [route.networkInterfaceID, RouteTarget.networkInterface],
    [route.egressOnlyInternetGatewayID, RouteTarget.egressOnlyInternetGateway],
  ];
  const [id, target] = targets.find(([value]) => value !== undefined)!;
  return { destination, target: target(id!) };
}
