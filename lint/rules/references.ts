/**
 * Rules across objects, which per-resource scanners cannot have: references
 * resolve in the set, in the same namespace and region; a database admits
 * only its clients; replicas live in another region; a FailoverGroup's
 * members exist where it says.
 */
import { MEMBER_TYPES, sideMembers } from '../../operator/failover-group/members';
import { rule, type Rule, type Violation } from '../rule';
import { at, ipv4, isPrivate } from '../fields';
import { isAck, known, type Json, type LintObject, type LintSet } from '../objects';

/** Members that live in their side's region (Route 53 is global; a global table is one object for both sides). */
const REGIONAL_MEMBERS = new Set(['dbCluster', 'alarm', 'bucket']);

/** Names of references a set may leave unresolved on purpose: `lint.ack-systems.io/external-references: name,name`. */
export const EXTERNAL_REFERENCES_ANNOTATION = 'lint.ack-systems.io/external-references';
/** References that point across regions by design: a peering's other VPC, and the peering itself (one ID in both regions). */
const CROSS_REGION_FIELDS = new Set(['peerVPCRef', 'vpcPeeringConnectionRef']);

interface Reference {
  readonly field: string;
  readonly path: string;
  readonly name: string;
  readonly namespace?: string;
}

/** Every ACK reference (`<field>Ref(s)` holding `from.name`) in a spec, and the ack-systems kinds' `<field>Ref: {name}`. */
export function referencesOf(object: LintObject): Reference[] {
  const found: Reference[] = [];
  const ours = object.kind.startsWith('ack-systems.io/');
  const walk = (node: unknown, path: string, field: string) => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}[${i}]`, field));
    if (!node || typeof node !== 'object') return;
    const value = node as Json;
    if (/Refs?$/.test(field) && typeof value.from?.name === 'string') found.push({ field, path, name: value.from.name, namespace: value.from.namespace });
    else if (ours && /Ref$/.test(field) && typeof value.name === 'string') found.push({ field, path, name: value.name });
    else for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`, key);
  };
  if (object.kind !== 'ack-systems.io/DeferredObject') walk(object.manifest.spec, 'spec', 'spec');
  return found.filter((r) => known(r.name));
}

const external = (object: LintObject) => new Set(String(object.manifest.metadata?.annotations?.[EXTERNAL_REFERENCES_ANNOTATION] ?? '').split(',').map((n) => n.trim()).filter(Boolean));

/** The security groups a database names. */
function securityGroupsOf(database: LintObject, set: LintSet): LintObject[] {
  return ((at(database, 'spec.vpcSecurityGroupRefs') ?? []) as Json[]).flatMap((ref) => set.find('ec2.services.k8s.aws/SecurityGroup', ref.from?.namespace ?? database.namespace, ref.from?.name) ?? []);
}

