import { Construct } from 'constructs';
import * as logs from '../../imports/cloudwatchlogs.services.k8s.aws';
import { LOG_RETENTION_DAYS } from '../../lib/catalog';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn } from './aws-context';
import type { KmsKey } from './kms-key';


export interface LogGroupProps {
  /** Kubernetes object name. */
  readonly name: string;
  /** e.g. `/aws/lambda/<function>`; services write to fixed names, so there is no default. */
  readonly logGroupName: string;
  /** Must be one of LOG_RETENTION_DAYS. Logs never expire silently by default. */
  readonly retentionDays: number;
  /** @default - encrypted by CloudWatch Logs with an AWS-owned key */
  readonly encryptionKey?: KmsKey;
}

/**
 * A CloudWatch log group created before the service that writes to it, so that
 * its retention (and key) apply from the first log line.
 */
export class LogGroup extends Construct {
  readonly resource: logs.LogGroup;
  readonly logGroupName: string;
  /** ARN of the group; `${arn}:*` covers its streams. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: LogGroupProps) {
    super(scope, id);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      nameProblem(props.logGroupName, AWS_NAME_RULES.logGroup) ??
      ((LOG_RETENTION_DAYS as readonly number[]).includes(props.retentionDays)
        ? undefined
        : `retentionDays ${props.retentionDays} is not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS.join(', ')}`);
    if (problem) throw new ValidationError(problem, this);
    this.logGroupName = props.logGroupName;
    this.arn = arn(this, 'logs', `log-group:${props.logGroupName}`);
    this.resource = new logs.LogGroup(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: props.logGroupName,
        retentionDays: props.retentionDays,
        kmsKeyRef: props.encryptionKey?.ref,
      },
    });
  }
}
