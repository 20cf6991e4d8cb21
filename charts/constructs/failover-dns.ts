/**
 * DNS failover between two regional endpoints of one service: a hosted zone
 * (created, or adopted by ID), an HTTPS health check per region, and the two
 * failover alias records (PRIMARY, SECONDARY) under one name.
 */
import { Construct } from 'constructs';
import * as route53 from '../../imports/route53.services.k8s.aws';
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';
import { ValidationError } from '../../lib/errors';
import { dnsNameProblem, HOSTED_ZONE_ID_PATTERN } from '../../lib/validation/aws';
import { defer, type DeferredInput } from './late-binding';
import { RegionScope } from './region-scope';

/**
 * A regional endpoint: what its health check calls, and where its record
 * points. Both are values AWS assigns; until both regions have both, no
 * record is written (`pending` says what is missing).
 */
export interface FailoverEndpoint {
  /** Host the health check calls over HTTPS, the endpoint's own (never the failover name), e.g. `<api-id>.execute-api.<region>.amazonaws.com`. @default - unknown yet: no health check */
  readonly healthCheckHost?: string;
  /** The alias target (an API Gateway regional domain name and its hosted zone). @default - unknown yet: no records */
  readonly aliasTarget?: { readonly dnsName: string; readonly hostedZoneId: string };
  /**
   * The inputs of the CEL expressions (`${api.status.apiID}`) these values
   * hold when the operator fills them in (late binding): the health check and
   * the record are then DeferredObjects. @default - the values are literal
   */
  readonly inputs?: { readonly healthCheckHost?: readonly DeferredInput[]; readonly aliasTarget?: readonly DeferredInput[] };
}

export interface FailoverDnsProps {
  /** Kubernetes name prefix. */
  readonly name: string;
  /** The name clients resolve, inside `zoneName`. */
  readonly recordName: string;
  /** The public zone's domain. */
  readonly zoneName: string;
  /** An existing zone to adopt. @default - the zone is created */
  readonly hostedZoneId?: string;
  readonly primary: FailoverEndpoint;
  readonly secondary: FailoverEndpoint;
  /** @default /health */
  readonly healthCheckPath?: string;
  /** Seconds between checks: 10 or 30 (AWS cannot change it later; ACK silently keeps the first). @default 30 */
  readonly intervalSeconds?: 10 | 30;
  /** Failed checks in a row before an endpoint is unhealthy (1-10). @default 3 */
  readonly failureThreshold?: number;
  /**
   * Alarms (name and region) that decide each side's record instead of its
   * HTTPS check: the failover controller feeds them (research dr.md §4, §7:
   * traffic then moves without Route 53's control plane, which lives in
   * us-east-1). A side's record then needs only its alias target. The HTTPS
   * checks stay, for their alarms.
   * @default - the records follow the HTTPS checks
   */
  readonly trafficControl?: Readonly<Record<'primary' | 'secondary', { readonly alarmName: string; readonly region: string }>>;
}

/**
 * Route 53 answers with the primary while its check passes, else with the
 * secondary while the secondary's passes (a secondary without a check would
 * be returned even when it is down; with both down Route 53 answers the
 * primary). Health checks call each endpoint's own host, with SNI, on the
 * path the service answers only when it works. The records are aliases with
 * `evaluateTargetHealth` (required for failover aliases), so they have no TTL.
 *
 * Health checks and records are global (Route 53) and are written in
 * us-east-1, where Route 53's control plane and its `HealthCheckStatus`
 * metric live. ACK finds a zone and a health check only by the ID in their
 * status (route53-controller v1.5.2): a restored object without status
 * creates a duplicate, so an existing zone is adopted by ID.
 */
export class FailoverDns extends Construct {
  readonly hostedZone: route53.HostedZone;
  readonly healthChecks: { readonly primary?: route53.HealthCheck; readonly secondary?: route53.HealthCheck };
  /** The checks the records follow when traffic is controlled by alarms. */
  readonly controlChecks?: { readonly primary: route53.HealthCheck; readonly secondary: route53.HealthCheck };
  readonly records?: { readonly primary: route53.RecordSet; readonly secondary: route53.RecordSet };
  /** What the records still wait for, e.g. `primary.aliasTarget`. */
  readonly pending: readonly string[];

