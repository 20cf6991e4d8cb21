import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { ec2IdPattern, parseCidr, describeEc2Id } from '../../lib/validation/aws';

/** The other end of a security group rule. */
export class Peer {
  /**
   * An IPv4 CIDR block. `0.0.0.0/0` is refused: a rule to or from everywhere
   * is never least privilege.
   */
  static ipv4(cidr: string): Peer {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') throw new ValidationError(`peer CIDR "${cidr}": ${parsed}`);
    if (parsed.prefixLength === 0) {
      throw new ValidationError(`peer CIDR "${cidr}" opens the rule to every IPv4 address; name the subnet or VPC CIDR instead`);
    }
    return new Peer(cidr);
  }

  private constructor(readonly cidr: string) {}
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
  /** ID of the (pre-existing) VPC the group belongs to. */
  readonly vpcId: string;
  /** @default - no inbound traffic */
  readonly ingress?: readonly SecurityGroupRule[];
  /**
   * @default - no outbound traffic. ACK revokes the allow-all egress rule AWS
   * adds to new groups, so the group has exactly the rules listed here.
   */
  readonly egress?: readonly SecurityGroupRule[];
}

/**
 * An EC2 security group with least-privilege rules: every rule names one peer
 * CIDR and one TCP port range; protocol `-1`, all ports and `0.0.0.0/0` cannot
 * be expressed.
 */
export class SecurityGroup extends Construct {
  readonly resource: ec2.SecurityGroup;
  readonly groupName: string;

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(props.groupName, AWS_NAME_RULES.securityGroup) ??
      (ec2IdPattern('vpc').test(props.vpcId) ? undefined : `vpcId "${props.vpcId}": expected ${describeEc2Id('vpc')}`) ??
      (props.description.trim() ? undefined : 'description must not be empty (AWS requires one)');
    if (problem) throw new ValidationError(problem, this);
    this.groupName = props.groupName;

    this.resource = new ec2.SecurityGroup(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: props.groupName,
        description: props.description,
        vpcId: props.vpcId,
        ingressRules: (props.ingress ?? []).map(toPermission),
        egressRules: (props.egress ?? []).map(toPermission),
      },
    });
  }
}

function toPermission(rule: SecurityGroupRule): ec2.SecurityGroupSpecIngressRules {
  return {
    ipProtocol: rule.port.protocol,
    fromPort: rule.port.from,
    toPort: rule.port.to,
    ipRanges: [{ cidrIp: rule.peer.cidr, description: rule.description }],
  };
}
