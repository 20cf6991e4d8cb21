import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as iam from '../../imports/iam.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, awsContext, physicalName } from './aws-context';
import { UNSCOPED_ACTIONS } from '../../lib/iam-actions';

/** One IAM policy statement. */
export interface PolicyStatement {
  /** @default Allow */
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ StringEquals: { 'aws:SourceAccount': '…' } }`. @default - none */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}


/** Renders statements as an IAM policy document (stable key order). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Effect: s.effect ?? 'Allow',
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions],
      Resource: s.resources.length === 1 ? s.resources[0] : [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/** Something that can be granted permissions (a role, or a construct that owns one). */
export interface IGrantable {
  readonly grantPrincipal: Role;
}

export interface RoleProps {
  /** Kubernetes object name. */
  readonly name: string;
  /** @default - `<name>-<environmentSuffix>` */
  readonly roleName?: string;
  readonly description: string;
  /** The AWS service that assumes the role, e.g. `lambda.amazonaws.com`. */
  readonly assumedBy: string;
  /**
   * What the service does to assume it: EKS Pod Identity (`pods.eks.amazonaws.com`)
   * also tags the session.
   * @default ['sts:AssumeRole']
   */
  readonly assumeActions?: readonly ('sts:AssumeRole' | 'sts:TagSession')[];
}

/**
 * An IAM role for one AWS service. Its permissions are an inline policy built
 * from grants (`role.addToPolicy`, `table.grantReadWrite(fn)`), rendered when
 * the chart is synthesized so that later grants are included; no AWS managed
 * policy (their `Resource: "*"` is what least privilege avoids). The trust
 * policy only lets the service assume it on behalf of this account.
 */
export class Role extends Construct implements IGrantable {
  readonly resource: iam.Role;
  readonly roleName: string;
  readonly arn: string;
  readonly grantPrincipal: Role = this;
  private readonly statements: PolicyStatement[] = [];
  private attached?: () => string[];

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    this.roleName = props.roleName ?? physicalName(this, AWS_NAME_RULES.iamRole, props.name);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(this.roleName, AWS_NAME_RULES.iamRole) ??
      (/^[a-z0-9.-]+\.amazonaws\.com$/.test(props.assumedBy) ? undefined : `assumedBy "${props.assumedBy}" is not an AWS service principal (e.g. lambda.amazonaws.com)`);
    if (problem) throw new ValidationError(problem, this);
    const { account } = awsContext(this);
    this.arn = arn(this, 'iam', `role/${this.roleName}`, { region: '' });

    // The service may assume the role only on behalf of this account (confused-deputy guard).
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: props.assumedBy },
          Action: props.assumeActions && props.assumeActions.length > 1 ? [...props.assumeActions] : (props.assumeActions?.[0] ?? 'sts:AssumeRole'),
          Condition: { StringEquals: { 'aws:SourceAccount': account } },
        },
      ],
    });
    this.resource = new iam.Role(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: this.roleName,
        description: props.description,
        assumeRolePolicyDocument: trust,
        inlinePolicies: Lazy.any({
          produce: () => (this.statements.length > 0 ? { [`${this.roleName}-permissions`]: policyDocument(this.statements) } : undefined),
        }) as unknown as Record<string, string>,
        policies: Lazy.any({ produce: () => (this.attached?.().length ? this.attached() : undefined) }) as unknown as string[],
      },
    });
  }

  /**
   * Attaches this project's customer managed policies, by ARN, as they are
   * known when the chart is synthesized (never an AWS managed policy).
   */
  attachPolicies(arns: () => string[]): void {
    this.attached = arns;
  }

  /**
   * Adds a statement to the role's inline policy. `Resource: "*"` is accepted
   * only when every action is one of `UNSCOPED_ACTIONS`.
   */
  addToPolicy(statement: PolicyStatement): void {
    if (statement.actions.length === 0 || statement.resources.length === 0) {
      throw new ValidationError('a policy statement needs at least one action and one resource', this);
    }
    const unscoped = statement.resources.length === 1 && statement.resources[0] === '*' && statement.actions.every((action) => action in UNSCOPED_ACTIONS);
    const wildcard = [...statement.actions, ...(unscoped ? [] : statement.resources)].find((value) => value === '*' || /^[a-z0-9-]+:\*$/.test(value));
    if (wildcard) {
      throw new ValidationError(
        `"${wildcard}" in a policy statement is not least privilege; name the actions and the resources ("*" only for actions AWS cannot scope: ${Object.keys(UNSCOPED_ACTIONS).join(', ')})`,
        this,
      );
    }
    this.statements.push(statement);
  }
}