  constructor(scope: Construct, id: string, props: FailoverDnsProps) {
    super(scope, id);
    const zone = props.zoneName.replace(/\.$/, '');
    const path = props.healthCheckPath ?? '/health';
    const interval = props.intervalSeconds ?? 30;
    const threshold = props.failureThreshold ?? 3;
    const problem =
      dnsNameProblem('zoneName', zone) ??
      dnsNameProblem('recordName', props.recordName) ??
      (props.recordName.endsWith(`.${zone}`) ? undefined : `recordName ${props.recordName} is not inside zoneName ${zone}`) ??
      (props.hostedZoneId === undefined || HOSTED_ZONE_ID_PATTERN.test(props.hostedZoneId) ? undefined : `hostedZoneId "${props.hostedZoneId}" is not a Route 53 hosted zone ID`) ??
      (/^\/[\w./-]*$/.test(path) ? undefined : `healthCheckPath "${path}" must start with /`) ??
      ([10, 30].includes(interval) ? undefined : `intervalSeconds ${interval} must be 10 or 30`) ??
      (Number.isInteger(threshold) && threshold >= 1 && threshold <= 10 ? undefined : `failureThreshold ${threshold} must be 1-10`);
    if (problem) throw new ValidationError(problem, this);

    const global = new RegionScope(this, 'Global', { region: 'us-east-1' });
    this.hostedZone = new route53.HostedZone(global, 'Zone', {
      metadata: {
        name: `${props.name}-zone`,
        // An organisation's zone outlives this system; a created one holds records others may add.
        // `adopt`, not `adopt-or-create`: a wrong ID must fail, not create a second zone of the same name.
        annotations: {
          [ACK_ANNOTATIONS.deletionPolicy]: 'retain',
          ...(props.hostedZoneId ? { [ACK_ANNOTATIONS.adoptionPolicy]: 'adopt', [ACK_ANNOTATIONS.adoptionFields]: JSON.stringify({ id: props.hostedZoneId }) } : {}),
        },
      },
      spec: { name: `${zone}.`, hostedZoneConfig: { comment: `${props.name}: failover between two regions`, privateZone: false } },
    });
    const check = (role: 'primary' | 'secondary', host: string) => {
      const healthCheck = new route53.HealthCheck(global, `${role}HealthCheck`, {
        metadata: { name: `${props.name}-${role}` },
        spec: {
          healthCheckConfig: { type: 'HTTPS', fullyQualifiedDomainName: host, port: 443, resourcePath: path, enableSni: true, requestInterval: interval, failureThreshold: threshold },
        },
      });
      const inputs = props[role].inputs?.healthCheckHost;
      if (inputs?.length) defer(healthCheck, inputs);
      return healthCheck;
    };
    this.healthChecks = {
      primary: props.primary.healthCheckHost ? check('primary', props.primary.healthCheckHost) : undefined,
      secondary: props.secondary.healthCheckHost ? check('secondary', props.secondary.healthCheckHost) : undefined,
    };
    const control = props.trafficControl;
    if (control) {
      const controlCheck = (role: 'primary' | 'secondary') =>
        new route53.HealthCheck(global, `${role}ControlCheck`, {
          metadata: { name: `${props.name}-${role}-control` },
          spec: {
            healthCheckConfig: {
              type: 'CLOUDWATCH_METRIC',
              alarmIdentifier: { name: control[role].alarmName, region: control[role].region },
              // While the controller publishes nothing, keep the last decision rather than flap.
              insufficientDataHealthStatus: 'LastKnownStatus',
            },
          },
        });
      this.controlChecks = { primary: controlCheck('primary'), secondary: controlCheck('secondary') };
    }
    this.pending = (['primary', 'secondary'] as const).flatMap((role) => [
      ...(props[role].healthCheckHost || control ? [] : [`${role}.healthCheckHost`]),
      ...(props[role].aliasTarget ? [] : [`${role}.aliasTarget`]),
    ]);
    if (this.pending.length > 0) return;
    // A failover pair needs both records, each with its check: one alone would never fail over.
    const record = (role: 'primary' | 'secondary') => {
      const recordSet = new route53.RecordSet(global, `${role}Record`, {
        metadata: { name: `${props.name}-${role}` },
        spec: {
          hostedZoneRef: { from: { name: this.hostedZone.name } },
          name: `${props.recordName}.`,
          recordType: 'A',
          setIdentifier: role,
          failover: role === 'primary' ? 'PRIMARY' : 'SECONDARY',
          healthCheckRef: { from: { name: (this.controlChecks ?? this.healthChecks)[role]!.name } },
          aliasTarget: { ...props[role].aliasTarget!, evaluateTargetHealth: true },
        },
      });
      const inputs = props[role].inputs?.aliasTarget;
      if (inputs?.length) defer(recordSet, inputs);
      return recordSet;
    };
    this.records = { primary: record('primary'), secondary: record('secondary') };
  }
}
