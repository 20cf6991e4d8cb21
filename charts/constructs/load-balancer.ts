import { Construct } from 'constructs';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws';
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';
import { defer, lateBound, type ObjectInput } from './late-binding';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { CERTIFICATE_ARN_PATTERN } from '../../lib/validation/aws';
import { addWarning } from '../../lib/warnings';
import { SystemChart } from '../system-chart';
import { awsContext, physicalName } from './aws-context';
import { FULL_PROTECTION, type DataProtection } from './database';
import type { Network } from './network';
import type { SecureBucket } from './secure-bucket';
import { Peer, Port, SecurityGroup } from './security-group';

export interface ApplicationLoadBalancerProps {
  /** Kubernetes object name; base of the AWS names (at most 32 characters with the suffix). */
  readonly name: string;
  readonly network: Network;
  /** Certificate of the HTTPS listener. */
  readonly certificateArn: string;
  /** Port the targets listen on. */
  readonly targetPort: number;
  /** @default /health */
  readonly healthCheckPath?: string;
  /** Deletion protection on the load balancer follows `deletionProtection`. @default FULL_PROTECTION */
  readonly protection?: DataProtection;
  /** Receives the access logs (under `<name>/`); must use SSE-S3, which is all ALB log delivery supports. */
  readonly accessLogBucket: SecureBucket;
  /**
   * The target group's ARN, once ACK has created it. ACK's TargetGroup
   * deregisters every target its spec does not list (elbv2-controller v1.6.1
   * `target_group/hooks.go` compareTargetDescription, `sdk.go:517-535`,
   * upstream aws-controllers-k8s/community#2372), including the tasks ECS
   * registers. Once the group exists, its object is made read-only
   * (`services.k8s.aws/read-only`: ACK only reads it, so references to it
   * still resolve) and only then may services register targets
   * (`acceptsTargets`).
   * @default - not created yet: no service may register targets; synth warns
   */
  readonly targetGroupArn?: string;
  /** Where `targetGroupArn` is set in config, for the warning while it is not. @default systems.<system>.loadBalancer.targetGroupARN */
  readonly targetGroupArnConfigPath?: string;
  /** What the target group registers: ECS tasks' addresses (`ip`) or EC2 instances (`instance`, an Auto Scaling group). @default ip */
  readonly targetType?: 'ip' | 'instance';
  /** A plain-HTTP listener on 80 that only redirects to HTTPS (browsers typing the bare name). @default false: no port 80 at all */
  readonly redirectHttp?: boolean;
  /** AWS name of the load balancer's security group. @default `<name>-lb-<environmentSuffix>` */
  readonly securityGroupName?: string;
}

/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * An internet-facing application load balancer in the public subnets: HTTPS
 * only (no plain-HTTP listener), a modern TLS policy, invalid headers dropped,
 * access logs, forwarding to an IP target group. Its security group is the
 * one place the internet may reach, on 443 only.
 */
export class ApplicationLoadBalancer extends Construct {
  readonly resource: elbv2.LoadBalancer;
  readonly targetGroup: elbv2.TargetGroup;
  readonly securityGroup: SecurityGroup;
  readonly loadBalancerName: string;
  readonly targetGroupName: string;
  /** Whether a service may register targets: the target group is handed over (see `targetGroupArn`). */
  readonly acceptsTargets: boolean;
  /**
   * Whether the operator does the hand-over (late binding): a service must then
   * wait until the group is read-only ({@link serviceGate}).
   */
  readonly handedOverLate: boolean;
  /** The target group's ARN, from config (see `ApplicationLoadBalancerProps.targetGroupArn`). */
  readonly targetGroupArn?: string;
  /** The target group's CloudWatch dimension `targetgroup/<name>/<id>`, once its ARN is known. */
  readonly targetGroupDimension?: string;
  private readonly targetPort: number;

  /**
   * For a service registering into this group under late binding: an input
   * and an expression that resolves (to the group's ARN) only once ACK treats
   * the group as read-only, so no task is registered before ACK stops
   * deregistering targets.
   */
  serviceGate(): { readonly input: ObjectInput; readonly expression: string } {
    const input = { name: 'targetGroup', object: this.targetGroup };
    return { input, expression: `\${targetGroup.metadata.annotations['${ACK_ANNOTATIONS.readOnly}'] == 'true' ? targetGroup.status.ackResourceMetadata.arn : null}` };
  }

