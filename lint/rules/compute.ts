/** Lambda functions and EC2 launch templates. */
import { LAMBDA_RUNTIMES } from '../../lib/catalog';
import { rule, type Rule } from '../rule';
import { at } from '../fields';
import { known } from '../objects';

const FUNCTION = 'lambda.services.k8s.aws/Function';
const LAUNCH_TEMPLATE = 'ec2.services.k8s.aws/LaunchTemplate';
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY)/i;

export const COMPUTE_RULES: Rule[] = [
  rule({
    id: 'ACKS-LAMBDA-001',
    severity: 'error',
    kinds: [FUNCTION],
    description: 'A function uses a deprecated or unknown runtime',
    rationale: 'A deprecated runtime gets no security patches, and AWS blocks creating and then updating such functions (seed 002: nodejs18.x).',
    fix: 'Use a current runtime (lib/catalog.ts LAMBDA_RUNTIMES lists them with their deprecation dates).',
    pci: ['6.3.3', '12.3.4'],
    fsbp: ['Lambda.2'],
    *check(object) {
      const runtime = at(object, 'spec.runtime');
      if (typeof runtime !== 'string' || !known(runtime)) return;
      const entry = LAMBDA_RUNTIMES[runtime];
      if (!entry) yield { path: 'spec.runtime', message: `${runtime} is not a Lambda runtime this project knows` };
      else if (entry.deprecated) yield { path: 'spec.runtime', message: `${runtime} is deprecated since ${entry.deprecated}` };
    },
  }),
  rule({
    id: 'ACKS-LAMBDA-002',
    severity: 'error',
    kinds: [FUNCTION],
    description: 'A function has a secret in a plain environment variable',
    rationale: 'Environment variables are visible to anyone who may read the function\'s configuration, and sit in git with the manifest.',
    fix: 'Keep the secret in Secrets Manager (or use the database\'s managed secret) and read it at run time with a grant.',
    pci: ['8.6.2'],
    fsbp: [],
    *check(object) {
      for (const [name, value] of Object.entries((at(object, 'spec.environment.variables') ?? {}) as Record<string, string>)) {
        if (SECRET_NAME.test(name) && typeof value === 'string' && value !== '' && known(value) && !/^arn:aws/.test(value)) yield { path: `spec.environment.variables.${name}`, message: `${name} holds a literal value` };
      }
    },
  }),
  rule({
    id: 'ACKS-EC2-001',
    severity: 'error',
    kinds: [LAUNCH_TEMPLATE],
    description: 'A launch template allows IMDSv1',
    rationale: 'IMDSv1 answers any request from the instance, so an SSRF bug hands out the role\'s credentials.',
    fix: 'Set data.metadataOptions.httpTokens: required (and httpPutResponseHopLimit: 1).',
    pci: ['2.2.1'],
    fsbp: ['EC2.170', 'AutoScaling.3'],
    *check(object) {
      if (at(object, 'spec.data.metadataOptions.httpTokens') !== 'required') yield { path: 'spec.data.metadataOptions.httpTokens', message: 'instance metadata tokens are not required (IMDSv1 allowed)' };
    },
  }),
  rule({
    id: 'ACKS-EC2-002',
    severity: 'error',
    kinds: [LAUNCH_TEMPLATE],
    description: 'A launch template creates unencrypted volumes',
    rationale: 'Instance volumes hold application data and logs; unencrypted they leak through snapshots.',
    fix: 'Set ebs.encrypted: true on every block device mapping.',
    pci: ['3.5.1'],
    fsbp: ['EC2.3'],
    *check(object) {
      for (const [i, mapping] of ((at(object, 'spec.data.blockDeviceMappings') ?? []) as any[]).entries()) {
        if (mapping.ebs && mapping.ebs.encrypted !== true) yield { path: `spec.data.blockDeviceMappings[${i}].ebs.encrypted`, message: `volume ${mapping.deviceName ?? i} is not encrypted` };
      }
    },
  }),
];
