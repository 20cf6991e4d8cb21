/** Logs, alarms, API access logs, CloudTrail, load balancers. */
import { rule, type Rule } from '../rule';
import { at } from '../fields';
import type { Json } from '../objects';

const TRAIL = 'cloudtrail.services.k8s.aws/Trail';

export const OBSERVABILITY_RULES: Rule[] = [
  rule({
    id: 'ACKS-LOG-001',
    severity: 'error',
    kinds: ['cloudwatchlogs.services.k8s.aws/LogGroup'],
    description: 'A log group keeps its logs forever (no retention)',
    rationale: 'Without a retention logs are kept (and paid for) forever, or deleted by hand without a policy; PCI asks for a stated retention (seed 002 relied on auto-created groups).',
    fix: 'Set retentionDays (365 or more for audit logs).',
    pci: ['10.5.1'],
    fsbp: ['CloudWatch.16'],
    *check(object) {
      if (at(object, 'spec.retentionDays') === undefined) yield { path: 'spec.retentionDays', message: 'no retention' };
    },
  }),
  rule({
    id: 'ACKS-ALARM-001',
    severity: 'error',
    kinds: ['cloudwatch.services.k8s.aws/MetricAlarm'],
    description: 'An alarm notifies nobody',
    rationale: 'An alarm without actions changes state in a console nobody watches (seed 000 had no alarms; an alarm without an action is the same).',
    fix: 'Add alarmActions (an SNS topic) and okActions.',
    pci: ['10.7.2'],
    fsbp: ['CloudWatch.15'],
    *check(object) {
      if (at(object, 'spec.actionsEnabled') === false || !((at(object, 'spec.alarmActions') ?? []) as unknown[]).length) yield { path: 'spec.alarmActions', message: 'no alarm action' };
    },
  }),
  rule({
    id: 'ACKS-API-001',
    severity: 'error',
    kinds: ['apigatewayv2.services.k8s.aws/Stage'],
    description: 'An API stage writes no access logs',
    rationale: 'Access logs are the record of who called the API; API Gateway writes none unless told where.',
    fix: 'Set accessLogSettings.destinationARN (a log group with retention) and a format.',
    pci: ['10.2.1'],
    fsbp: ['APIGateway.9'],
    *check(object) {
      if (!at(object, 'spec.accessLogSettings.destinationARN')) yield { path: 'spec.accessLogSettings', message: 'no access log destination' };
    },
  }),
  rule({
    id: 'ACKS-TRAIL-001',
    severity: 'error',
    kinds: [TRAIL],
    description: 'A trail records one region only',
    rationale: 'Activity in the other regions (where an attacker would go) is not recorded.',
    fix: 'Set isMultiRegionTrail: true and includeGlobalServiceEvents: true.',
    pci: ['10.2.1'],
    fsbp: ['CloudTrail.1'],
    *check(object) {
      if (at(object, 'spec.isMultiRegionTrail') !== true) yield { path: 'spec.isMultiRegionTrail', message: 'the trail is not multi-region' };
    },
  }),
  rule({
    id: 'ACKS-TRAIL-002',
    severity: 'error',
    kinds: [TRAIL],
    description: 'A trail\'s log files are not validated',
    rationale: 'Without digest files nobody can prove the audit log was not altered after delivery.',
    fix: 'Set enableLogFileValidation: true.',
    pci: ['10.3.2', '10.3.4'],
    fsbp: ['CloudTrail.4'],
    *check(object) {
      if (at(object, 'spec.enableLogFileValidation') !== true) yield { path: 'spec.enableLogFileValidation', message: 'log file validation is off' };
    },
  }),
  rule({
    id: 'ACKS-TRAIL-003',
    severity: 'error',
    kinds: [TRAIL],
    description: 'A trail\'s log files are not encrypted with a KMS key',
    rationale: 'With SSE-KMS only those allowed to use the key can read the audit log, and every read is itself logged.',
    fix: 'Set kmsKeyID to a customer key\'s ARN whose policy lets CloudTrail encrypt.',
    pci: ['3.5.1', '10.3.2'],
    fsbp: ['CloudTrail.2'],
    *check(object) {
      if (!at(object, 'spec.kmsKeyID')) yield { path: 'spec.kmsKeyID', message: 'no KMS key' };
    },
  }),
  rule({
    id: 'ACKS-ELB-001',
    severity: 'error',
    kinds: ['elbv2.services.k8s.aws/Listener'],
    description: 'A load balancer listener serves plain HTTP',
    rationale: 'Payment traffic must be encrypted in transit; a plain-HTTP listener may only redirect to HTTPS.',
    fix: 'Listen on HTTPS with a TLS 1.2+ policy; on port 80, only a redirect action to HTTPS.',
    pci: ['4.2.1'],
    fsbp: ['ELB.1'],
    *check(object) {
      if (at(object, 'spec.protocol') !== 'HTTP') return;
      const actions = (at(object, 'spec.defaultActions') ?? []) as Json[];
      if (!actions.length || actions.some((a) => a.type !== 'redirect' || a.redirectConfig?.protocol !== 'HTTPS')) yield { path: 'spec.defaultActions', message: 'an HTTP listener that does not only redirect to HTTPS' };
    },
  }),
  rule({
    id: 'ACKS-ELB-002',
    severity: 'warning',
    kinds: ['elbv2.services.k8s.aws/LoadBalancer'],
    description: 'A load balancer writes no access logs',
    rationale: 'Access logs are the record of every request the load balancer took.',
    fix: 'Add the attributes access_logs.s3.enabled "true" and access_logs.s3.bucket (an SSE-S3 bucket whose policy lets the region\'s log delivery write).',
    pci: ['10.2.1'],
    fsbp: ['ELB.5'],
    *check(object) {
      const attributes = (at(object, 'spec.attributes') ?? []) as { key?: string; value?: string }[];
      if (!attributes.some((a) => a.key === 'access_logs.s3.enabled' && a.value === 'true')) yield { path: 'spec.attributes', message: 'access logs are off' };
    },
  }),
];