  constructor(scope: Construct, id: string, props: ApplicationLoadBalancerProps) {
    super(scope, id);
    this.loadBalancerName = physicalName(this, AWS_NAME_RULES.loadBalancer, props.name);
    this.targetGroupName = physicalName(this, AWS_NAME_RULES.loadBalancer, `${props.name}-tg`);
    const healthCheckPath = props.healthCheckPath ?? '/health';
    const { partition, region, account } = awsContext(this);
    const targetGroupArn = new RegExp(`^arn:${partition}:elasticloadbalancing:${region}:${account}:(targetgroup/${this.targetGroupName}/[0-9a-f]{16})$`);
    const problem =
      nameProblem(`${props.name}-https`, K8S_LABEL_NAME) ??
      (Number.isInteger(props.targetPort) && props.targetPort >= 1 && props.targetPort <= 65535 ? undefined : `targetPort ${props.targetPort} must be 1-65535`) ??
      (/^\/[\w./-]*$/.test(healthCheckPath) ? undefined : `healthCheckPath "${healthCheckPath}" must be a path starting with /`) ??
      (CERTIFICATE_ARN_PATTERN.test(props.certificateArn) ? undefined : `certificateArn "${props.certificateArn}" is not an ACM certificate ARN`) ??
      (props.targetGroupArn === undefined || targetGroupArn.test(props.targetGroupArn)
        ? undefined
        : `targetGroupArn "${props.targetGroupArn}" is not the ARN of this target group: expected arn:${partition}:elasticloadbalancing:${region}:${account}:targetgroup/${this.targetGroupName}/<16 hex digits>`);
    if (problem) throw new ValidationError(problem, this);
    this.targetPort = props.targetPort;
    // Late binding: the operator hands the group over itself once AWS has created it (below).
    const handOver = props.targetGroupArn === undefined && lateBound(this);
    this.acceptsTargets = props.targetGroupArn !== undefined || handOver;
    this.targetGroupArn = props.targetGroupArn;
    this.targetGroupDimension = props.targetGroupArn && targetGroupArn.exec(props.targetGroupArn)![1];
    const protection = props.protection ?? FULL_PROTECTION;

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${props.name}-lb`,
      groupName: props.securityGroupName ?? physicalName(this, AWS_NAME_RULES.securityGroup, `${props.name}-lb`),
      description: `${props.name} load balancer: HTTPS${props.redirectHttp ? ' (and HTTP, redirected)' : ''} from the internet`,
      vpc: props.network,
      ingress: [
        { peer: Peer.anyIpv4('internet-facing load balancer of a public endpoint'), port: Port.tcp(443), description: 'HTTPS from clients' },
        ...(props.redirectHttp ? [{ peer: Peer.anyIpv4('internet-facing load balancer of a public endpoint'), port: Port.tcp(80), description: 'HTTP from clients, only redirected to HTTPS' }] : []),
      ],
    });
    props.accessLogBucket.allowLoadBalancerLogs(props.name);
    this.resource = new elbv2.LoadBalancer(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: this.loadBalancerName,
        type: 'application',
        scheme: 'internet-facing',
        ipAddressType: 'ipv4',
        subnetRefs: props.network.subnetRefs('public'),
        securityGroupRefs: [{ from: { name: this.securityGroup.resource.name } }],
        // Compared by exact string with what AWS reports (elbv2-controller v1.6.1 load_balancer/hooks.go).
        attributes: [
          { key: 'deletion_protection.enabled', value: String(protection.deletionProtection) },
          { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
          { key: 'access_logs.s3.enabled', value: 'true' },
          { key: 'access_logs.s3.bucket', value: props.accessLogBucket.bucketName },
          { key: 'access_logs.s3.prefix', value: props.name },
        ],
      },
    });
    // Late-bound, the group reads itself: read-only ("true") as soon as its status has an ARN, i.e. AWS created it.
    // Until then "false", which ACK treats as writable: only "true" (any case) is read-only
    // (runtime 95428e7 `pkg/runtime/util.go:93-105` IsReadOnly; a read-only object is only read, `reconciler.go:586-640`).
    const readOnly = handOver ? '${string(has(targetGroup.status) && has(targetGroup.status.ackResourceMetadata) && has(targetGroup.status.ackResourceMetadata.arn))}' : 'true';
    this.targetGroup = new elbv2.TargetGroup(this, 'TargetGroup', {
      metadata: { name: `${props.name}-targets`, annotations: this.acceptsTargets ? { [ACK_ANNOTATIONS.readOnly]: readOnly } : undefined },
      spec: {
        name: this.targetGroupName,
        protocol: 'HTTP',
        port: props.targetPort,
        targetType: props.targetType ?? 'ip',
        ...props.network.vpcFields,
        healthCheckEnabled: true,
        healthCheckPath,
        healthCheckProtocol: 'HTTP',
        matcher: { httpCode: '200' },
      },
    });
    if (handOver) defer(this.targetGroup, [{ name: 'targetGroup', object: this.targetGroup, optional: true }]);
    this.handedOverLate = handOver;
    if (!this.acceptsTargets) {
      addWarning(
        this,
        'TARGET-GROUP-PENDING',
        `no service registers into target group ${this.targetGroupName} yet: ACK's TargetGroup would deregister them (community#2372); once applied, ` +
          `put its ARN (targetGroupARN in the outputs ConfigMap) into ${props.targetGroupArnConfigPath ?? `systems.${SystemChart.of(this).system}.loadBalancer.targetGroupARN`} and synthesize again`,
      );
    }
    new elbv2.Listener(this, 'Https', {
      metadata: { name: `${props.name}-https` },
      spec: {
        loadBalancerRef: { from: { name: this.resource.name } },
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificates: [{ certificateArn: props.certificateArn }],
        defaultActions: [{ type: 'forward', targetGroupRef: { from: { name: this.targetGroup.name } } }],
      },
    });
    if (props.redirectHttp) {
      new elbv2.Listener(this, 'HttpRedirect', {
        metadata: { name: `${props.name}-http` },
        spec: {
          loadBalancerRef: { from: { name: this.resource.name } },
          port: 80,
          protocol: 'HTTP',
          defaultActions: [{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
        },
      });
    }
  }

  /** Lets the load balancer reach `targets` on the target port (both groups' rules). */
  connectTo(targets: SecurityGroup): void {
    targets.allowFrom(this.securityGroup, Port.tcp(this.targetPort), 'HTTP from the load balancer');
  }
}