export const REFERENCE_RULES: Rule[] = [
  rule({
    id: 'ACKS-REF-001',
    severity: 'error',
    kinds: ['*', 'ack-systems.io/WebACLAssociation', 'ack-systems.io/TrailLogging', 'ack-systems.io/TargetTrackingPolicy', 'ack-systems.io/FailoverGroup'],
    description: 'A reference names no object of the set, or one in another region',
    rationale: 'ACK waits forever for a reference that does not resolve (ACK.ReferencesResolved False), and uses a referenced ID in the referrer\'s own region: an object of another region resolves but fails in AWS.',
    fix: 'Add the object (or lint the files that hold it together), fix the name or namespace, or list the name in lint.ack-systems.io/external-references when another tool creates it; keep both objects in one region.',
    pci: [],
    fsbp: [],
    *check(object, set) {
      const outside = external(object);
      for (const reference of referencesOf(object)) {
        if (outside.has(reference.name)) continue;
        const namespace = reference.namespace ?? object.namespace;
        const targets = set.named(namespace, reference.name).filter((t) => t !== object);
        if (!targets.length) {
          yield { path: reference.path, message: `${reference.field} names ${reference.name}${reference.namespace ? ` in ${reference.namespace}` : ''}: no ACK object of that name in the set` };
          continue;
        }
        const regions = [...new Set(targets.map((t) => t.region).filter(Boolean))];
        if (!CROSS_REGION_FIELDS.has(reference.field) && object.region && regions.length === 1 && regions[0] !== object.region && isAck(object.kind)) {
          yield { path: reference.path, message: `${reference.field} names ${reference.name} in ${regions[0]}; this object is in ${object.region}` };
        }
      }
    },
  }),
  rule({
    id: 'ACKS-REF-002',
    severity: 'warning',
    kinds: ['rds.services.k8s.aws/DBCluster', 'rds.services.k8s.aws/DBInstance'],
    description: 'A database\'s security group admits more than its clients',
    rationale: 'A database should admit its application tier only (security groups, or the app subnets\' blocks); a public range, or a whole VPC, admits every workload that lands there (seeds 000, 002, 003).',
    fix: 'Admit the clients\' security group, or the exact CIDRs of the app subnets.',
    pci: ['1.3.1', '1.3.2'],
    fsbp: ['EC2.18'],
    *check(object, set) {
      const vpcBlocks = new Set(set.ofKinds(['ec2.services.k8s.aws/VPC']).filter((v) => v.namespace === object.namespace).flatMap((v) => (at(v, 'spec.cidrBlocks') ?? []) as string[]));
      for (const group of securityGroupsOf(object, set)) {
        for (const [i, permission] of ((at(group, 'spec.ingressRules') ?? []) as Json[]).entries()) {
          for (const range of (permission.ipRanges ?? []) as Json[]) {
            const cidr = String(range.cidrIP ?? '');
            if (!ipv4(cidr)) continue;
            if (!isPrivate(cidr)) yield { path: `spec.vpcSecurityGroupRefs (${group.name}.spec.ingressRules[${i}])`, message: `security group ${group.name} admits ${cidr}, outside the private ranges` };
            else if (vpcBlocks.has(cidr)) yield { path: `spec.vpcSecurityGroupRefs (${group.name}.spec.ingressRules[${i}])`, message: `security group ${group.name} admits the whole VPC ${cidr}, not the app tier` };
          }
        }
      }
    },
  }),
  rule({
    id: 'ACKS-REPL-001',
    severity: 'error',
    kinds: ['s3.services.k8s.aws/Bucket', 'dynamodb.services.k8s.aws/Table'],
    description: 'A replica is missing from the set, or lives in the source\'s own region',
    rationale: 'Replication to a bucket that does not exist fails object by object; a replica in the same region survives no regional outage (seed 004).',
    fix: 'Add the destination bucket (in the other region) to the set; give table replicas another region than the table\'s.',
    pci: [],
    fsbp: [],
    *check(object, set) {
      if (object.kind === 'dynamodb.services.k8s.aws/Table') {
        for (const [i, replica] of ((at(object, 'spec.tableReplicas') ?? []) as Json[]).entries()) {
          if (object.region && replica.regionName === object.region) yield { path: `spec.tableReplicas[${i}]`, message: `a replica in the table's own region ${object.region}` };
        }
        return;
      }
      const buckets = set.ofKinds(['s3.services.k8s.aws/Bucket']);
      for (const [i, r] of ((at(object, 'spec.replication.rules') ?? []) as Json[]).entries()) {
        const arn = r.destination?.bucket;
        if (typeof arn !== 'string' || !known(arn)) continue;
        const name = arn.replace(/^arn:aws[a-z-]*:s3:::/, '');
        const destination = buckets.find((b) => at(b, 'spec.name') === name);
        if (!destination) yield { path: `spec.replication.rules[${i}].destination.bucket`, message: `replicates to ${name}, which is not in the set` };
        else if (destination.region && destination.region === object.region) yield { path: `spec.replication.rules[${i}].destination.bucket`, message: `replicates to ${name} in the same region ${object.region}` };
      }
    },
  }),
  rule({
    id: 'ACKS-FAILOVER-001',
    severity: 'error',
    kinds: ['ack-systems.io/FailoverGroup'],
    description: 'A FailoverGroup names a member that is missing or in another region than its side',
    rationale: 'The failover controller judges a side by its members\' status: a member that is missing makes the side unhealthy, one in the wrong region would be failed over the wrong way.',
    fix: 'Name the members as they are in the set, each on the side of its region.',
    pci: [],
    fsbp: [],
    checkAll(set) {
      const violations: Violation[] = [];
      for (const group of set.ofKinds(['ack-systems.io/FailoverGroup'])) {
        for (const side of ['primary', 'secondary'] as const) {
          const spec = at(group, `spec.${side}`);
          if (!spec) continue;
          for (const { kind, name } of sideMembers(spec)) {
            const type = MEMBER_TYPES[kind];
            const member = set.find(`${type.group}/${type.kind}`, group.namespace, name);
            if (!member) violations.push({ object: group, path: `spec.${side}`, message: `${type.kind} ${name} is not in the set` });
            else if (member.region && REGIONAL_MEMBERS.has(kind) && member.region !== spec.region) violations.push({ object: group, path: `spec.${side}`, message: `${type.kind} ${name} is in ${member.region}, not ${side} ${spec.region}` });
          }
        }
      }
      return violations;
    },
  }),
];
