import { Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import * as iam from '../../imports/iam.services.k8s.aws';
import { AWS_NAME_RULES, joinName } from '../../lib/naming';
import { SystemChart } from '../system-chart';
import { arn } from './aws-context';
import { UNSCOPED_ACTIONS } from '../../lib/iam-actions';
import { policyDocument, type PolicyStatement } from './iam';
import { ValidationError } from '../../lib/errors';

const POLICY_ID = 'OperatorPolicy';

/**
 * What the ack-systems operator may do in AWS for one system: a customer
 * managed IAM policy, `<environment>-<system>-operator-<suffix>`, built from
 * the grants of the system's objects that the operator acts on (a
 * `WebAclAssociation` adds exactly the calls it makes, on exactly its web ACL
 * and load balancer). The operator's role (S5's `failover-operator`, the one
 * role its ServiceAccount assumes in the account) attaches every system's
 * policy by its ARN, which IAM derives from the name.
 */
export class OperatorPolicy extends Construct {
  /** The system's operator policy, made on first use. */
  static of(scope: IConstruct): OperatorPolicy {
    const chart = SystemChart.of(scope);
    return (chart.node.tryFindChild(POLICY_ID) as OperatorPolicy | undefined) ?? new OperatorPolicy(chart);
  }

  /** The ARNs of every operator policy with grants in the app that holds `scope` (read when synthesized). */
  static arnsIn(scope: IConstruct): string[] {
    return scope.node.root.node
      .findAll()
      .filter((construct): construct is OperatorPolicy => construct instanceof OperatorPolicy && construct.statements.length > 0)
      .map((policy) => policy.arn)
      .sort();
  }

  readonly policyName: string;
  readonly arn: string;
  private readonly statements: PolicyStatement[] = [];

  private constructor(chart: SystemChart) {
    super(chart, POLICY_ID);
    const environment = chart.environment;
    this.policyName = joinName(AWS_NAME_RULES.iamPolicy, [environment.name, chart.system, 'operator', environment.environmentSuffix]);
    this.arn = arn(this, 'iam', `policy/${this.policyName}`, { region: '' });
    new iam.Policy(this, 'Resource', {
      metadata: { name: 'operator-policy' },
      spec: {
        name: this.policyName,
        description: `ack-systems operator: what it does in AWS for ${chart.system} (${environment.name})`,
        policyDocument: Lazy.any({ produce: () => policyDocument(this.statements) }) as unknown as string,
      },
    });
  }

  /** Adds a statement; `Resource: "*"` only for actions AWS cannot scope (`UNSCOPED_ACTIONS`). */
  addToPolicy(statement: PolicyStatement): void {
    const unscoped = statement.resources.includes('*');
    if (unscoped && !statement.actions.every((action) => action in UNSCOPED_ACTIONS)) {
      throw new ValidationError(`"*" in an operator policy statement is not least privilege; name the resources (${statement.actions.join(', ')})`, this);
    }
    // Two objects needing the same unscoped read share one statement.
    if (!this.statements.some((existing) => JSON.stringify(existing) === JSON.stringify(statement))) this.statements.push(statement);
  }
}
