import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as lambda from '../../imports/lambda.services.k8s.aws';
import { lambdaRuntimeProblem } from '../../lib/catalog';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, awsContext, physicalName } from './aws-context';
import { Role, type IGrantable } from './iam';
import type { KmsKey } from './kms-key';
import { defer, type DeferredInput } from './late-binding';
import { LogGroup } from './log-group';
import type { Network, SubnetTier } from './network';
import { SecurityGroup, type SecurityGroupRule } from './security-group';

/** Where the function's deployment package is, and its hash. */
export interface LambdaCode {
  readonly s3Bucket: string;
  readonly s3Key: string;
  /**
   * Base64 SHA-256 of the zip (what Lambda reports as `CodeSha256`). Required:
   * ACK updates a function's code only when this differs from AWS's
   * (lambda-controller v1.14.1 `function/hooks.go:550-572`); a new `s3Key`
   * alone is never noticed.
   */
  readonly sha256: string;
}

export interface LambdaVpcPlacement {
  readonly network: Network;
  /** @default private */
  readonly subnetTier?: SubnetTier;
  /** What the function may reach; its own security group allows nothing else. @default - nothing */
  readonly egress?: readonly SecurityGroupRule[];
}

export interface LambdaFunctionProps {
  /** Kubernetes object name; base of the AWS names. */
  readonly name: string;
  /** @default - `<name>-<environmentSuffix>` */
  readonly functionName?: string;
  /** @default - `<name>-<environmentSuffix>` */
  readonly roleName?: string;
  /** Checked against the maintained runtime table: deprecated runtimes are rejected (R-G9). */
  readonly runtime: string;
  readonly handler: string;
  readonly code: LambdaCode;
  /** 128-10240 MB. */
  readonly memoryMB: number;
  /** 1-900 s. */
  readonly timeoutSeconds: number;
  /** @default - unreserved (shares the account's pool) */
  readonly reservedConcurrency?: number;
  /** Plain configuration; never secrets (R-G8): pass a secret's name or ARN and read it at run time. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - not in a VPC */
  readonly vpc?: LambdaVpcPlacement;
  /** Retention of the pre-created log group. */
  readonly logRetentionDays: number;
  /** Encrypts environment variables and the log group. @default - AWS managed keys */
  readonly encryptionKey?: KmsKey;
  /** @default arm64 */
  readonly architecture?: 'arm64' | 'x86_64';
}

/** Values that look like credentials; environment variables must reference secrets, not hold them. */
const SECRET_LIKE_NAME = /(PASSWORD|PASSWD|SECRET(?!_ARN|_NAME|_ID)|TOKEN|PRIVATE_KEY)/i;

/**
 * A Lambda function with its log group created first (so retention applies from
 * the first line), a role whose only permissions are writing to that group plus
 * what is granted to it, and, in a VPC, a security group of its own.
 */
