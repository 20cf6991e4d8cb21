import { Construct } from 'constructs';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { CERTIFICATE_ARN_PATTERN } from '../../lib/validation/aws';
import { physicalName } from './aws-context';
import { FULL_PROTECTION, type DataProtection } from './database';
import type { Network } from './network';
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
}

/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * An internet-facing application load balancer in the public subnets: HTTPS
 * on 443 with a modern TLS policy forwarding to an IP target group, HTTP on 80
 * only redirecting to HTTPS, invalid headers dropped. Its security group is the
 * one place the internet may reach, on 443 and 80 only.
 */
export class ApplicationLoadBalancer extends Construct {
  readonly resource: elbv2.LoadBalancer;
  readonly targetGroup: elbv2.TargetGroup;
  readonly securityGroup: SecurityGroup;
  readonly loadBalancerName: string;
  readonly targetGroupName: string;
  private readonly targetPort: number;

  constructor(scope: Construct, id: string, props: ApplicationLoadBalancerProps) {
    super(scope, id);
    this.loadBalancerName = physicalName(this, AWS_NAME_RULES.loadBalancer, props.name);
    this.targetGroupName = physicalName(this, AWS_NAME_RULES.loadBalancer, `${props.name}-tg`);
    const healthCheckPath = props.healthCheckPath ?? '/health';
    const problem =
      nameProblem(`${props.name}-https`, K8S_LABEL_NAME) ??
      (Number.isInteger(props.targetPort) && props.targetPort >= 1 && props.targetPort <= 65535 ? undefined : `targetPort ${props.targetPort} must be 1-65535`) ??
      (/^\/[\w./-]*$/.test(healthCheckPath) ? undefined : `healthCheckPath "${healthCheckPath}" must be a path starting with /`) ??
      (CERTIFICATE_ARN_PATTERN.test(props.certificateArn) ? undefined : `certificateArn "${props.certificateArn}" is not an ACM certificate ARN`);
    if (problem) throw new ValidationError(problem, this);
    this.targetPort = props.targetPort;
    const protection = props.protection ?? FULL_PROTECTION;

    const internet = Peer.anyIpv4('internet-facing load balancer of the public payment endpoint');
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${props.name}-lb`,
      groupName: physicalName(this, AWS_NAME_RULES.securityGroup, `${props.name}-lb`),
      description: `${props.name} load balancer: HTTPS (and HTTP redirect) from the internet`,
      vpc: props.network,
      ingress: [
        { peer: internet, port: Port.tcp(443), description: 'HTTPS from clients' },
        { peer: internet, port: Port.tcp(80), description: 'HTTP from clients, redirected to HTTPS' },
      ],
    });
    this.resource = new elbv2.LoadBalancer(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: this.loadBalancerName,
        type: 'application',
        scheme: 'internet-facing',
        ipAddressType: 'ipv4',
        subnetRefs: props.network.subnetRefs('public'),
        securityGroupRefs: [{ from: { name: this.securityGroup.resource.name } }],
        attributes: [
          { key: 'deletion_protection.enabled', value: String(protection.deletionProtection) },
          { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
        ],
      },
    });
    this.targetGroup = new elbv2.TargetGroup(this, 'TargetGroup', {
      metadata: { name: `${props.name}-targets` },
      spec: {
        name: this.targetGroupName,
        protocol: 'HTTP',
        port: props.targetPort,
        targetType: 'ip',
        ...props.network.vpcFields,
        healthCheckEnabled: true,
        healthCheckPath,
        healthCheckProtocol: 'HTTP',
        matcher: { httpCode: '200' },
      },
    });
    const loadBalancerRef = { from: { name: this.resource.name } };
    new elbv2.Listener(this, 'Https', {
      metadata: { name: `${props.name}-https` },
      spec: {
        loadBalancerRef,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificates: [{ certificateArn: props.certificateArn }],
        defaultActions: [{ type: 'forward', targetGroupRef: { from: { name: this.targetGroup.name } } }],
      },
    });
    new elbv2.Listener(this, 'HttpRedirect', {
      metadata: { name: `${props.name}-http` },
      spec: {
        loadBalancerRef,
        port: 80,
        protocol: 'HTTP',
        defaultActions: [{ type: 'redirect', redirectConfig: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      },
    });
  }

  /** Lets the load balancer reach `targets` on the target port (both groups' rules). */
  connectTo(targets: SecurityGroup): void {
    targets.allowFrom(this.securityGroup, Port.tcp(this.targetPort), 'HTTP from the load balancer');
  }
}
