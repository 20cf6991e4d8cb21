import { Construct } from 'constructs';
import * as wafv2 from '../../imports/wafv2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { physicalName } from './aws-context';

export interface WebAclProps {
  /** Kubernetes object name; base of the AWS name. */
  readonly name: string;
  /** Requests per IP per 5 minutes before it is blocked (WAF minimum 10). */
  readonly rateLimitPerIp: number;
  /** AWS managed rule groups, e.g. AWSManagedRulesCommonRuleSet. @default AWSManagedRulesCommonRuleSet */
  readonly managedRuleGroups?: readonly string[];
}

/**
 * A regional WAF web ACL: a per-IP rate limit, then AWS managed rule groups,
 * every rule with CloudWatch metrics and sampled requests.
 *
 * ACK cannot associate it with anything (no WebACLAssociation kind or field),
 * and AWS WAF does not protect API Gateway HTTP APIs at all; see docs/systems/payment-stack.md.
 */
export class WebAcl extends Construct {
  readonly resource: wafv2.WebAcl;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    this.webAclName = physicalName(this, AWS_NAME_RULES.webAcl, props.name);
    const groups = props.managedRuleGroups ?? ['AWSManagedRulesCommonRuleSet'];
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      (Number.isInteger(props.rateLimitPerIp) && props.rateLimitPerIp >= 10 ? undefined : `rateLimitPerIp ${props.rateLimitPerIp} must be a whole number of at least 10`) ??
      groups.map((g) => (/^AWSManagedRules[A-Za-z]+$/.test(g) ? undefined : `managed rule group "${g}" is not an AWS managed rule group name`)).find(Boolean);
    if (problem) throw new ValidationError(problem, this);
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

    this.resource = new wafv2.WebAcl(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: this.webAclName,
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: visibility(this.webAclName),
        rules: [
          {
            name: 'rate-limit-per-ip',
            priority: 0,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: props.rateLimitPerIp, aggregateKeyType: 'IP' } },
            visibilityConfig: visibility(`${this.webAclName}-rate-limit`),
          },
          ...groups.map((group, i) => ({
            name: group,
            priority: i + 1,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
            visibilityConfig: visibility(`${this.webAclName}-${group}`),
          })),
        ],
      },
    });
  }
}
