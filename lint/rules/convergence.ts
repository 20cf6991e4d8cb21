/**
 * Objects the API server accepts but an ACK controller would never converge,
 * or would fight forever (research ack-behaviour.md). Each rule cites the
 * controller file and release it rests on; `docs/systems/README.md` has the
 * audit these come from.
 */
import { rule, type Rule, type Violation } from '../rule';
import { at } from '../fields';
import { known, type Json, type LintObject, type LintSet } from '../objects';
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';

const PEERING = 'ec2.services.k8s.aws/VPCPeeringConnection';
const TABLE = 'dynamodb.services.k8s.aws/Table';
const TARGET_GROUP = 'elbv2.services.k8s.aws/TargetGroup';
const ASG = 'autoscaling.services.k8s.aws/AutoScalingGroup';
const WEB_ACL = 'wafv2.services.k8s.aws/WebACL';

/** Objects of `kinds` in `object`'s namespace that name it in `field` (`{name}` or `{from: {name}}`). */
function namedBy(set: LintSet, kinds: readonly string[], object: LintObject, field: string): LintObject[] {
  return set.ofKinds(kinds).filter((o) => o.namespace === object.namespace && [at(o, `spec.${field}.name`), at(o, `spec.${field}.from.name`)].includes(object.name));
}

const isAccepter = (o: LintObject) => o.manifest.metadata?.annotations?.[ACK_ANNOTATIONS.adoptionPolicy] !== undefined;

/** Fields AWS refuses on a cluster that joins a global database as a secondary. */
const SECONDARY_REFUSES = ['masterUsername', 'masterUserPassword', 'manageMasterUserPassword', 'databaseName'];

