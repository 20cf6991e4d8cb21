import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import { adoptExisting } from '../../lib/ack-annotations';
import { ValidationError } from '../../lib/errors';
import { K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { Tags } from '../../lib/tags/tags';
import { addWarning } from '../../lib/warnings';
import { describeEc2Id, ec2IdPattern, parseCidr, type Ec2IdPrefix } from '../../lib/validation/aws';

type RouteFields = ec2.RouteTableSpecRoutes;

/** Where a route sends traffic: one gateway, interface or connection. */
export class RouteTarget {
  static internetGateway(id: string): RouteTarget {
    return RouteTarget.byId('igw', id, 'gatewayId');
  }
  static virtualPrivateGateway(id: string): RouteTarget {
    return RouteTarget.byId('vgw', id, 'gatewayId');
  }
  static natGateway(id: string): RouteTarget {
    return RouteTarget.byId('nat', id, 'natGatewayId');
  }
  static transitGateway(id: string): RouteTarget {
    return RouteTarget.byId('tgw', id, 'transitGatewayId');
  }
  static vpcEndpoint(id: string): RouteTarget {
    return RouteTarget.byId('vpce', id, 'vpcEndpointId');
  }
  static networkInterface(id: string): RouteTarget {
    return RouteTarget.byId('eni', id, 'networkInterfaceId');
  }
  static egressOnlyInternetGateway(id: string): RouteTarget {
    return RouteTarget.byId('eigw', id, 'egressOnlyInternetGatewayId');
  }
  /** A pre-existing peering connection, by ID. */
  static peeringConnectionId(id: string): RouteTarget {
    return RouteTarget.byId('pcx', id, 'vpcPeeringConnectionId');
  }
  /** A peering connection managed in this cluster: an ACK reference to its object (R-G6). */
  static peeringConnection(connection: ApiObject): RouteTarget {
    return new RouteTarget({ vpcPeeringConnectionRef: { from: { name: connection.name } } }, `${connection.kind} ${connection.name}`);
  }

  private static byId(prefix: Ec2IdPrefix, id: string, field: keyof RouteFields): RouteTarget {
    if (!ec2IdPattern(prefix).test(id)) throw new ValidationError(`route target "${id}": expected ${describeEc2Id(prefix)}`);
    return new RouteTarget({ [field]: id }, id);
  }

  private constructor(
    readonly fields: RouteFields,
    /** For people: the target's ID, or the object it references. */
    readonly label: string,
  ) {}
}

export interface Route {
  /** A CIDR block, or a managed prefix list ID (`pl-…`, gateway endpoint routes). */
  readonly destination: string;
  readonly target: RouteTarget;
}

export interface AdoptedRouteTableProps {
  /** Kubernetes object name. */
  readonly name: string;
  /** ID of the pre-existing route table (`rtb-…`). */
  readonly routeTableId: string;
  /**
   * Every non-local route the table already has. ACK deletes any route of an
   * adopted table that its spec does not list, so these must be complete.
   */
  readonly existingRoutes: readonly Route[];
  /**
   * Tags the table already has that must stay; ACK removes tags its spec does
   * not list. @default - none
   */
  readonly existingTags?: Readonly<Record<string, string>>;
  /** Routes this system adds. */
  readonly addedRoutes: readonly Route[];
}

/**
 * Adds routes to a route table that ACK did not create.
 *
 * ACK has no standalone Route kind: routes are the `routes` list of a
 * RouteTable, and the controller makes the table's routes equal that list
 * (ec2-controller `route_table/hooks.go` `syncRoutes`: creates the missing,
 * deletes the undesired, leaves only the `local` route alone). So the table is
 * adopted with the manifest as the source of truth (`adopt-or-create`), its
 * spec lists the existing routes plus the added ones, and it is retained when
 * the object is deleted. `vpcID` is left out on purpose: if the ID were wrong,
 * "create" would fail for lack of a VPC instead of creating a stray table.
 */
export class AdoptedRouteTable extends Construct {
  readonly resource: ec2.RouteTable;

  constructor(scope: Construct, id: string, props: AdoptedRouteTableProps) {
    super(scope, id);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      (ec2IdPattern('rtb').test(props.routeTableId) ? undefined : `routeTableId "${props.routeTableId}": expected ${describeEc2Id('rtb')}`) ??
      duplicateDestination([...props.existingRoutes, ...props.addedRoutes]);
    if (problem) throw new ValidationError(problem, this);

    for (const [key, value] of Object.entries(props.existingTags ?? {})) Tags.of(this).add(key, value);
    this.ownership = describeOwnership(props);
    this.resource = new ec2.RouteTable(this, 'Resource', {
      metadata: { name: props.name, annotations: { ...adoptExisting({ routeTableID: props.routeTableId }), [ROUTE_OWNERSHIP_ANNOTATION]: this.ownership } },
      spec: { routes: [...props.existingRoutes, ...props.addedRoutes].map(toRouteFields) },
    });
    addWarning(this, 'ROUTE-TABLE-OWNED', this.ownership);
  }

  /** What ACK will do to the table's routes, in one sentence. */
  readonly ownership: string;
}

/** Where each adopted table says, for people reading the cluster, which routes ACK keeps. */
export const ROUTE_OWNERSHIP_ANNOTATION = 'ack-systems.io/route-ownership';

function describeOwnership(props: AdoptedRouteTableProps): string {
  const list = (routes: readonly Route[]) => routes.map((r) => `${r.destination} -> ${r.target.label}`).join(', ');
  const kept = props.existingRoutes.length > 0 ? `local, ${list(props.existingRoutes)}` : 'local';
  return `ACK owns every route of ${props.routeTableId}: keeps ${kept}; adds ${list(props.addedRoutes)}; deletes any other route at its next sync`;
}

function toRouteFields(route: Route): RouteFields {
  const destination = route.destination.startsWith('pl-')
    ? { destinationPrefixListId: route.destination }
    : { destinationCidrBlock: route.destination };
  return { ...destination, ...route.target.fields };
}

/** AWS allows one route per destination; a second one would fail at apply time. */
function duplicateDestination(routes: readonly Route[]): string | undefined {
  const seen = new Set<string>();
  for (const { destination } of routes) {
    if (!destination.startsWith('pl-') && typeof parseCidr(destination) === 'string') {
      return `route destination "${destination}" is neither a CIDR block nor a prefix list ID`;
    }
    if (seen.has(destination)) return `two routes to ${destination}; a route table has one route per destination`;
    seen.add(destination);
  }
  return undefined;
}
