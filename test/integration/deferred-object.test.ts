/**
 * The DeferredObject controller (R-O6) against a real kube-apiserver with the
 * ACK CRDs, run in-process under the chart's ServiceAccount (its RBAC is the
 * chart's): the test plays the ACK controllers by writing the status fields
 * AWS assigns, and sees the rendered objects appear, change and go. The one
 * AWS lookup is mocked at the SDK boundary with aws-sdk-client-mock. Each test
 * has its own namespace.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { ApiGatewayV2Client, GetDomainNameCommand } from '@aws-sdk/client-apigatewayv2';
import { mockClient } from 'aws-sdk-client-mock';
import { HttpMethod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { REPO_ROOT } from '../../lib/paths';
import { ackType as ack } from '../../operator/ack-types';
import { ApiClient, collectionPath, isStatus, objectPath, type ResourceType } from '../../operator/runtime/api-client';
import { DEFERRED_OBJECT_TYPE, type DeferredObject } from '../../operator/deferred-object/crd';
import { SLOW_RETRY_MS } from '../../operator/deferred-object/reconciler';
import { DEFERRED_FIELD_MANAGER } from '../../operator/identity';
import { eventually, installOperator, operatorServiceAccount, startOperatorInProcess, type InProcessOperator } from '../support/operator';
import { kubectl, useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane();
const apigateway = mockClient(ApiGatewayV2Client);
const ec2 = (kind: string, plural: string) => ack('ec2', kind, plural);
const VPC = ec2('VPC', 'vpcs');
const FLOW_LOG = ec2('FlowLog', 'flowlogs');
const SUBNET = ec2('Subnet', 'subnets');
const RECORD_SET = ack('route53', 'RecordSet', 'recordsets');

let admin: ApiClient;
let running: InProcessOperator;
let kubeConfig: ReturnType<typeof operatorServiceAccount>['kubeConfig'];

beforeAll(async () => {
  installOperator(controlPlane());
  admin = new ApiClient(controlPlane().admin.kubeConfig);
  kubeConfig = operatorServiceAccount(controlPlane()).kubeConfig;
  running = await startOperatorInProcess(kubeConfig, 'debug');
}, 120_000);

afterAll(async () => {
  await running?.stop();
});

beforeEach(() => {
  apigateway.reset();
});

async function namespace(name: string): Promise<void> {
  await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
const vpc = (ns: string, name: string) => admin.create(collectionPath(VPC, ns), { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', metadata: { name, namespace: ns }, spec: { cidrBlocks: ['10.0.0.0/16'] } });
const vpcStatus = (ns: string, name: string, vpcID: string) =>
  admin.request(HttpMethod.PATCH, `${objectPath(VPC, ns, name)}/status`, { body: { status: { vpcID } }, contentType: 'application/merge-patch+json' });
const flowLogTemplate = (resourceID = '${vpc.status.vpcID}') => ({
  apiVersion: 'ec2.services.k8s.aws/v1alpha1',
  kind: 'FlowLog',
  metadata: { name: 'payment-vpc-flow-log', labels: { app: 'payments' } },
  spec: { resourceID, resourceType: 'VPC', trafficType: 'ALL', logDestinationType: 'cloud-watch-logs', logGroupName: '/flow-logs/${vpc.metadata.name}' },
});
const deferred = (ns: string, name: string, spec: object) =>
  admin.create<DeferredObject>(collectionPath(DEFERRED_OBJECT_TYPE, ns), { apiVersion: 'ack-systems.io/v1alpha1', kind: 'DeferredObject', metadata: { name, namespace: ns }, spec } as never);
const vpcInput = (name = 'payment-vpc') => ({ name: 'vpc', object: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', name } });
const statusOf = async (ns: string, name: string) => (await admin.get<DeferredObject>(objectPath(DEFERRED_OBJECT_TYPE, ns, name))).status;
const condition = async (ns: string, name: string, type: string) => (await statusOf(ns, name))?.conditions?.find((c) => c.type === type);
const getOrUndefined = (path: string) => admin.get<any>(path).catch((error: unknown) => (isStatus(error, 404) ? undefined : Promise.reject(error)));
const reasons = async (ns: string) => (await admin.list<any>(`/api/v1/namespaces/${ns}/events`)).items.map((e) => e.reason as string);
const reconciles = (ns: string, name: string) => running.logs.filter((line) => line.msg === 'reconciled' && line.key === `${ns}/${name}` && line.controller === 'deferredobject').length;

/** A system's committed `dist/dev/` file: its objects, its namespace, and a server-side apply of it as a user would. */
function committedSystem(system: string) {
  const file = join(REPO_ROOT, 'dist', 'dev', `${system}.k8s.yaml`);
  const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS());
  const ns: string = objects.find((o) => o.kind === 'Namespace').metadata.name;
  const apply = () => kubectl(controlPlane(), ['apply', '--server-side', '--field-manager=ack-systems', '-f', file]);
  return { objects, ns, apply };
}

