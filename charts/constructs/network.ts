import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import { allocateSubnets } from '../../lib/cidr-allocation';
import { ValidationError } from '../../lib/errors';
import { K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { Tags } from '../../lib/tags/tags';
import { describeEc2Id, ec2IdPattern, parseCidr, VPC_PREFIX_RANGE } from '../../lib/validation/aws';
import { addWarning } from '../../lib/warnings';
import { SystemChart } from '../system-chart';
import { awsContext } from './aws-context';
import { defer, lateBound, valueOf } from './late-binding';
import { Role } from './iam';
import type { KmsKey } from './kms-key';
import { LogGroup } from './log-group';
import type { IVpc } from './vpc';

/**
 * Subnet tiers: `public` routes to an internet gateway, `private` to a NAT
 * gateway (when there is one), `isolated` nowhere outside the VPC.
 */
export type SubnetTier = 'public' | 'private' | 'isolated';
const TIERS: readonly SubnetTier[] = ['public', 'private', 'isolated'];

/** Gateway endpoints: S3 and DynamoDB reachable from private subnets without a NAT. */
export type GatewayEndpointService = 's3' | 'dynamodb';

export interface NetworkProps {
  /** Prefix of every Kubernetes object name, e.g. `payment` → `payment-vpc`. */
  readonly name: string;
  /** The VPC's IPv4 CIDR block (/16 to /28). */
  readonly cidr: string;
  /** The availability zones to spread subnets over, e.g. `us-east-1a`; one subnet per tier per zone. */
  readonly availabilityZones: readonly string[];
  /** The tiers to create, each with its subnets' prefix length. */
  readonly subnets: Readonly<Partial<Record<SubnetTier, number>>>;
  /**
   * NAT gateways for the private tier, placed in the first zones' public subnets;
   * zone i's private route table uses NAT gateway min(i, count - 1).
   * @default one per availability zone when there are public and private subnets (no shared
   *   single point of failure), else 0
   */
  readonly natGateways?: number;
  /** VPC flow logs (all traffic) to a log group with this retention. Required: PCI-DSS asks for network logs. */
  readonly flowLogs: { readonly retentionDays: number; readonly encryptionKey?: KmsKey };
  /**
   * The VPC's ID, once AWS has assigned it. ACK's FlowLog takes the VPC as a
   * literal `resourceID` (no reference), so the flow log can only be written
   * when the ID is known.
   * @default - unknown: the flow log is left out and synth warns
   */
  readonly vpcId?: string;
  /** Where `vpcId` is set in config, for the warning while it is not. @default systems.<system>.network.vpcID */
  readonly vpcIdConfigPath?: string;
  /** @default - none */
  readonly gatewayEndpoints?: readonly GatewayEndpointService[];
  /** AWS name of the flow-log delivery role. @default - `<name>-flow-logs-<environmentSuffix>` */
  readonly flowLogRoleName?: string;
}

export interface NetworkSubnet {
  readonly tier: SubnetTier;
  readonly availabilityZone: string;
  readonly cidr: string;
  readonly resource: ec2.Subnet;
}

/**
 * A VPC with subnets in several availability zones, their route tables, an
 * internet gateway and NAT gateways as the tiers need them, optional gateway
 * endpoints, and VPC flow logs (ALL traffic) to a log group with retention
 * through a role that may only write to that group.
 */
export class Network extends Construct implements IVpc {
  readonly vpc: ec2.Vpc;
  readonly vpcFields: IVpc['vpcFields'];
  readonly subnets: readonly NetworkSubnet[];
  readonly flowLogGroup: LogGroup;
  /** The VPC's ID, once AWS has assigned it and config says so. */
  readonly vpcId?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { region } = awsContext(this);
    const tiers = TIERS.filter((tier) => props.subnets[tier] !== undefined);
    const natGateways = props.natGateways ?? (tiers.includes('public') && tiers.includes('private') ? props.availabilityZones.length : 0);
    const cidr = parseCidr(props.cidr);
    const problem =
      nameProblem(`${props.name}-flow-logs`, K8S_LABEL_NAME) ??
      (typeof cidr === 'string' ? `cidr "${props.cidr}": ${cidr}` : undefined) ??
      (typeof cidr !== 'string' && (cidr.prefixLength < VPC_PREFIX_RANGE.min || cidr.prefixLength > VPC_PREFIX_RANGE.max)
        ? `cidr "${props.cidr}" must be between /${VPC_PREFIX_RANGE.min} and /${VPC_PREFIX_RANGE.max}`
        : undefined) ??
      (props.availabilityZones.length === 0 ? 'availabilityZones must name at least one zone' : undefined) ??
      props.availabilityZones.map((az) => (az.startsWith(region) && /^[a-z]$/.test(az.slice(region.length)) ? undefined : `availability zone "${az}" is not a zone of ${region} (e.g. ${region}a)`)).find(Boolean) ??
      (new Set(props.availabilityZones).size === props.availabilityZones.length ? undefined : 'availabilityZones lists a zone twice') ??
      (tiers.length === 0 ? 'subnets must name at least one tier (public, private, isolated)' : undefined) ??
      (Number.isInteger(natGateways) && natGateways >= 0 && natGateways <= props.availabilityZones.length
        ? undefined
        : `natGateways ${natGateways} must be between 0 and the number of zones (${props.availabilityZones.length})`) ??
      (natGateways > 0 && !(tiers.includes('public') && tiers.includes('private')) ? 'NAT gateways need a public tier (where they live) and a private tier (which uses them)' : undefined) ??
      (props.vpcId === undefined || ec2IdPattern('vpc').test(props.vpcId) ? undefined : `vpcId "${props.vpcId}": expected ${describeEc2Id('vpc')}`);
    if (problem || typeof cidr === 'string') throw new ValidationError(problem!, this);
    this.vpcId = props.vpcId;

    const zoneLetter = (az: string) => az.slice(region.length);
    const keyOf = (tier: SubnetTier, az: string) => `${tier}-${zoneLetter(az)}`;
    let blocks: Map<string, string>;
    try {
      blocks = allocateSubnets(
        cidr,
        tiers.flatMap((tier) => props.availabilityZones.map((az) => ({ key: keyOf(tier, az), prefixLength: props.subnets[tier]! }))),
      );
    } catch (error) {
      throw new ValidationError((error as Error).message, this);
    }

    const named = <T extends Construct>(construct: T, awsName: string): T => {
      Tags.of(construct).add('Name', `${awsName}-${awsContext(this).environment.environmentSuffix}`);
      return construct;
    };

    this.vpc = named(
      new ec2.Vpc(this, 'Vpc', {
        metadata: { name: `${props.name}-vpc` },
        spec: { cidrBlocks: [props.cidr], enableDnsSupport: true, enableDnsHostnames: true },
      }),
      `${props.name}-vpc`,
    );
    const vpcRef = { from: { name: this.vpc.name } };
    this.vpcFields = { vpcRef };

    const internetGateway = tiers.includes('public')
      ? named(new ec2.InternetGateway(this, 'InternetGateway', { metadata: { name: `${props.name}-igw` }, spec: { vpcRef } }), `${props.name}-igw`)
      : undefined;

    const routeTable = (routeTableName: string, routes: ec2.RouteTableSpecRoutes[]) =>
      named(new ec2.RouteTable(this, `RouteTable-${routeTableName}`, { metadata: { name: routeTableName }, spec: { vpcRef, routes } }), routeTableName);

    const subnets: NetworkSubnet[] = [];
    const addSubnet = (tier: SubnetTier, az: string, table: ec2.RouteTable) => {
      const subnetName = `${props.name}-${keyOf(tier, az)}`;
      const resource = named(
        new ec2.Subnet(this, `Subnet-${keyOf(tier, az)}`, {
          metadata: { name: subnetName },
          spec: { vpcRef, availabilityZone: az, cidrBlock: blocks.get(keyOf(tier, az)), mapPublicIpOnLaunch: false, routeTableRefs: [{ from: { name: table.name } }] },
        }),
        subnetName,
      );
      subnets.push({ tier, availabilityZone: az, cidr: blocks.get(keyOf(tier, az))!, resource });
      return resource;
    };

    const routeTables: ec2.RouteTable[] = [];
    if (tiers.includes('public')) {
      const table = routeTable(`${props.name}-public`, [{ destinationCidrBlock: '0.0.0.0/0', gatewayRef: { from: { name: internetGateway!.name } } }]);
      routeTables.push(table);
      props.availabilityZones.forEach((az) => addSubnet('public', az, table));
    }
    const nats = props.availabilityZones.slice(0, natGateways).map((az) => {
      const natName = `${props.name}-nat-${zoneLetter(az)}`;
      const address = named(new ec2.ElasticIpAddress(this, `NatAddress-${zoneLetter(az)}`, { metadata: { name: natName }, spec: {} }), natName);
      const publicSubnet = subnets.find((s) => s.tier === 'public' && s.availabilityZone === az)!;
      return named(
        new ec2.NatGateway(this, `NatGateway-${zoneLetter(az)}`, {
          metadata: { name: natName },
          spec: { subnetRef: { from: { name: publicSubnet.resource.name } }, allocationRef: { from: { name: address.name } }, connectivityType: 'public' },
        }),
        natName,
      );
    });
    if (tiers.includes('private')) {
      props.availabilityZones.forEach((az, i) => {
        const nat = nats[Math.min(i, nats.length - 1)];
        const table = routeTable(`${props.name}-private-${zoneLetter(az)}`, nat ? [{ destinationCidrBlock: '0.0.0.0/0', natGatewayRef: { from: { name: nat.name } } }] : []);
        routeTables.push(table);
        addSubnet('private', az, table);
      });
    }
    if (tiers.includes('isolated')) {
      const table = routeTable(`${props.name}-isolated`, []);
      routeTables.push(table);
      props.availabilityZones.forEach((az) => addSubnet('isolated', az, table));
    }
    // Subnets in the VPC's order: by tier, then zone.
    this.subnets = TIERS.flatMap((tier) => subnets.filter((s) => s.tier === tier));

    for (const service of props.gatewayEndpoints ?? []) {
      const endpointName = `${props.name}-${service}`;
      named(
        new ec2.VpcEndpoint(this, `Endpoint-${service}`, {
          metadata: { name: endpointName },
          spec: {
            vpcRef,
            vpcEndpointType: 'Gateway',
            serviceName: `com.amazonaws.${region}.${service}`,
            routeTableRefs: routeTables.filter((t) => !t.name.endsWith('-public')).map((t) => ({ from: { name: t.name } })),
          },
        }),
        endpointName,
      );
    }

    this.flowLogGroup = new LogGroup(this, 'FlowLogGroup', {
      name: `${props.name}-flow-logs`,
      logGroupName: `/vpc/${props.name}-${awsContext(this).environment.environmentSuffix}/flow-logs`,
      retentionDays: props.flowLogs.retentionDays,
      encryptionKey: props.flowLogs.encryptionKey,
    });
    const flowLogRole = new Role(this, 'FlowLogRole', {
      name: `${props.name}-flow-logs`,
      roleName: props.flowLogRoleName,
      description: `Lets VPC flow logs of ${props.name} write to their log group only`,
      assumedBy: 'vpc-flow-logs.amazonaws.com',
    });
    flowLogRole.addToPolicy({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [this.flowLogGroup.arn, `${this.flowLogGroup.arn}:*`],
    });
    // The VPC's ID is AWS's: from config, or (late binding) from the VPC's status in the cluster.
    const deferred = props.vpcId === undefined && lateBound(this);
    if (props.vpcId === undefined && !deferred) {
      addWarning(this, 'FLOW-LOG-PENDING', `VPC ${this.vpc.name} has no flow log yet: ACK's FlowLog needs the VPC ID, which AWS assigns on creation; once applied, put the ID (outputs ConfigMap) into ${props.vpcIdConfigPath ?? `systems.${SystemChart.of(this).system}.network.vpcID`} and synthesize again`);
      return;
    }
    const vpc = { name: 'vpc', object: this.vpc };
    const flowLog = new ec2.FlowLog(this, 'FlowLog', {
      metadata: { name: `${props.name}-flow-log` },
      spec: {
        resourceType: 'VPC',
        resourceId: props.vpcId ?? valueOf(vpc, 'status.vpcID'),
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logGroupRef: { from: { name: this.flowLogGroup.resource.name } },
        deliverLogsPermissionRef: { from: { name: flowLogRole.resource.name } },
      },
    });
    if (deferred) defer(flowLog, [vpc]);
  }

  /** ACK references to the subnets of `tier`. */
  subnetRefs(tier: SubnetTier): { from: { name: string } }[] {
    const refs = this.subnets.filter((s) => s.tier === tier).map((s) => ({ from: { name: s.resource.name } }));
    if (refs.length === 0) throw new ValidationError(`the network has no ${tier} subnets`, this);
    return refs;
  }
}
