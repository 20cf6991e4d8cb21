/**
 * Synth-time warnings: things that are legal but probably not intended, or a
 * step still waiting for a person (the SPEC asks for "a warning, not
 * silence"). Every ID is declared here with a one-line summary: synth prints
 * one line per ID (the summary and where it applies), `--verbose` every
 * message.
 */
import type { IConstruct } from 'constructs';

const WARNING = 'ack-systems:warning';

export const WARNING_SUMMARIES = {
  'S1-ACCEPTER-PENDING': 'the VPC peering waits for its accepter: put the connection ID into systems.vpc-peering.peeringConnectionID',
  'S1-NO-PAYMENT-ROUTE-TABLES': 'no payment route table routes to the analytics VPC',
  'S1-NO-ANALYTICS-ROUTE-TABLES': 'no analytics route table routes to the payment VPC',
  'ROUTE-TABLE-OWNED': 'ACK owns every route of an adopted route table and deletes the ones config does not list',
  'FLOW-LOG-PENDING': 'a VPC has no flow log until its ID is in config (network.vpcID)',
  'TARGET-GROUP-PENDING': 'nothing registers targets (ECS service, Auto Scaling group) until the target group ARN is in config',
  'S2-ALB-ALARM-PENDING': 'the load balancer alarms wait for its metric dimension (loadBalancer.metricDimension)',
  'S2-IMAGE-LATEST': 'the S2 image is not pinned',
  'API-ID-PENDING': 'the API cannot invoke its functions until its ID is in config (api.apiID)',
  'API-DOMAIN-RECORD-PENDING': 'the API custom domain has no DNS record until its regional target is in config',
  'API-DOMAIN-LOOKUP-GRANT': 'the operator looks up the API custom domain\'s regional target: grant its AWS role apigateway:GET on the domain',
  'S3-WAF-NOT-ASSOCIATED': 'the S3 web ACL protects nothing: AWS WAF cannot protect HTTP APIs',
  'S4-ALB-ALARM-PENDING': 'the S4 load balancers have no 5XX alarm until their dimension is in config (<side>.assigned.loadBalancerDimension)',
  'TRAIL-PENDING': 'no CloudTrail trail until its KMS key ARN is in config',
  'S4-COMPUTE-PENDING': 'no launch template and Auto Scaling group until the app subnets\' and security group\'s IDs and the target group ARN are in config',
  'DR-TABLE-REPLICA-PENDING': 'the DR global table has no replica until the DR data key ARN is in config (globalTable.drKeyARN)',
  'DR-FAILOVER-DNS-PENDING': 'no DR failover records until both regions\' API IDs and regional targets are in config',
  'DR-HEALTH-ALARM-PENDING': 'the DR health checks have no alarms until their IDs are in config (dns.healthCheckIDs)',
} as const;

export type WarningId = keyof typeof WARNING_SUMMARIES;

export interface Warning {
  readonly id: WarningId;
  readonly path: string;
  readonly message: string;
}

export function addWarning(scope: IConstruct, id: WarningId, message: string): void {
  scope.node.addMetadata(WARNING, { id, message });
}

/** Every warning recorded below `root`, in tree order. */
export function collectWarnings(root: IConstruct): Warning[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === WARNING)
      .map((entry) => ({ ...(entry.data as { id: WarningId; message: string }), path: construct.node.path })),
  );
}

/**
 * One line per warning ID: its summary, then where it applies
 * (`<environment>/<system>`, with a count when it applies several times there).
 */
export function groupWarnings(byEnvironment: readonly { readonly environment: string; readonly warnings: readonly Warning[] }[]): string[] {
  const places = new Map<WarningId, Map<string, number>>();
  for (const { environment, warnings } of byEnvironment) {
    for (const warning of warnings) {
      const place = `${environment}/${warning.path.split('/')[0]}`;
      const counts = places.get(warning.id) ?? new Map<string, number>();
      counts.set(place, (counts.get(place) ?? 0) + 1);
      places.set(warning.id, counts);
    }
  }
  return [...places].map(([id, counts]) => {
    const where = [...counts].map(([place, count]) => (count > 1 ? `${place} (${count})` : place)).join(', ');
    return `warning ${id}: ${WARNING_SUMMARIES[id]} — ${where}`;
  });
}
