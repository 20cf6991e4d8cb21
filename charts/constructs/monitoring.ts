import { Construct } from 'constructs';
import * as cloudwatch from '../../imports/cloudwatch.services.k8s.aws';
import * as sns from '../../imports/sns.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem, stableSuffix } from '../../lib/naming';
import { alarmSubscriptionProblem, type AlarmSubscription } from '../../lib/validation/aws';
import { arn, awsContext, physicalName } from './aws-context';
import type { KmsKey } from './kms-key';

/** A CloudWatch metric. */
export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** @default Average */
  readonly statistic?: 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';
  /** @default 300 */
  readonly periodSeconds?: number;
}

export interface AlarmTopicProps {
  /** Kubernetes object name; base of the AWS name. */
  readonly name: string;
  /** Encrypts messages; the key must list `cloudwatch` among its users. */
  readonly encryptionKey: KmsKey;
  /** Who is notified. @default - nobody (production environments refuse this in config) */
  readonly subscriptions?: readonly AlarmSubscription[];
}

/**
 * The SNS topic alarms notify: encrypted with a customer key, and only
 * CloudWatch alarms of this account may publish to it.
 */
export class AlarmTopic extends Construct {
  readonly resource: sns.Topic;
  readonly topicName: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topicName = physicalName(this, AWS_NAME_RULES.snsTopic, props.name);
    const problem = nameProblem(props.name, K8S_LABEL_NAME) ?? (props.subscriptions ?? []).map(alarmSubscriptionProblem).find(Boolean);
    if (problem) throw new ValidationError(problem, this);
    this.arn = arn(this, 'sns', this.topicName);
    const { account } = awsContext(this);
    this.resource = new sns.Topic(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: this.topicName,
        displayName: `Alarms: ${this.topicName}`,
        kmsMasterKeyRef: props.encryptionKey.ref,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'CloudWatchAlarmsPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: this.arn,
              Condition: { StringEquals: { 'aws:SourceAccount': account } },
            },
          ],
        }),
      },
    });
    for (const subscription of props.subscriptions ?? []) {
      // Named by a hash of the endpoint: stable whatever the list's order.
      const name = `${props.name}-${subscription.protocol}-${stableSuffix([subscription.endpoint])}`;
      if (this.node.tryFindChild(name)) throw new ValidationError(`subscription ${subscription.protocol} ${subscription.endpoint} is listed twice`, this);
      new sns.Subscription(this, name, {
        metadata: { name },
        spec: { topicRef: { from: { name: this.resource.name } }, protocol: subscription.protocol, endpoint: subscription.endpoint },
      });
    }
  }
}

export interface AlarmProps {
  /** Kubernetes object name; base of the AWS name. */
  readonly name: string;
  /** What the alarm means and what to do; required (R-G12). */
  readonly description: string;
  readonly metric: Metric;
  /** From config, never a literal in chart code (R-G12). */
  readonly threshold: number;
  /** @default GreaterThanOrEqualToThreshold */
  readonly comparison?: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
  /** @default 2 */
  readonly evaluationPeriods?: number;
  /** @default notBreaching: no data is no problem */
  readonly treatMissingData?: 'notBreaching' | 'breaching' | 'ignore' | 'missing';
  /** Notified on ALARM and back to OK. */
  readonly topic: AlarmTopic;
}

/** A CloudWatch metric alarm with a description, a threshold from config and an SNS action. */
export class Alarm extends Construct {
  readonly resource: cloudwatch.MetricAlarm;
  /** The alarm's AWS name (what a Route 53 health check names to watch it). */
  readonly alarmName: string;

  constructor(scope: Construct, id: string, props: AlarmProps) {
    super(scope, id);
    const alarmName = physicalName(this, AWS_NAME_RULES.metricAlarm, props.name);
    this.alarmName = alarmName;
    const period = props.metric.periodSeconds ?? 300;
    const evaluationPeriods = props.evaluationPeriods ?? 2;
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      (props.description.trim().length >= 10 ? undefined : 'description must say what the alarm means (R-G12)') ??
      (Number.isFinite(props.threshold) ? undefined : `threshold ${props.threshold} is not a number`) ??
      ([10, 30].includes(period) || (period >= 60 && period % 60 === 0) ? undefined : `periodSeconds ${period} must be 10, 30 or a multiple of 60`) ??
      (Number.isInteger(evaluationPeriods) && evaluationPeriods >= 1 ? undefined : `evaluationPeriods ${evaluationPeriods} must be at least 1`);
    if (problem) throw new ValidationError(problem, this);
    this.resource = new cloudwatch.MetricAlarm(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        name: alarmName,
        alarmDescription: props.description,
        namespace: props.metric.namespace,
        metricName: props.metric.metricName,
        dimensions: Object.entries(props.metric.dimensions).map(([name, value]) => ({ name, value })),
        statistic: props.metric.statistic ?? 'Average',
        period,
        evaluationPeriods,
        threshold: props.threshold,
        comparisonOperator: props.comparison ?? 'GreaterThanOrEqualToThreshold',
        treatMissingData: props.treatMissingData ?? 'notBreaching',
        actionsEnabled: true,
        alarmActions: [props.topic.arn],
        oKActions: [props.topic.arn],
      },
    });
  }
}

/** A dashboard graph of one or more metrics. */
export interface GraphWidget {
  readonly title: string;
  readonly metrics: readonly Metric[];
  /** Grid columns out of 24. @default 12 */
  readonly width?: number;
  /** @default 6 */
  readonly height?: number;
  /** Region of the widget's metrics (a cross-region dashboard). @default - the dashboard's region */
  readonly region?: string;
}

export interface DashboardProps {
  /** Kubernetes object name; base of the AWS name. */
  readonly name: string;
  readonly widgets: readonly GraphWidget[];
}

/**
 * A CloudWatch dashboard whose body is rendered from typed widgets, laid out
 * left to right, top to bottom on CloudWatch's 24-column grid.
 */
export class Dashboard extends Construct {
  readonly resource: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const problem =
      nameProblem(props.name, K8S_LABEL_NAME) ??
      (props.widgets.length > 0 ? undefined : 'widgets must not be empty') ??
      props.widgets.map((w) => (w.metrics.length > 0 ? undefined : `widget "${w.title}" has no metrics`)).find(Boolean) ??
      props.widgets.map((w) => (w.width === undefined || (w.width >= 1 && w.width <= 24) ? undefined : `widget "${w.title}" width ${w.width} must be 1-24`)).find(Boolean);
    if (problem) throw new ValidationError(problem, this);
    const { region } = awsContext(this);
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    const widgets = props.widgets.map((widget) => {
      const width = widget.width ?? 12;
      const height = widget.height ?? 6;
      if (x + width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const placed = {
        type: 'metric',
        x,
        y,
        width,
        height,
        properties: {
          title: widget.title,
          region: widget.region ?? region,
          view: 'timeSeries',
          metrics: widget.metrics.map((m) => [
            m.namespace,
            m.metricName,
            ...Object.entries(m.dimensions).flat(),
            { stat: m.statistic ?? 'Average', period: m.periodSeconds ?? 300 },
          ]),
        },
      };
      x += width;
      rowHeight = Math.max(rowHeight, height);
      return placed;
    });
    this.resource = new cloudwatch.Dashboard(this, 'Resource', {
      metadata: { name: props.name },
      spec: { dashboardName: physicalName(this, AWS_NAME_RULES.dashboard, props.name), dashboardBody: JSON.stringify({ widgets }) },
    });
  }
}
