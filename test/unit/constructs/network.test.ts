import { describe, expect, test } from '@jest/globals';
import { Network, type NetworkProps } from '../../../charts/constructs/network';
import { collectWarnings } from '../../../lib/warnings';
import { configMode, deferredOf, inlineStatements, manifest, ofKind, synthWith, testChart } from '../../support/fixtures';

const base: NetworkProps = {
  name: 'app',
  cidr: '10.0.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  subnets: { public: 24, private: 20, isolated: 24 },
  flowLogs: { retentionDays: 30 },
  vpcId: 'vpc-0123456789abcdef0',
};
const synth = (override: Partial<NetworkProps> = {}) => synthWith((chart) => new Network(chart, 'Network', { ...base, ...override }));

describe('Network', () => {
  test('S2 subnets per tier per zone, packed without gaps', () => {
    const subnets = ofKind(synth(), 'Subnet').map((s) => [s.metadata.name, s.spec.availabilityZone, s.spec.cidrBlock]);
    expect(subnets).toEqual([
      ['app-public-a', 'us-east-1a', '10.0.32.0/24'],
      ['app-public-b', 'us-east-1b', '10.0.33.0/24'],
      ['app-private-a', 'us-east-1a', '10.0.0.0/20'],
      ['app-private-b', 'us-east-1b', '10.0.16.0/20'],
      ['app-isolated-a', 'us-east-1a', '10.0.34.0/24'],
      ['app-isolated-b', 'us-east-1b', '10.0.35.0/24'],
    ]);
  });

  test('defaults: one NAT gateway per zone; private zones route to their own NAT, public to the IGW, isolated nowhere', () => {
    const manifests = synth();
    expect(ofKind(manifests, 'NATGateway').map((n) => [n.metadata.name, n.spec.subnetRef.from.name, n.spec.allocationRef.from.name])).toEqual([
      ['app-nat-a', 'app-public-a', 'app-nat-a'],
      ['app-nat-b', 'app-public-b', 'app-nat-b'],
    ]);
    const routes = (name: string) => manifest(manifests, 'RouteTable', name).spec.routes;
    expect(routes('app-public')).toEqual([{ destinationCIDRBlock: '0.0.0.0/0', gatewayRef: { from: { name: 'app-igw' } } }]);
    expect(routes('app-private-a')).toEqual([{ destinationCIDRBlock: '0.0.0.0/0', natGatewayRef: { from: { name: 'app-nat-a' } } }]);
    expect(routes('app-private-b')).toEqual([{ destinationCIDRBlock: '0.0.0.0/0', natGatewayRef: { from: { name: 'app-nat-b' } } }]);
    expect(routes('app-isolated')).toEqual([]);
    expect(manifest(manifests, 'Subnet', 'app-private-b').spec.routeTableRefs).toEqual([{ from: { name: 'app-private-b' } }]);
    expect(manifest(manifests, 'InternetGateway', 'app-igw').spec.vpcRef).toEqual({ from: { name: 'app-vpc' } });
  });

  test('S2 one NAT gateway (dev): every private zone routes through it', () => {
    const manifests = synth({ natGateways: 1 });
    expect(ofKind(manifests, 'NATGateway')).toHaveLength(1);
    expect(manifest(manifests, 'RouteTable', 'app-private-b').spec.routes[0].natGatewayRef).toEqual({ from: { name: 'app-nat-a' } });
  });

  test('no public IPs on launch, DNS on', () => {
    const manifests = synth();
    expect(ofKind(manifests, 'Subnet').every((s) => s.spec.mapPublicIPOnLaunch === false)).toBe(true);
    expect(manifest(manifests, 'VPC', 'app-vpc').spec).toMatchObject({ cidrBlocks: ['10.0.0.0/16'], enableDNSSupport: true, enableDNSHostnames: true });
  });

  test('S2 flow logs: ALL traffic to a log group with retention, through a role that may only write there', () => {
    const manifests = synth();
    expect(manifest(manifests, 'FlowLog', 'app-flow-log').spec).toEqual(
      expect.objectContaining({
        resourceType: 'VPC',
        resourceID: 'vpc-0123456789abcdef0',
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logGroupRef: { from: { name: 'app-flow-logs' } },
        deliverLogsPermissionRef: { from: { name: 'app-flow-logs' } },
      }),
    );
    expect(manifest(manifests, 'LogGroup', 'app-flow-logs').spec).toMatchObject({ name: '/vpc/app-test/flow-logs', retentionDays: 30 });
    const role = manifest(manifests, 'Role', 'app-flow-logs');
    expect(JSON.parse(role.spec.assumeRolePolicyDocument).Statement[0].Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
    expect(inlineStatements(role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: ['arn:aws:logs:us-east-1:123456789012:log-group:/vpc/app-test/flow-logs', 'arn:aws:logs:us-east-1:123456789012:log-group:/vpc/app-test/flow-logs:*'],
      },
    ]);
  });

  test('R-O6 without the VPC ID in config the flow log is a DeferredObject reading the VPC\'s status (ACK FlowLog has no VPC reference)', () => {
    const chart = testChart();
    new Network(chart, 'Network', { ...base, vpcId: undefined });
    const manifests = chart.toJson();
    expect(ofKind(manifests, 'FlowLog')).toEqual([]);
    const deferred = deferredOf(manifests, 'FlowLog', 'app-flow-log');
    expect(deferred.metadata.name).toBe('flowlog-app-flow-log');
    expect(deferred.spec.inputs).toEqual([{ name: 'vpc', object: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', name: 'app-vpc' } }]);
    expect(deferred.spec.template.spec).toMatchObject({ resourceID: '${vpc.status.vpcID}', resourceType: 'VPC' });
    expect(collectWarnings(chart)).toEqual([]);
  });

  test('R-O6 lateBinding config: without the VPC ID the flow log waits, and synth warns', () => {
    const chart = testChart(configMode());
    new Network(chart, 'Network', { ...base, vpcId: undefined });
    const manifests = chart.toJson();
    expect([...ofKind(manifests, 'FlowLog'), ...ofKind(manifests, 'DeferredObject')]).toEqual([]);
    expect(collectWarnings(chart).map((w) => w.id)).toEqual(['FLOW-LOG-PENDING']);
  });

  test('gateway endpoints attach to the private and isolated route tables', () => {
    const endpoint = manifest(synth({ gatewayEndpoints: ['dynamodb'] }), 'VPCEndpoint', 'app-dynamodb');
    expect(endpoint.spec).toMatchObject({ vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.us-east-1.dynamodb' });
    expect(endpoint.spec.routeTableRefs.map((r: any) => r.from.name)).toEqual(['app-private-a', 'app-private-b', 'app-isolated']);
  });

  test.each([
    [{ cidr: '10.0.0.0/8' }, 'cidr "10.0.0.0/8" must be between /16 and /28'],
    [{ availabilityZones: ['eu-west-1a'] }, 'availability zone "eu-west-1a" is not a zone of us-east-1 (e.g. us-east-1a)'],
    [{ availabilityZones: ['us-east-1a', 'us-east-1a'] }, 'availabilityZones lists a zone twice'],
    [{ subnets: {} }, 'subnets must name at least one tier'],
    [{ natGateways: 3 }, 'natGateways 3 must be between 0 and the number of zones (2)'],
    [{ subnets: { private: 20 }, natGateways: 1 }, 'NAT gateways need a public tier'],
    [{ cidr: '10.0.0.0/17', subnets: { private: 18 }, availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }, 'the subnets need 49152 addresses but 10.0.0.0/17 has 32768'],
    [{ vpcId: 'vpc-1' }, 'vpcId "vpc-1": expected a VPC ID'],
  ] as const)('rejects %p', (override, message) => {
    expect(() => synth(override as Partial<NetworkProps>)).toThrow(message);
  });
});
