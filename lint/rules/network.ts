/** Security groups and VPCs. */
import { rule, type Rule } from '../rule';
import { at } from '../fields';
import type { LintObject } from '../objects';

const SG = 'ec2.services.k8s.aws/SecurityGroup';
const PUBLIC = ['0.0.0.0/0', '::/0'];

interface Permission {
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  ipRanges?: { cidrIP?: string }[];
  ipv6Ranges?: { cidrIPv6?: string }[];
}

/** Every rule of a group, ingress and egress, with its path. */
function permissions(object: LintObject): { direction: 'ingress' | 'egress'; path: string; permission: Permission }[] {
  return (['ingress', 'egress'] as const).flatMap((direction) =>
    ((at(object, `spec.${direction}Rules`) ?? []) as Permission[]).map((permission, i) => ({ direction, path: `spec.${direction}Rules[${i}]`, permission })),
  );
}

const cidrsOf = (p: Permission) => [...(p.ipRanges ?? []).map((r) => r.cidrIP), ...(p.ipv6Ranges ?? []).map((r) => r.cidrIPv6)].filter((c): c is string => typeof c === 'string');

export const NETWORK_RULES: Rule[] = [
  rule({
    id: 'ACKS-SG-001',
    severity: 'error',
    kinds: [SG],
    description: 'A security group rule allows every protocol (-1)',
    rationale: 'Protocol -1 opens every port of every protocol to the peer; seed 000 shipped it in both directions.',
    fix: 'Name the protocol (tcp or udp) and the ports the service uses.',
    pci: ['1.2.1', '1.3.1', '1.3.2'],
    fsbp: ['EC2.2'],
    *check(object) {
      for (const { direction, path, permission } of permissions(object)) {
        if (['-1', 'all'].includes(String(permission.ipProtocol))) yield { path, message: `${direction} rule allows every protocol (-1)` };
      }
    },
  }),
  rule({
    id: 'ACKS-SG-002',
    severity: 'error',
    kinds: [SG],
    description: 'A security group rule allows every port',
    rationale: 'A 0-65535 range admits any service the peer can reach, not the one the rule is for.',
    fix: 'List the one port (or narrow range) the service listens on.',
    pci: ['1.2.1', '1.3.1'],
    fsbp: ['EC2.19'],
    *check(object) {
      for (const { direction, path, permission } of permissions(object)) {
        if (['tcp', 'udp', '6', '17'].includes(String(permission.ipProtocol)) && (permission.fromPort ?? 0) <= 1 && permission.toPort === 65535) {
          yield { path, message: `${direction} rule allows every ${permission.ipProtocol} port (${permission.fromPort}-${permission.toPort})` };
        }
      }
    },
  }),
  rule({
    id: 'ACKS-SG-003',
    severity: 'error',
    kinds: [SG],
    description: 'A security group admits the internet on a port other than 80 or 443',
    rationale: 'Only a public load balancer should face the internet, and only for HTTP(S); anything else (SSH, databases) invites scans and brute force.',
    fix: 'Admit a security group or a private CIDR instead, or put the service behind a load balancer.',
    pci: ['1.3.1', '1.4.2'],
    fsbp: ['EC2.18', 'EC2.19'],
    *check(object) {
      for (const { direction, path, permission } of permissions(object)) {
        if (direction !== 'ingress' || !cidrsOf(permission).some((c) => PUBLIC.includes(c))) continue;
        const web = permission.fromPort === permission.toPort && [80, 443].includes(permission.fromPort ?? -1) && ['tcp', '6'].includes(String(permission.ipProtocol));
        if (!web) yield { path, message: `admits ${cidrsOf(permission).filter((c) => PUBLIC.includes(c)).join(', ')} on ${permission.ipProtocol} ${permission.fromPort ?? '*'}-${permission.toPort ?? '*'}` };
      }
    },
  }),
  rule({
    id: 'ACKS-NET-001',
    severity: 'warning',
    kinds: ['ec2.services.k8s.aws/VPC'],
    description: 'A VPC has no flow log',
    rationale: 'Without flow logs there is no record of who talked to what (seed 001); PCI asks for network activity logs.',
    fix: 'Add an ec2 FlowLog (resourceType VPC, trafficType ALL) in the same namespace and region.',
    pci: ['10.2.1'],
    fsbp: ['EC2.6'],
    *checkAll(set) {
      const flowLogs = set.ofKinds(['ec2.services.k8s.aws/FlowLog']).filter((f) => at(f, 'spec.resourceType') === 'VPC');
      const vpcs = set.ofKinds(['ec2.services.k8s.aws/VPC']);
      for (const vpc of vpcs) {
        const place = (o: LintObject) => `${o.namespace}|${o.region}`;
        const logs = flowLogs.filter((f) => place(f) === place(vpc)).length;
        const peers = vpcs.filter((v) => place(v) === place(vpc));
        if (peers.indexOf(vpc) >= logs) yield { object: vpc, message: 'no FlowLog of type VPC for it in its namespace and region' };
      }
    },
  }),
];