/**
 * One round of playing the ACK controllers: writes what AWS assigned into the status of every
 * object of these kinds that lacks it (objects rendered since the last round included); true
 * once every named DeferredObject is Ready.
 */
async function convergeWithAssigned(ns: string, assigned: readonly [ResourceType, (name: string) => object][], deferredNames: readonly string[]): Promise<true | undefined> {
  for (const [resource, status] of assigned) {
    for (const object of (await admin.list<any>(collectionPath(resource, ns))).items) {
      if (object.status && Object.keys(status(object.metadata.name)).every((key) => key in object.status)) continue;
      await admin.request(HttpMethod.PATCH, `${objectPath(resource, ns, object.metadata.name)}/status`, { body: { status: status(object.metadata.name) }, contentType: 'application/merge-patch+json' });
    }
  }
  const ready = await Promise.all(deferredNames.map(async (name) => (await condition(ns, name, 'Ready'))?.status === 'True'));
  return ready.every(Boolean) || undefined;
}

describe('DeferredObject (R-O6)', () => {
  test('R-O6 the rendered object appears once its input resolves, owned by the DeferredObject, follows the input, and goes with it', async () => {
    const ns = 'dfo-flow';
    await namespace(ns);
    await vpc(ns, 'payment-vpc');
    await deferred(ns, 'flowlog-payment-vpc', { inputs: [vpcInput()], template: flowLogTemplate() });
    const waiting = await eventually('waiting', async () => ((await condition(ns, 'flowlog-payment-vpc', 'Resolved'))?.reason === 'Waiting' ? statusOf(ns, 'flowlog-payment-vpc') : undefined));
    expect(waiting!.waitingFor).toEqual(['template.spec.resourceID: ${vpc.status.vpcID} waits: field not found: status']);
    expect(await getOrUndefined(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log'))).toBeUndefined();

    await vpcStatus(ns, 'payment-vpc', 'vpc-0123456789abcdef0');
    const flowLog = await eventually('rendered', () => getOrUndefined(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log')));
    expect(flowLog.spec).toMatchObject({ resourceID: 'vpc-0123456789abcdef0', logGroupName: '/flow-logs/payment-vpc' });
    expect(flowLog.metadata.labels).toEqual({ app: 'payments' });
    const owner = await admin.get<DeferredObject>(objectPath(DEFERRED_OBJECT_TYPE, ns, 'flowlog-payment-vpc'));
    expect(flowLog.metadata.ownerReferences).toEqual([{ apiVersion: 'ack-systems.io/v1alpha1', kind: 'DeferredObject', name: 'flowlog-payment-vpc', uid: owner.metadata!.uid, controller: true }]);
    expect(flowLog.metadata.managedFields.map((f: { manager: string }) => f.manager)).toEqual([DEFERRED_FIELD_MANAGER]);
    // The finalizer is the operator's field too: Argo CD ignores it with the generated ignoreDifferences.
    expect((owner.metadata!.managedFields as any[]).find((f) => f.manager === DEFERRED_FIELD_MANAGER)?.fieldsV1?.['f:metadata']?.['f:finalizers']).toBeDefined();
    await eventually('ready', async () => (await condition(ns, 'flowlog-payment-vpc', 'Ready'))?.status === 'True');
    expect((await statusOf(ns, 'flowlog-payment-vpc'))!.waitingFor).toBeUndefined();
    await eventually('Applied event', async () => (await reasons(ns)).includes('Applied'));

    // The input changes (a VPC replaced): the object follows.
    await vpcStatus(ns, 'payment-vpc', 'vpc-0fedcba9876543210');
    await eventually('updated', async () => (await admin.get<any>(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log'))).spec.resourceID === 'vpc-0fedcba9876543210');

    // Deleting the DeferredObject deletes what it rendered (the finalizer; no garbage collector runs here).
    await admin.delete(objectPath(DEFERRED_OBJECT_TYPE, ns, 'flowlog-payment-vpc'));
    await eventually('rendered object deleted', async () => (await getOrUndefined(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log'))) === undefined);
    await eventually('DeferredObject gone', async () => (await getOrUndefined(objectPath(DEFERRED_OBJECT_TYPE, ns, 'flowlog-payment-vpc'))) === undefined);
  }, 90_000);

  test('R-O6 an input that never appears is reported by name; an input change that renders the same object writes nothing', async () => {
    const ns = 'dfo-missing';
    await namespace(ns);
    await deferred(ns, 'flowlog-a', { inputs: [vpcInput('no-such-vpc')], template: flowLogTemplate() });
    await eventually('waiting for the VPC', async () => (await statusOf(ns, 'flowlog-a'))?.waitingFor?.[0] === 'vpc: VPC no-such-vpc not found');
    expect((await condition(ns, 'flowlog-a', 'Ready'))).toMatchObject({ status: 'False', reason: 'Waiting', message: 'waiting for vpc: VPC no-such-vpc not found' });

    await vpc(ns, 'no-such-vpc');
    await vpcStatus(ns, 'no-such-vpc', 'vpc-1');
    const rendered = await eventually('rendered', () => getOrUndefined(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log')));
    await eventually('ready', async () => (await condition(ns, 'flowlog-a', 'Ready'))?.status === 'True');
    // ACK writing the VPC's conditions changes the input but not the rendering: no apply.
    const before = reconciles(ns, 'flowlog-a');
    await admin.request(HttpMethod.PATCH, `${objectPath(VPC, ns, 'no-such-vpc')}/status`, { body: { status: { state: 'available' } }, contentType: 'application/merge-patch+json' });
    await eventually('reconciled after the input change', () => reconciles(ns, 'flowlog-a') > before);
    expect((await admin.get<any>(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log'))).metadata.resourceVersion).toBe(rendered.metadata.resourceVersion);
  }, 90_000);

  test('R-O6 a bad expression, a kind the operator may not write, and a cycle are reported, not retried hot', async () => {
    const ns = 'dfo-refused';
    await namespace(ns);
    await vpc(ns, 'payment-vpc');
    await vpcStatus(ns, 'payment-vpc', 'vpc-1');
    await deferred(ns, 'bad-expression', { inputs: [vpcInput()], template: flowLogTemplate('${vpc.status.vpcID +}') });
    await deferred(ns, 'forbidden', { inputs: [vpcInput()], template: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'Subnet', metadata: { name: 's' }, spec: { vpcID: '${vpc.status.vpcID}', cidrBlock: '10.0.0.0/24' } } });
    // Two objects each waiting for what the other renders.
    const record = (name: string, reads: string) => ({
      inputs: [{ name: 'other', object: { apiVersion: 'route53.services.k8s.aws/v1alpha1', kind: 'RecordSet', name: reads } }],
      template: { apiVersion: 'route53.services.k8s.aws/v1alpha1', kind: 'RecordSet', metadata: { name }, spec: { name: '${other.spec.name}', recordType: 'CNAME' } },
    });
    // The first waits for an input before the second closes the cycle: the cycle must reach it too.
    await deferred(ns, 'cycle-a', record('a', 'b'));
    await eventually('cycle-a waiting', async () => (await condition(ns, 'cycle-a', 'Resolved'))?.reason === 'Waiting');
    await deferred(ns, 'cycle-b', record('b', 'a'));

    const invalid = await eventually('invalid', async () => ((await condition(ns, 'bad-expression', 'Resolved'))?.reason === 'InvalidExpression' ? condition(ns, 'bad-expression', 'Resolved') : undefined));
    expect(invalid!.message).toMatch(/^fix the template: template\.spec\.resourceID: /);
    const forbidden = await eventually('forbidden', async () => ((await condition(ns, 'forbidden', 'Applied'))?.reason === 'Forbidden' ? condition(ns, 'forbidden', 'Applied') : undefined));
    expect(forbidden!.message).toContain('the operator may not write Subnet (ec2.services.k8s.aws)');
    const cycle = await eventually('cycle', async () => ((await condition(ns, 'cycle-a', 'Resolved'))?.reason === 'Cycle' ? condition(ns, 'cycle-a', 'Resolved') : undefined));
    expect(cycle!.message).toBe('inputs go round in a cycle, so none can render: cycle-a → cycle-b → cycle-a');
    expect(await getOrUndefined(objectPath(SUBNET, ns, 's'))).toBeUndefined();
    expect(await getOrUndefined(objectPath(RECORD_SET, ns, 'a'))).toBeUndefined();
    await eventually('Warning events', async () => {
      const seen = await reasons(ns);
      return ['InvalidExpression', 'Forbidden', 'Cycle'].every((reason) => seen.includes(reason));
    });
    // Not retried hot: each reconcile that reported them ended without an error retry; the refused
    // apply comes back only after SLOW_RETRY_MS, the others only on a change of their spec.
    const last = (name: string) => running.logs.filter((line) => line.controller === 'deferredobject' && line.key === `${ns}/${name}` && (line.msg === 'reconciled' || line.msg === 'reconcile failed; retrying')).at(-1);
    expect(['bad-expression', 'forbidden', 'cycle-a'].map((name) => [last(name)?.msg, last(name)?.requeueAfterMs])).toEqual([
      ['reconciled', undefined],
      ['reconciled', SLOW_RETRY_MS],
      ['reconciled', undefined],
    ]);
  }, 90_000);

  test('R-O6 an AWS lookup as input: an API Gateway domain\'s regional target becomes a Route 53 alias record', async () => {
    const ns = 'dfo-domain';
    await namespace(ns);
    apigateway.on(GetDomainNameCommand, { DomainName: 'api.example.com' }).resolves({ DomainNameConfigurations: [{ ApiGatewayDomainName: 'd-abc123.execute-api.us-east-1.amazonaws.com', HostedZoneId: 'Z1UJRXOUMOOFQ8' }] });
    await deferred(ns, 'recordset-api', {
      inputs: [{ name: 'domain', apiGatewayDomainName: { region: 'us-east-1', domainName: 'api.example.com' } }],
      template: {
        apiVersion: 'route53.services.k8s.aws/v1alpha1',
        kind: 'RecordSet',
        metadata: { name: 'api' },
        spec: { name: 'api.example.com.', recordType: 'A', hostedZoneID: 'Z0000000000000000000', aliasTarget: { dnsName: '${domain.regionalDomainName}', hostedZoneID: '${domain.regionalHostedZoneId}', evaluateTargetHealth: false } },
      },
    });
    const record = await eventually('rendered', () => getOrUndefined(objectPath(RECORD_SET, ns, 'api')));
    expect(record.spec.aliasTarget).toEqual({ dnsName: 'd-abc123.execute-api.us-east-1.amazonaws.com', hostedZoneID: 'Z1UJRXOUMOOFQ8', evaluateTargetHealth: false });
    expect(apigateway.commandCalls(GetDomainNameCommand).map((call) => call.args[0].input)).toContainEqual({ DomainName: 'api.example.com' });
  }, 90_000);

  test('R-O6 a new leader re-renders nothing: the object applied before is left as it is', async () => {
    const ns = 'dfo-leader';
    await namespace(ns);
    await vpc(ns, 'payment-vpc');
    await vpcStatus(ns, 'payment-vpc', 'vpc-1');
    await deferred(ns, 'flowlog-payment-vpc', { inputs: [vpcInput()], template: flowLogTemplate() });
    await eventually('ready', async () => (await condition(ns, 'flowlog-payment-vpc', 'Ready'))?.status === 'True');
    const first = await admin.get<any>(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log'));
    const successor = await startOperatorInProcess(kubeConfig, 'debug');
    try {
      await eventually('the successor reconciled it', () => successor.logs.some((line) => line.msg === 'reconciled' && line.key === `${ns}/flowlog-payment-vpc`));
      const after = await admin.get<any>(objectPath(FLOW_LOG, ns, 'payment-vpc-flow-log'));
      expect([after.metadata.uid, after.metadata.resourceVersion]).toEqual([first.metadata.uid, first.metadata.resourceVersion]);
      expect((await admin.list<any>(collectionPath(FLOW_LOG, ns))).items).toHaveLength(1);
    } finally {
      await successor.stop();
    }
  }, 90_000);

  test('R-O6 dist/dev/dr.k8s.yaml converges in one apply: as ACK reports what AWS assigned, every DeferredObject renders with those values; re-applying dist/ changes none of them', async () => {
    const { objects, ns, apply } = committedSystem('dr');
    const deferredNames = objects.filter((o) => o.kind === 'DeferredObject').map((o) => o.metadata.name as string);
    expect(deferredNames.length).toBeGreaterThanOrEqual(10);
    apigateway.on(GetDomainNameCommand).resolves({ DomainNameConfigurations: [{ ApiGatewayDomainName: 'd-late123.execute-api.us-east-1.amazonaws.com', HostedZoneId: 'Z1UJRXOUMOOFQ8' }] });
    expect(apply().status).toBe(0);

    // Play the ACK controllers: write what AWS assigned into the status of every object that has it (health checks once rendered).
    const assigned: [ResourceType, (name: string) => object][] = [
      [VPC, (name) => ({ vpcID: `vpc-${name.replace(/[^a-z]/g, '').slice(0, 8)}` })],
      [ack('apigatewayv2', 'API', 'apis'), (name) => ({ apiID: name.startsWith('primary') ? 'p1late0001' : 'd1late0002' })],
      [ack('kms', 'Key', 'keys'), (name) => ({ ackResourceMetadata: { arn: `arn:aws:kms:us-east-2:111111111111:key/${name}`, ownerAccountID: '111111111111', region: 'us-east-2' } })],
      [ack('route53', 'HealthCheck', 'healthchecks'), (name) => ({ id: `hc-${name}` })],
    ];
    await eventually('every DeferredObject Ready', () => convergeWithAssigned(ns, assigned, deferredNames), 60_000);

    const rendered = (resource: ResourceType, name: string) => admin.get<any>(objectPath(resource, ns, name));
    expect((await rendered(FLOW_LOG, 'dr-flow-log')).spec.resourceID).toBe('vpc-drvpc');
    expect((await rendered(ack('dynamodb', 'Table', 'tables'), 'payment-transactions')).spec.tableReplicas[0].kmsMasterKeyID).toBe('arn:aws:kms:us-east-2:111111111111:key/dr-data');
    expect((await rendered(ack('route53', 'HealthCheck', 'healthchecks'), 'payment-api-secondary')).spec.healthCheckConfig.fullyQualifiedDomainName).toBe('d1late0002.execute-api.us-east-2.amazonaws.com');
    expect((await rendered(ack('cloudwatch', 'MetricAlarm', 'metricalarms'), 'dr-endpoint-unhealthy')).spec.dimensions).toEqual([{ name: 'HealthCheckId', value: 'hc-payment-api-secondary' }]);
    expect((await rendered(RECORD_SET, 'payment-api-secondary')).spec.aliasTarget.dnsName).toBe('d-late123.execute-api.us-east-1.amazonaws.com');
    expect((await rendered(ack('lambda', 'Alias', 'aliases'), 'dr-payment-processor-live')).spec.permissions[0].sourceARN).toMatch(/:d1late0002\/\*$/);

    // A GitOps re-apply of dist/: the DeferredObjects do not change, and nothing rendered is touched.
    const versions = async () =>
      Promise.all(
        deferredNames.map(async (name) => {
          const object = await admin.get<DeferredObject>(objectPath(DEFERRED_OBJECT_TYPE, ns, name));
          return [name, object.metadata!.generation, object.status!.rendered!.hash];
        }),
      );
    const renderedVersions = async () =>
      Promise.all(
        deferredNames.map(async (name) => {
          const object = await admin.get<DeferredObject>(objectPath(DEFERRED_OBJECT_TYPE, ns, name));
          const { apiVersion, kind } = object.spec.template;
          return (await admin.get<any>(`/apis/${apiVersion}/namespaces/${ns}/${ACK_KINDS[`${apiVersion}/${kind}`].plural}/${object.status!.rendered!.name}`)).metadata.resourceVersion;
        }),
      );
    // An unchanged spec keeps each DeferredObject's generation, so the operator has nothing to redo.
    const [beforeObjects, beforeRendered] = [await versions(), await renderedVersions()];
    expect(apply().status).toBe(0);
    expect([await versions(), await renderedVersions()]).toEqual([beforeObjects, beforeRendered]);
  }, 120_000);

  test('R-O6 S1 dist/dev/vpc-peering.k8s.yaml converges in one apply: the accepter adopts the ID ACK reports for the requester, the requester then accepts, and the routes follow the accepter', async () => {
    const { objects, ns, apply } = committedSystem('vpc-peering');
    const PEERING = ec2('VPCPeeringConnection', 'vpcpeeringconnections');
    const ROUTE_TABLE = ec2('RouteTable', 'routetables');
    expect(apply().status).toBe(0);

    // First the requester, not accepting: nothing can accept it yet.
    const requester = await eventually('requester rendered', () => getOrUndefined(objectPath(PEERING, ns, 'payment-analytics-peering')));
    expect(requester.spec.acceptRequest).toBe(false);
    expect(await getOrUndefined(objectPath(PEERING, ns, 'payment-analytics-peering-accepter'))).toBeUndefined();
    // ACK creates the request and reports its ID: the accepter adopts exactly that connection, and the requester now accepts.
    await admin.request(HttpMethod.PATCH, `${objectPath(PEERING, ns, 'payment-analytics-peering')}/status`, { body: { status: { vpcPeeringConnectionID: 'pcx-0late0000000001' } }, contentType: 'application/merge-patch+json' });
    const accepter = await eventually('accepter rendered', () => getOrUndefined(objectPath(PEERING, ns, 'payment-analytics-peering-accepter')));
    expect(JSON.parse(accepter.metadata.annotations['services.k8s.aws/adoption-fields'])).toEqual({ vpcPeeringConnectionID: 'pcx-0late0000000001' });
    await eventually('requester accepts', async () => (await admin.get<any>(objectPath(PEERING, ns, 'payment-analytics-peering'))).spec.acceptRequest === true);
    expect((await admin.list<any>(collectionPath(ROUTE_TABLE, ns))).items).toEqual([]);
    // The accepter adopted the connection: the routes through it appear.
    await admin.request(HttpMethod.PATCH, `${objectPath(PEERING, ns, 'payment-analytics-peering-accepter')}/status`, { body: { status: { vpcPeeringConnectionID: 'pcx-0late0000000001' } }, contentType: 'application/merge-patch+json' });
    const tables = await eventually('route tables rendered', async () => {
      const items = (await admin.list<any>(collectionPath(ROUTE_TABLE, ns))).items;
      return items.length === objects.filter((o) => o.kind === 'DeferredObject' && o.spec.template.kind === 'RouteTable').length ? items : undefined;
    });
    for (const table of tables!) {
      expect(table.metadata.annotations['ack-systems.io/routes-through']).toBe('pcx-0late0000000001');
      expect(table.spec.routes.some((r: any) => r.vpcPeeringConnectionRef?.from?.name === 'payment-analytics-peering')).toBe(true);
    }
  }, 120_000);

  test('R-O6 S2 dist/dev/payment-processing.k8s.yaml: the operator hands the target group over once AWS created it, and only then creates the ECS service', async () => {
    const { ns, apply } = committedSystem('payment-processing');
    const TARGET_GROUP = ack('elbv2', 'TargetGroup', 'targetgroups');
    const SERVICE = ack('ecs', 'Service', 'services');
    expect(apply().status).toBe(0);
    // The group first exists writable, so that ACK can create it; no service yet.
    const group = await eventually('target group rendered', () => getOrUndefined(objectPath(TARGET_GROUP, ns, 'payment-alb-targets')));
    expect(group.metadata.annotations['services.k8s.aws/read-only']).toBe('false');
    await eventually('service waiting', async () => (await statusOf(ns, 'service-payment-api'))?.waitingFor?.[0]?.includes('waits: no such key') || (await statusOf(ns, 'service-payment-api'))?.waitingFor?.[0]?.includes('is null'));
    expect(await getOrUndefined(objectPath(SERVICE, ns, 'payment-api'))).toBeUndefined();
    // ACK reports the group created: it becomes read-only, then the service appears.
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/payment-alb-tg-dev/0123456789abcdef';
    await admin.request(HttpMethod.PATCH, `${objectPath(TARGET_GROUP, ns, 'payment-alb-targets')}/status`, {
      body: { status: { ackResourceMetadata: { arn, ownerAccountID: '111111111111', region: 'us-east-1' } } },
      contentType: 'application/merge-patch+json',
    });
    await eventually('read-only', async () => (await admin.get<any>(objectPath(TARGET_GROUP, ns, 'payment-alb-targets'))).metadata.annotations['services.k8s.aws/read-only'] === 'true');
    const service = await eventually('service rendered', () => getOrUndefined(objectPath(SERVICE, ns, 'payment-api')));
    expect(service.metadata.annotations['ack-systems.io/target-group-read-only']).toBe(arn);
    expect(service.spec.loadBalancers[0].targetGroupRef).toEqual({ from: { name: 'payment-alb-targets' } });
  }, 120_000);

  test('R-O6 S4 dist/dev/multi-region-app.k8s.yaml converges in one apply: the launch templates, Auto Scaling groups (after their target groups are handed over), trail and load balancer alarms render with what AWS assigned', async () => {
    const { objects, ns, apply } = committedSystem('multi-region-app');
    const deferredNames = objects.filter((o) => o.kind === 'DeferredObject').map((o) => o.metadata.name as string);
    expect(deferredNames.length).toBeGreaterThanOrEqual(10);
    expect(apply().status).toBe(0);
    const arn = (service: string, resource: string) => `arn:aws:${service}:ap-south-1:111111111111:${resource}`;
    // What ACK reports once AWS created each object (no ACK.ResourceSynced: the gap controllers keep waiting, AWS is not called).
    const assigned: [ResourceType, (name: string) => object][] = [
      [VPC, (name) => ({ vpcID: `vpc-${name.replace(/[^a-z]/g, '').slice(0, 8)}` })],
      [SUBNET, (name) => ({ subnetID: `subnet-${name.replace(/[^a-z]/g, '').slice(-8)}` })],
      [ec2('SecurityGroup', 'securitygroups'), (name) => ({ id: `sg-${name.replace(/[^a-z]/g, '').slice(0, 8)}` })],
      [ack('kms', 'Key', 'keys'), (name) => ({ ackResourceMetadata: { arn: arn('kms', `key/${name}`), ownerAccountID: '111111111111', region: 'ap-south-1' } })],
      [ack('elbv2', 'LoadBalancer', 'loadbalancers'), (name) => ({ ackResourceMetadata: { arn: arn('elasticloadbalancing', `loadbalancer/app/${name}/50dc6c495c0c9188`), ownerAccountID: '111111111111', region: 'ap-south-1' } })],
      [ack('elbv2', 'TargetGroup', 'targetgroups'), (name) => ({ ackResourceMetadata: { arn: arn('elasticloadbalancing', `targetgroup/${name}/0123456789abcdef`), ownerAccountID: '111111111111', region: 'ap-south-1' } })],
    ];
    await eventually('every DeferredObject Ready', () => convergeWithAssigned(ns, assigned, deferredNames), 60_000);
    const rendered = (resource: ResourceType, name: string) => admin.get<any>(objectPath(resource, ns, name));
    const group = await rendered(ack('autoscaling', 'AutoScalingGroup', 'autoscalinggroups'), 'primary-app');
    expect(group.spec).toMatchObject({ vpcZoneIdentifier: 'subnet-privatea,subnet-privateb', targetGroupARNs: [arn('elasticloadbalancing', 'targetgroup/primary-web-targets/0123456789abcdef')] });
    expect((await rendered(ack('elbv2', 'TargetGroup', 'targetgroups'), 'primary-web-targets')).metadata.annotations['services.k8s.aws/read-only']).toBe('true');
    expect((await rendered(ec2('LaunchTemplate', 'launchtemplates'), 'primary-app')).spec.data.securityGroupIDs).toEqual(['sg-primarya']);
    expect((await rendered(ack('cloudtrail', 'Trail', 'trails'), 'audit-trail')).spec.kmsKeyID).toBe(arn('kms', 'key/primary-data'));
    expect((await rendered(ack('cloudwatch', 'MetricAlarm', 'metricalarms'), 'primary-alb-5xx')).spec.dimensions).toEqual([{ name: 'LoadBalancer', value: 'app/primary-web/50dc6c495c0c9188' }]);
  }, 120_000);

  test.each([
    ['two inputs of one name', (spec: any) => spec.inputs.push(spec.inputs[0]), 'input names must be unique'],
    ['an input with two sources', (spec: any) => (spec.inputs[0].apiGatewayDomainName = { region: 'us-east-1', domainName: 'a.example.com' }), 'an input reads exactly one source'],
    ['a reserved word as input name', (spec: any) => (spec.inputs[0].name = 'in'), 'must not be a CEL reserved word'],
    ['a template without a name', (spec: any) => delete spec.template.metadata.name, 'spec.template.metadata.name'],
  ])('R-O6 R-O4 CEL and schema reject %s', async (_, edit, message) => {
    const spec: any = { inputs: [vpcInput()], template: flowLogTemplate() };
    edit(spec);
    const result = kubectl(controlPlane(), ['create', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'ack-systems.io/v1alpha1', kind: 'DeferredObject', metadata: { name: 'bad', namespace: 'default' }, spec }),
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
