import { Construct } from 'constructs';
import * as ecs from '../../imports/ecs.services.k8s.aws';
import { fargateSizeProblem } from '../../lib/catalog';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { CONTAINER_IMAGE_PATTERN, ecrRepositoryOf } from '../../lib/validation/aws';
import { awsContext, physicalName } from './aws-context';
import { Role, type IGrantable } from './iam';
import type { KmsKey } from './kms-key';
import type { ApplicationLoadBalancer } from './load-balancer';
import { defer } from './late-binding';
import { LogGroup } from './log-group';
import type { Network } from './network';
import { SecurityGroup, type SecurityGroupRule } from './security-group';

export interface ContainerServiceProps {
  /** Kubernetes object name; base of the AWS names (cluster, service, task family). */
  readonly name: string;
  /** Image with an explicit tag or digest (no implicit `latest`). */
  readonly image: string;
  /** Fargate CPU units: 256, 512, 1024, 2048 or 4096. */
  readonly cpu: number;
  /** MiB, one of the sizes Fargate allows for `cpu`. */
  readonly memoryMiB: number;
  readonly containerPort: number;
  readonly desiredCount: number;
  readonly network: Network;
  /** @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  /** @default - AWS managed key */
  readonly encryptionKey?: KmsKey;
  /**
   * Registers the tasks in the load balancer's target group and lets it reach
   * them. The ECS service itself is left out until the load balancer
   * `acceptsTargets` (see `ApplicationLoadBalancer.targetGroupArn`).
   * @default - none
   */
  readonly loadBalancer?: ApplicationLoadBalancer;
  /** What the tasks may reach besides what grants and `connectTo` add. @default - nothing */
  readonly egress?: readonly SecurityGroupRule[];
}

/**
 * A container service on ECS Fargate: its own cluster (Container Insights on),
 * a task definition with a read-only root filesystem and logs to a pre-created
 * group, a task role that only holds what is granted to it, private subnets
 * without public IPs, a deployment circuit breaker that rolls back.
 */
export class ContainerService extends Construct implements IGrantable {
  readonly cluster: ecs.Cluster;
  /** The ECS service; absent while its load balancer does not accept targets yet. */
  readonly service?: ecs.Service;
  readonly taskRole: Role;
  readonly grantPrincipal: Role;
  readonly securityGroup: SecurityGroup;
  readonly clusterName: string;
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    this.clusterName = physicalName(this, AWS_NAME_RULES.ecsName, props.name);
    this.serviceName = this.clusterName;
    const problem =
      nameProblem(`${props.name}-execution`, K8S_LABEL_NAME) ??
      (CONTAINER_IMAGE_PATTERN.test(props.image) ? undefined : `image "${props.image}" must name a registry/repository with an explicit tag or @sha256 digest`) ??
      fargateSizeProblem(props.cpu, props.memoryMiB) ??
      (Number.isInteger(props.containerPort) && props.containerPort >= 1 && props.containerPort <= 65535 ? undefined : `containerPort ${props.containerPort} must be 1-65535`) ??
      (Number.isInteger(props.desiredCount) && props.desiredCount >= 1 ? undefined : `desiredCount ${props.desiredCount} must be at least 1`);
    if (problem) throw new ValidationError(problem, this);
    const { region, partition, account } = awsContext(this);

    const logGroup = new LogGroup(this, 'LogGroup', {
      name: `${props.name}-logs`,
      logGroupName: `/ecs/${this.serviceName}`,
      retentionDays: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    const executionRole = new Role(this, 'ExecutionRole', {
      name: `${props.name}-execution`,
      description: `ECS pulls ${this.serviceName}'s image and ships its logs`,
      assumedBy: 'ecs-tasks.amazonaws.com',
    });
    // What AmazonECSTaskExecutionRolePolicy grants on "*", narrowed: this image's repository, this log group.
    const repository = ecrRepositoryOf(props.image);
    if (repository) {
      executionRole.addToPolicy({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] });
      executionRole.addToPolicy({
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resources: [`arn:${partition}:ecr:${repository.region}:${repository.account}:repository/${repository.repository}`],
      });
    }
    executionRole.addToPolicy({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.arn}:*`] });
    this.taskRole = new Role(this, 'TaskRole', {
      name: `${props.name}-task`,
      description: `Permissions of ${this.serviceName}'s containers`,
      assumedBy: 'ecs-tasks.amazonaws.com',
    });
    this.grantPrincipal = this.taskRole;

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${props.name}-tasks`,
      groupName: physicalName(this, AWS_NAME_RULES.securityGroup, `${props.name}-tasks`),
      description: `${this.serviceName} tasks`,
      vpc: props.network,
      egress: props.egress,
    });
    props.loadBalancer?.connectTo(this.securityGroup);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      metadata: { name: props.name },
      spec: { name: this.clusterName, settings: [{ name: 'containerInsights', value: 'enabled' }] },
    });
    const taskDefinition = new ecs.TaskDefinition(this, 'TaskDefinition', {
      metadata: { name: props.name },
      spec: {
        family: this.serviceName,
        cpu: String(props.cpu),
        memory: String(props.memoryMiB),
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
        // ACK's TaskDefinition has no reference for the execution role; its ARN is predictable.
        executionRoleArn: `arn:${partition}:iam::${account}:role/${executionRole.roleName}`,
        taskRoleRef: { from: { name: this.taskRole.resource.name } },
        containerDefinitions: [
          {
            name: props.name,
            image: props.image,
            essential: true,
            readonlyRootFilesystem: true,
            portMappings: [{ containerPort: props.containerPort, protocol: 'tcp' }],
            environment: Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value })),
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': logGroup.logGroupName, 'awslogs-region': region, 'awslogs-stream-prefix': props.name },
            },
          },
        ],
      },
    });
    if (props.loadBalancer && !props.loadBalancer.acceptsTargets) return;
    this.service = new ecs.Service(this, 'Service', {
      metadata: { name: props.name },
      spec: {
        name: this.serviceName,
        clusterRef: { from: { name: this.cluster.name } },
        taskDefinitionRef: { from: { name: taskDefinition.name } },
        desiredCount: props.desiredCount,
        launchType: 'FARGATE',
        platformVersion: 'LATEST',
        networkConfiguration: {
          awsVpcConfiguration: {
            subnetRefs: props.network.subnetRefs('private'),
            securityGroupRefs: [{ from: { name: this.securityGroup.resource.name } }],
            assignPublicIp: 'DISABLED',
          },
        },
        loadBalancers: props.loadBalancer
          ? [{ targetGroupRef: { from: { name: props.loadBalancer.targetGroup.name } }, containerName: props.name, containerPort: props.containerPort }]
          : undefined,
        healthCheckGracePeriodSeconds: props.loadBalancer ? 60 : undefined,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
        propagateTags: 'SERVICE',
        enableEcsManagedTags: true,
        enableExecuteCommand: false,
      },
    });
    if (props.loadBalancer?.handedOverLate) {
      // The service registers tasks only once the operator has handed the target group over.
      const gate = props.loadBalancer.serviceGate();
      this.service.metadata.addAnnotation('ack-systems.io/target-group-read-only', gate.expression);
      defer(this.service, [gate.input]);
    }
  }
}