export const CONVERGENCE_RULES: Rule[] = [
  rule({
    id: 'ACKS-CONV-001',
    severity: 'error',
    kinds: [PEERING],
    description: 'A peering requester does not accept while its accepter is in the set',
    rationale: 'Once the connection is active, ACK\'s read reports acceptRequest true; a requester that says false is then Terminal and never reconciled again (seed 000\'s auto-accept).',
    fix: 'Set acceptRequest: true on the requester once the accepter exists (false only while nothing can accept it).',
    pci: [],
    fsbp: [],
    source: 'ec2-controller v1.20.0 pkg/resource/vpc_peering_connection/sdk.go:283-290, 562-566',
    checkAll(set) {
      const violations: Violation[] = [];
      const peerings = set.ofKinds([PEERING]);
      for (const requester of peerings.filter((p) => !isAccepter(p))) {
        const accepted = peerings.some((p) => p !== requester && isAccepter(p) && p.namespace === requester.namespace);
        const value = at(requester, 'spec.acceptRequest');
        if (accepted && known(value) && value !== true) violations.push({ object: requester, path: 'spec.acceptRequest', message: 'acceptRequest is not true, though its accepter is in the set: Terminal once active' });
      }
      return violations;
    },
  }),
  rule({
    id: 'ACKS-CONV-002',
    severity: 'error',
    kinds: [TABLE],
    description: 'A table with replicas does not stream NEW_AND_OLD_IMAGES',
    rationale: 'Global tables replicate through the stream; ACK refuses replicas without it, Terminal.',
    fix: 'Set streamSpecification: {streamEnabled: true, streamViewType: NEW_AND_OLD_IMAGES}.',
    pci: [],
    fsbp: [],
    source: 'dynamodb-controller v1.9.2 pkg/resource/table/hooks.go:292-298',
    *check(object) {
      if (!((at(object, 'spec.tableReplicas') ?? []) as unknown[]).length) return;
      if (at(object, 'spec.streamSpecification.streamEnabled') !== true || at(object, 'spec.streamSpecification.streamViewType') !== 'NEW_AND_OLD_IMAGES') {
        yield { path: 'spec.streamSpecification', message: 'replicas need streamEnabled true with NEW_AND_OLD_IMAGES' };
      }
    },
  }),
  rule({
    id: 'ACKS-CONV-003',
    severity: 'error',
    kinds: [TABLE],
    description: 'A replica of a customer-key table names no key of its own',
    rationale: 'AWS reports the replica\'s key; a replica that leaves it unset differs from that on every read, so ACK sends an empty update and requeues forever.',
    fix: 'Give every replica kmsMasterKeyID: the ARN of a key in the replica\'s region.',
    pci: ['3.5.1'],
    fsbp: [],
    source: 'dynamodb-controller v1.9.2 pkg/resource/table/hooks_replica_updates.go:196-260, 355',
    *check(object) {
      const kms = at(object, 'spec.sseSpecification.sseType') === 'KMS';
      for (const [i, replica] of ((at(object, 'spec.tableReplicas') ?? []) as Json[]).entries()) {
        if (kms && !replica.kmsMasterKeyID) yield { path: `spec.tableReplicas[${i}]`, message: `the replica in ${replica.regionName} names no kmsMasterKeyID` };
      }
    },
  }),
  rule({
    id: 'ACKS-CONV-004',
    severity: 'error',
    kinds: ['s3.services.k8s.aws/Bucket'],
    description: 'A replication rule leaves out id, priority or filter',
    rationale: 'S3 fills in what a rule leaves out and ACK compares the rules as they are: the difference never goes away and the configuration is rewritten on every sync.',
    fix: 'Give every rule id, priority, filter (prefix "" for all) and deleteMarkerReplication, as S3 echoes them.',
    pci: [],
    fsbp: [],
    source: 's3-controller v1.10.0 pkg/resource/bucket/delta.go:396 (rules compared with DeepEqual)',
    *check(object) {
      for (const [i, r] of ((at(object, 'spec.replication.rules') ?? []) as Json[]).entries()) {
        const missing = ['id', 'priority', 'filter'].filter((key) => r[key] === undefined);
        if (missing.length) yield { path: `spec.replication.rules[${i}]`, message: `leaves out ${missing.join(', ')}` };
      }
    },
  }),
  rule({
    id: 'ACKS-CONV-005',
    severity: 'error',
    kinds: ['rds.services.k8s.aws/DBCluster'],
    description: 'A cluster joining a global database as a secondary has a master user, password or database name',
    rationale: 'AWS refuses them for a secondary (InvalidParameterCombination), which ACK treats as Terminal.',
    fix: 'Leave masterUsername, masterUserPassword, manageMasterUserPassword and databaseName out of the secondary; they come from the primary.',
    pci: [],
    fsbp: [],
    source: 'rds-controller v1.11.1 generator.yaml:169 (DBCluster terminal_codes: InvalidParameterCombination)',
    *check(object) {
      if (at(object, 'spec.globalClusterIdentifier') === undefined) return;
      const set = SECONDARY_REFUSES.filter((key) => at(object, `spec.${key}`) !== undefined);
      if (set.length) yield { path: 'spec', message: `a global secondary with ${set.join(', ')}` };
    },
  }),
  rule({
    id: 'ACKS-CONV-006',
    severity: 'error',
    kinds: [TARGET_GROUP],
    description: 'A target group managed by ACK receives targets from something else',
    rationale: 'ACK\'s TargetGroup deregisters every target its spec does not list, on every sync: the ECS tasks or Auto Scaling instances that register there disappear and the load balancer answers 503.',
    fix: 'Annotate the target group services.k8s.aws/read-only: "true" once AWS created it, before anything registers (the charts hand it over).',
    pci: [],
    fsbp: [],
    source: 'elbv2-controller v1.6.1 pkg/resource/target_group/hooks.go:169, 209; sdk.go:524 (aws-controllers-k8s/community#2372)',
    checkAll(set) {
      const violations: Violation[] = [];
      for (const group of set.ofKinds([TARGET_GROUP])) {
        const readOnly = String(group.manifest.metadata?.annotations?.[ACK_ANNOTATIONS.readOnly] ?? '');
        if (readOnly.toLowerCase() === 'true' || !known(readOnly)) continue;
        const services = set.ofKinds(['ecs.services.k8s.aws/Service']).filter((s) => s.namespace === group.namespace && ((at(s, 'spec.loadBalancers') ?? []) as Json[]).some((lb) => lb.targetGroupRef?.from?.name === group.name));
        const groups = set.ofKinds([ASG]).filter((a) => a.namespace === group.namespace && ((at(a, 'spec.targetGroupRefs') ?? []) as Json[]).some((ref) => ref.from?.name === group.name));
        for (const registrar of [...services, ...groups]) violations.push({ object: group, path: 'metadata.annotations', message: `${registrar.kind.split('/')[1]} ${registrar.name} registers targets, which ACK would deregister` });
      }
      return violations;
    },
  }),
  rule({
    id: 'ACKS-CONV-007',
    severity: 'error',
    kinds: [ASG],
    description: 'An Auto Scaling group that a scaling policy scales sets desiredCapacity',
    rationale: 'ACK compares desiredCapacity with what AWS reads and sets it back after every scaling.',
    fix: 'Leave desiredCapacity unset (the group starts at minSize) when a TargetTrackingPolicy scales it.',
    pci: [],
    fsbp: [],
    source: 'autoscaling-controller v1.2.1 pkg/resource/auto_scaling_group/sdk.go:174, delta.go:148',
    *check(object, set) {
      if (at(object, 'spec.desiredCapacity') === undefined) return;
      const policies = namedBy(set, ['ack-systems.io/TargetTrackingPolicy'], object, 'autoScalingGroupRef');
      if (policies.length) yield { path: 'spec.desiredCapacity', message: `desiredCapacity is set while ${policies.map((p) => p.name).join(', ')} scales the group` };
    },
  }),
  rule({
    id: 'ACKS-CONV-008',
    severity: 'warning',
    kinds: [ASG],
    description: 'An Auto Scaling group follows its launch template\'s default version',
    rationale: 'A template change makes a new version but ACK never moves the default: a group on $Default (or a fixed number) never sees the change.',
    fix: 'Use version: $Latest, or move the template\'s defaultVersion with each change.',
    pci: [],
    fsbp: [],
    source: 'ec2-controller v1.20.0 pkg/resource/launch_template/sdk.go:1095 (CreateLaunchTemplateVersion; ModifyLaunchTemplate only for a defaultVersion change)',
    *check(object) {
      const version = at(object, 'spec.launchTemplate.version');
      if (at(object, 'spec.launchTemplate') && version !== '$Latest') yield { path: 'spec.launchTemplate.version', message: `version ${version ?? '(unset: $Default)'} does not follow template changes` };
    },
  }),
  rule({
    id: 'ACKS-CONV-009',
    severity: 'error',
    kinds: ['cloudtrail.services.k8s.aws/Trail'],
    description: 'A trail nothing starts',
    rationale: 'AWS creates trails stopped and ACK never calls StartLogging: the trail records nothing, silently.',
    fix: 'Add a TrailLogging (ack-systems.io) naming the trail; the operator starts it.',
    pci: ['10.2.1'],
    fsbp: ['CloudTrail.1'],
    source: 'cloudtrail-controller v1.3.2 (no StartLogging call in pkg/resource/trail)',
    *check(object, set) {
      if (!namedBy(set, ['ack-systems.io/TrailLogging'], object, 'trailRef').length) yield { message: 'no TrailLogging names it: it will not record' };
    },
  }),
  rule({
    id: 'ACKS-CONV-010',
    severity: 'warning',
    kinds: [WEB_ACL],
    description: 'A regional web ACL protects nothing',
    rationale: 'ACK has no association kind or field: a web ACL alone filters no request.',
    fix: 'Add a WebACLAssociation (ack-systems.io) naming the web ACL and the load balancer; the operator associates them.',
    pci: ['6.4.2'],
    fsbp: [],
    source: 'wafv2-controller v1.4.2, elbv2-controller v1.6.1 (no AssociateWebACL call)',
    *check(object, set) {
      if (at(object, 'spec.scope') === 'REGIONAL' && !namedBy(set, ['ack-systems.io/WebACLAssociation'], object, 'webACLRef').length) yield { message: 'no WebACLAssociation names it' };
    },
  }),
  rule({
    id: 'ACKS-CONV-011',
    severity: 'warning',
    kinds: [WEB_ACL],
    description: 'A web ACL rule uses a statement ACK compares as text',
    rationale: 'and/or/not statements and scope-downs are YAML strings compared verbatim with the controller\'s own rendering: any other formatting updates the web ACL every second, forever.',
    fix: 'Use typed statements (rateBasedStatement without scope-down, managedRuleGroupStatement), or write the string exactly as the controller renders it.',
    pci: [],
    fsbp: [],
    source: 'wafv2-controller v1.4.2 pkg/resource/web_acl/hooks.go:23, 30; delta.go:222',
    *check(object) {
      for (const [i, r] of ((at(object, 'spec.rules') ?? []) as Json[]).entries()) {
        const statement = r.statement ?? {};
        const textual = ['andStatement', 'orStatement', 'notStatement'].filter((k) => statement[k] !== undefined);
        if (Object.values(statement).some((s: any) => s && typeof s === 'object' && s.scopeDownStatement !== undefined)) textual.push('scopeDownStatement');
        if (textual.length) yield { path: `spec.rules[${i}].statement`, message: `${textual.join(', ')} compared as text` };
      }
    },
  }),
  rule({
    id: 'ACKS-CONV-012',
    severity: 'error',
    kinds: ['apigatewayv2.services.k8s.aws/Stage'],
    description: 'An API stage leaves autoDeploy unset',
    rationale: 'The controller\'s update reads autoDeploy without a nil check: the first update of such a stage crashes the reconcile.',
    fix: 'Always set autoDeploy (true, or false with a deploymentRef).',
    pci: [],
    fsbp: [],
    source: 'apigatewayv2-controller v1.4.1 pkg/resource/stage/sdk.go:505',
    *check(object) {
      if (at(object, 'spec.autoDeploy') === undefined) yield { path: 'spec.autoDeploy', message: 'autoDeploy is unset' };
    },
  }),
];
