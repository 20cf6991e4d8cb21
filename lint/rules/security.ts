/** KMS keys and IAM. */
import { UNSCOPED_ACTIONS } from '../../lib/iam-actions';
import { rule, type Rule } from '../rule';
import { at, list, policyDocuments, statementsOf } from '../fields';

const KEY = 'kms.services.k8s.aws/Key';
const ROLE = 'iam.services.k8s.aws/Role';
const POLICY = 'iam.services.k8s.aws/Policy';
const wildcardAction = (action: string) => action === '*' || /^[a-z0-9-]+:\*$/.test(action);

export const SECURITY_RULES: Rule[] = [
  rule({
    id: 'ACKS-KMS-001',
    severity: 'error',
    kinds: [KEY],
    description: 'A symmetric KMS key does not rotate',
    rationale: 'Rotation limits how much data one key version protects; AWS rotates yearly only when asked (seed 002).',
    fix: 'Set enableKeyRotation: true.',
    pci: ['3.6.4', '3.7.4'],
    fsbp: ['KMS.4'],
    *check(object) {
      const spec = at(object, 'spec.keySpec') ?? 'SYMMETRIC_DEFAULT';
      if (spec === 'SYMMETRIC_DEFAULT' && at(object, 'spec.enableKeyRotation') !== true) yield { path: 'spec.enableKeyRotation', message: 'key rotation is off' };
    },
  }),
  rule({
    id: 'ACKS-KMS-002',
    severity: 'error',
    kinds: [KEY],
    description: 'A key policy lets any principal use the key without a condition',
    rationale: 'Principal "*" without a condition lets every AWS account (or everyone in yours) use the key; seed 003 shipped a key without any policy at all.',
    fix: 'Name the principals (the account root, services with kms:ViaService), or add a condition (aws:PrincipalAccount, kms:CallerAccount).',
    pci: ['7.2.1', '3.6.1'],
    fsbp: ['KMS.5'],
    *check(object) {
      const { statements, problem } = statementsOf(at(object, 'spec.policy'));
      if (problem) yield { path: 'spec.policy', message: `the key policy ${problem}` };
      for (const [i, s] of statements.entries()) {
        const principal = s.Principal as any;
        const anyone = principal === '*' || principal?.AWS === '*' || (Array.isArray(principal?.AWS) && principal.AWS.includes('*'));
        if (s.Effect === 'Allow' && anyone && !s.Condition) yield { path: `spec.policy.Statement[${i}]`, message: 'allows Principal "*" without a condition' };
      }
    },
  }),
  rule({
    id: 'ACKS-IAM-001',
    severity: 'error',
    kinds: [ROLE, POLICY],
    description: 'An IAM statement allows every action (of a service, or of all)',
    rationale: '"*" or "service:*" grants tomorrow\'s actions too, including the destructive ones (seeds 002, 003).',
    fix: 'List the actions the workload calls.',
    pci: ['7.2.1', '7.2.2'],
    fsbp: ['IAM.1', 'IAM.21'],
    *check(object) {
      for (const { path, document } of policyDocuments(object)) {
        const { statements, problem } = statementsOf(document);
        if (problem) yield { path, message: `the policy ${problem}` };
        for (const [i, s] of statements.entries()) {
          const wild = list(s.Action).filter(wildcardAction);
          if (s.Effect === 'Allow' && wild.length) yield { path: `${path}.Statement[${i}]`, message: `allows ${wild.join(', ')}` };
        }
      }
    },
  }),
  rule({
    id: 'ACKS-IAM-002',
    severity: 'warning',
    kinds: [ROLE, POLICY],
    description: 'An IAM statement grants an action on every resource although AWS can scope it',
    rationale: 'Resource "*" is needed only for the few actions that take no resource; anything else should name what it touches.',
    fix: 'Name the resources (ARNs), or use "*" only for actions AWS cannot scope (the list in docs/architecture.md).',
    pci: ['7.2.1', '7.2.2'],
    fsbp: ['IAM.1'],
    *check(object) {
      for (const { path, document } of policyDocuments(object)) {
        for (const [i, s] of statementsOf(document).statements.entries()) {
          if (s.Effect !== 'Allow' || !list(s.Resource).includes('*')) continue;
          const scopable = list(s.Action).filter((action) => !(action in UNSCOPED_ACTIONS) && !wildcardAction(action));
          if (scopable.length) yield { path: `${path}.Statement[${i}]`, message: `grants ${scopable.join(', ')} on "*"` };
        }
      }
    },
  }),
  rule({
    id: 'ACKS-IAM-003',
    severity: 'error',
    kinds: [ROLE],
    description: 'A role has an AWS managed policy attached',
    rationale: 'AWS managed policies are written for every customer: most grant on "*" and change without notice (seed 002, 003: AmazonSSMManagedInstanceCore and friends).',
    fix: 'Write a customer managed or inline policy with the actions and resources the workload needs.',
    pci: ['7.2.2'],
    fsbp: [],
    *check(object) {
      for (const [i, arn] of ((at(object, 'spec.policies') ?? []) as string[]).entries()) {
        if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) yield { path: `spec.policies[${i}]`, message: `attaches the AWS managed policy ${arn.split('policy/')[1]}` };
      }
    },
  }),
];
