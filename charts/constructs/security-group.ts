import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { describeEc2Id, ec2IdPattern, parseCidr } from '../../lib/validation/aws';
import type { IVpc } from './vpc';

type Permission = ec2.SecurityGroupSpecIngressRules;

/** The other end of a security group rule. */
export class Peer {
  /**
   * An IPv4 CIDR block. `0.0.0.0/0` is refused here: use `Peer.anyIpv4` and
   * say why.
   */
  static ipv4(cidr: string): Peer {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new ValidationError(`peer CIDR "${cidr}": ${parsed}`);
    if (parsed.prefixLength === 0) {
      throw new ValidationError(`peer CIDR "${cidr}" opens the rule to every IPv4 address; name the subnet or VPC CIDR, or use Peer.anyIpv4 with a reason`);
    }
    return new Peer(`CIDR ${cidr}`, (description) => ({ ipRanges: [{ cidrIp: cidr, description }] }));
  }

  /**
   * Every IPv4 address. Only for a reason written down (shown in the rule's
   * description); as an ingress peer only on ports 80 and 443 (an
   * internet-facing load balancer).
   */
  static anyIpv4(reason: string): Peer {
    if (reason.trim().length < 10) throw new ValidationError('Peer.anyIpv4 needs a written reason (at least a sentence) for opening a rule to the internet');
    return new Peer('0.0.0.0/0', (description) => ({ ipRanges: [{ cidrIp: '0.0.0.0/0', description: `${description} (${reason})` }] }), true);
  }

  /** Members of another security group of this chart (an ACK reference). */
  static securityGroup(group: SecurityGroup): Peer {
    return new Peer(`security group ${group.resource.name}`, (description) => ({ userIdGroupPairs: [{ groupRef: { from: { name: group.resource.name } }, description }] }));
  }

  /** A managed prefix list, e.g. an AWS service's. */
  static prefixList(id: string): Peer {
    if (!ec2IdPattern('pl').test(id)) throw new ValidationError(`prefix list "${id}": expected ${describeEc2Id('pl')}`);
    return new Peer(`prefix list ${id}`, (description) => ({ prefixListIDs: [{ prefixListId: id, description }] }));
  }

  private constructor(
    readonly label: string,
    readonly render: (description: string) => Partial<Permission>,
    readonly isAnyIpv4 = false,
  ) {}
}

/** Protocol and port range of a rule. There is no "all traffic" (`-1`) port. */
export class Port {
  static tcp(port: number): Port {
    return Port.tcpRange(port, port);
  }

  /** A TCP port range; the whole range (0/1-65535) is refused as "all traffic". */
  static tcpRange(from: number, to: number): Port {
    const valid = Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= 65535;
    if (!valid) throw new ValidationError(`TCP port range ${from}-${to} is not valid; use 0 <= from <= to <= 65535`);
    if (from <= 1 && to === 65535) {
      throw new ValidationError(`TCP port range ${from}-${to} allows every port; list the ports the service uses`);
    }
    return new Port('tcp', from, to);
  }

  private constructor(
    readonly protocol: 'tcp',
    readonly from: number,
    readonly to: number,
  ) {}

  toString(): string {
    return this.from === this.to ? `${this.from}/${this.protocol}` : `${this.from}-${this.to}/${this.protocol}`;
  }
}

export interface SecurityGroupRule {
  readonly peer: Peer;
  readonly port: Port;
  /** Why the rule exists; shown in the AWS console. */
  readonly description: string;
}

export interface SecurityGroupProps {
  /** Kubernetes object name. */
  readonly name: string;
  /** AWS group name (SPEC S1: explicit, readable names). */
  readonly groupName: string;
  readonly description: string;
  readonly vpc: IVpc;
  /** @default - no inbound traffic */
  readonly ingress?: readonly SecurityGroupRule[];
  /**
   * @default - no outbound traffic. ACK revokes the allow-all egress rule AWS
   * adds to new groups, so the group has exactly the rules listed here.
   */
  readonly egress?: readonly SecurityGroupRule[];
}

/** The only ports on which the internet may reach a group: a load balancer's. */
const INTERNET_INGRESS_PORTS = [80, 443];

/**
 * An EC2 security group with least-privilege rules: every rule names one peer
 * and one TCP port range; protocol `-1` and all-ports ranges cannot be
 * expressed, and the internet only with a written reason.
 */
export class SecurityGroup extends Construct {
  readonly resource: ec2.SecurityGroup;
  readonly groupName: string;
  private readonly ingressRules: SecurityGroupRule[];
  private readonly egressRules: SecurityGroupRule[];

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(props.groupName, AWS_NAME_RULES.securityGroup) ??
      (props.description.trim() ? undefined : 'description must not be empty (AWS requires one)');
    if (problem) throw new ValidationError(problem, this);
    this.groupName = props.groupName;
    this.ingressRules = [];
    this.egressRules = [];
    (props.ingress ?? []).forEach((rule) => this.addIngress(rule));
    (props.egress ?? []).forEach((rule) => this.addEgress(rule));

    this.resource = new ec2.SecurityGroup(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: props.groupName,
        description: props.description,
        ...props.vpc.vpcFields,
        ingressRules: Lazy.any({ produce: () => this.ingressRules.map(toPermission) }) as unknown as Permission[],
        egressRules: Lazy.any({ produce: () => this.egressRules.map(toPermission) }) as unknown as Permission[],
      },
    });
  }

  get ingressRuleCount(): number {
    return this.ingressRules.length;
  }

  /** Allows inbound traffic; rules added after construction are included too. */
  addIngress(rule: SecurityGroupRule): void {
    if (rule.peer.isAnyIpv4 && !(rule.port.from === rule.port.to && INTERNET_INGRESS_PORTS.includes(rule.port.from))) {
      throw new ValidationError(`ingress from 0.0.0.0/0 on ${rule.port} is refused; the internet may only reach ports ${INTERNET_INGRESS_PORTS.join(' and ')} of a load balancer`, this);
    }
    this.ingressRules.push(rule);
  }

  addEgress(rule: SecurityGroupRule): void {
    this.egressRules.push(rule);
  }

  /** Lets members of `other` reach this group on `port` (both sides' rules are written). */
  allowFrom(other: SecurityGroup, port: Port, description: string): void {
    this.addIngress({ peer: Peer.securityGroup(other), port, description });
    other.addEgress({ peer: Peer.securityGroup(this), port, description });
  }
}

function toPermission(rule: SecurityGroupRule): Permission {
  return { ipProtocol: rule.port.protocol, fromPort: rule.port.from, toPort: rule.port.to, ...rule.peer.render(rule.description) };
}
