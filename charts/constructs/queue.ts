import { Construct } from 'constructs';
import * as sqs from '../../imports/sqs.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, physicalName } from './aws-context';
import type { IGrantable } from './iam';
import type { KmsKey } from './kms-key';

export interface QueueProps {
  /** Kubernetes object name; base of the AWS name (the dead-letter queue adds `-dlq`). */
  readonly name: string;
  /** Seconds a received message stays invisible; longer than the consumer's processing time. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 4 days (SQS's default, stated) */
  readonly retentionDays?: number;
  /** Encrypts messages. */
  readonly encryptionKey: KmsKey;
  /**
   * Messages received this often without being deleted move to a dead-letter
   * queue (retained 14 days) instead of looping forever. @default 5
   */
  readonly maxReceiveCount?: number;
}

/** An SQS queue with a dead-letter queue, encrypted with a customer key. */
export class Queue extends Construct {
  readonly resource: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly arn: string;
  private readonly encryptionKey: KmsKey;

  constructor(scope: Construct, id: string, props: QueueProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.queueName = physicalName(this, AWS_NAME_RULES.sqsQueue, props.name);
    this.deadLetterQueueName = physicalName(this, AWS_NAME_RULES.sqsQueue, `${props.name}-dlq`);
    const visibility = props.visibilityTimeoutSeconds ?? 60;
    const retentionDays = props.retentionDays ?? 4;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const problem =
      nameProblem(`${props.name}-dlq`, K8S_LABEL_NAME) ??
      (Number.isInteger(visibility) && visibility >= 0 && visibility <= 43200 ? undefined : `visibilityTimeoutSeconds ${visibility} must be 0-43200`) ??
      (Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 14 ? undefined : `retentionDays ${retentionDays} must be 1-14`) ??
      (Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000 ? undefined : `maxReceiveCount ${maxReceiveCount} must be 1-1000`);
    if (problem) throw new ValidationError(problem, this);

    this.arn = arn(this, 'sqs', this.queueName);
    const deadLetterArn = arn(this, 'sqs', this.deadLetterQueueName);
    // SQS attributes are strings in ACK's schema.
    const encryption = { kmsMasterKeyRef: props.encryptionKey.ref, kmsDataKeyReusePeriodSeconds: '300' };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      metadata: { name: `${props.name}-dlq` },
      spec: {
        queueName: this.deadLetterQueueName,
        messageRetentionPeriod: String(14 * 86400),
        ...encryption,
        // Only this queue may move messages here.
        redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.arn] }),
      },
    });
    this.resource = new sqs.Queue(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        queueName: this.queueName,
        visibilityTimeout: String(visibility),
        messageRetentionPeriod: String(retentionDays * 86400),
        receiveMessageWaitTimeSeconds: '20',
        ...encryption,
        // ACK has no reference from redrivePolicy to another Queue; the ARN is predictable.
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount }),
      },
    });
  }

  /** Lets `grantee` send, receive and delete messages (and encrypt and decrypt them). */
  grantConsumeAndSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPolicy({
      actions: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      resources: [this.arn],
    });
    this.encryptionKey.grantEncryptDecrypt(grantee);
  }
}