export class LambdaFunction extends Construct implements IGrantable {
  readonly resource: lambda.Function;
  readonly role: Role;
  readonly grantPrincipal: Role;
  readonly functionName: string;
  readonly arn: string;
  readonly logGroup: LogGroup;
  readonly securityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
    this.functionName = props.functionName ?? physicalName(this, AWS_NAME_RULES.lambdaFunction, props.name);
    const secretLike = Object.keys(props.environment ?? {}).find((key) => SECRET_LIKE_NAME.test(key));
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(this.functionName, AWS_NAME_RULES.lambdaFunction) ??
      lambdaRuntimeProblem(props.runtime) ??
      (Number.isInteger(props.memoryMB) && props.memoryMB >= 128 && props.memoryMB <= 10240 ? undefined : `memoryMB ${props.memoryMB} must be 128-10240`) ??
      (Number.isInteger(props.timeoutSeconds) && props.timeoutSeconds >= 1 && props.timeoutSeconds <= 900 ? undefined : `timeoutSeconds ${props.timeoutSeconds} must be 1-900`) ??
      (props.reservedConcurrency === undefined || (Number.isInteger(props.reservedConcurrency) && props.reservedConcurrency >= 1)
        ? undefined
        : `reservedConcurrency ${props.reservedConcurrency} must be at least 1 (0 would stop the function)`) ??
      (secretLike ? `environment variable ${secretLike} looks like a secret; pass the secret's ARN and read it at run time (R-G8)` : undefined) ??
      (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.code.s3Bucket) && props.code.s3Key.length > 0 ? undefined : `code.s3Bucket "${props.code.s3Bucket}" / code.s3Key "${props.code.s3Key}" do not name an S3 object`) ??
      (/^[A-Za-z0-9+/]{43}=$/.test(props.code.sha256) ? undefined : `code.sha256 "${props.code.sha256}" is not a base64 SHA-256 (44 characters, as Lambda reports CodeSha256)`);
    if (problem) throw new ValidationError(problem, this);

    this.arn = arn(this, 'lambda', `function:${this.functionName}`);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      name: `${props.name}-logs`,
      logGroupName: `/aws/lambda/${this.functionName}`,
      retentionDays: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    this.role = new Role(this, 'Role', {
      name: props.name,
      roleName: props.roleName,
      description: `Execution role of Lambda function ${this.functionName}`,
      assumedBy: 'lambda.amazonaws.com',
    });
    this.grantPrincipal = this.role;
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every group): this group only.
    this.role.addToPolicy({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] });
    if (props.vpc) this.grantVpcNetworking(props.vpc.network);

    if (props.vpc) {
      this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
        name: `${props.name}-fn`,
        groupName: physicalName(this, AWS_NAME_RULES.securityGroup, `${props.name}-fn`),
        description: `Lambda function ${this.functionName}`,
        vpc: props.vpc.network,
        egress: props.vpc.egress,
      });
    }

    this.resource = new lambda.Function(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: this.functionName,
        runtime: props.runtime,
        handler: props.handler,
        packageType: 'Zip',
        code: { s3Bucket: props.code.s3Bucket, s3Key: props.code.s3Key, sha256: props.code.sha256 },
        memorySize: props.memoryMB,
        timeout: props.timeoutSeconds,
        reservedConcurrentExecutions: props.reservedConcurrency,
        architectures: [props.architecture ?? 'arm64'],
        roleRef: { from: { name: this.role.resource.name } },
        environment: props.environment ? { variables: { ...props.environment } } : undefined,
        kmsKeyRef: props.encryptionKey?.ref,
        loggingConfig: { logGroup: this.logGroup.logGroupName, logFormat: 'JSON' },
        vpcConfig: props.vpc
          ? { subnetRefs: props.vpc.network.subnetRefs(props.vpc.subnetTier ?? 'private'), securityGroupRefs: [{ from: { name: this.securityGroup!.resource.name } }] }
          : undefined,
      },
    });
    this.resource.addDependency(this.logGroup.resource);
  }

  /**
   * The ARN other services invoke. ACK has no Lambda permission kind;
   * permissions live on an alias (`live`, on `$LATEST`), so callers invoke the
   * alias.
   */
  get invokeArn(): string {
    this.ensureAlias();
    return `${this.arn}:${LIVE_ALIAS}`;
  }

  private ensureAlias(): void {
    this.alias ??= new lambda.Alias(this, 'LiveAlias', {
      metadata: { name: `${this.resource.name}-live` },
      spec: {
        name: LIVE_ALIAS,
        functionRef: { from: { name: this.resource.name } },
        functionVersion: '$LATEST',
        permissions: Lazy.any({ produce: () => (this.invokePermissions.length > 0 ? this.invokePermissions : undefined) }) as unknown as lambda.AliasSpecPermissions[],
      },
    });
  }

  /**
   * Lets an AWS service invoke the function's alias (`invokeArn`) on behalf of
   * one caller.
   * @param sourceArn the one caller, e.g. `arn:aws:execute-api:<region>:<account>:<api ID>/*`; patterns
   *   spanning several resources (`…:*` for the account) are refused
   * @param inputs when `sourceArn` holds a late-bound value (`${api.status.apiID}`), its inputs: the
   *   alias is then rendered by the operator once they resolve
   */
  grantInvoke(service: string, sourceArn: string, inputs: readonly DeferredInput[] = []): void {
    if (/:\*(\/|$)/.test(sourceArn)) {
      throw new ValidationError(`grantInvoke sourceArn "${sourceArn}" lets every ${service} resource of the account invoke the function; name the one caller`, this);
    }
    this.ensureAlias();
    this.invokePermissions.push({
      action: 'lambda:InvokeFunction',
      principal: service,
      sourceArn,
      statementId: `${service.split('.')[0]}-${this.invokePermissions.length + 1}`,
    });
    if (inputs.length > 0) defer(this.alias!, inputs);
  }

  /**
   * What Lambda needs to put the function's network interfaces into the VPC,
   * instead of AWSLambdaVPCAccessExecutionRole (`Resource: "*"`): the describe
   * calls AWS cannot scope, and the interface actions limited to this region
   * and account (Lambda developer guide, "Execution role permissions") and,
   * once its ID is known, to the function's VPC (`ec2:Vpc`).
   */
  private grantVpcNetworking(network: Network): void {
    const { partition, region, account } = awsContext(this);
    const ec2Arn = (resource: string) => `arn:${partition}:ec2:${region}:${account}:${resource}`;
    this.role.addToPolicy({ actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], resources: ['*'] });
    this.role.addToPolicy({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: [ec2Arn('network-interface/*'), ec2Arn('subnet/*'), ec2Arn('security-group/*')],
      conditions: network.vpcId ? { ArnEquals: { 'ec2:Vpc': ec2Arn(`vpc/${network.vpcId}`) } } : undefined,
    });
  }

  private readonly invokePermissions: lambda.AliasSpecPermissions[] = [];
  private alias?: lambda.Alias;
}

/** The alias callers invoke; it carries the invoke permissions. */
const LIVE_ALIAS = 'live';
