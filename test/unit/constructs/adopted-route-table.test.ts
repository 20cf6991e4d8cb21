import { describe, expect, test } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { AdoptedRouteTable, RouteTarget, type AdoptedRouteTableProps } from '../../../charts/constructs/adopted-route-table';
import { loadCrdSchemas, schemaProblems } from '../../support/crd-schema';
import { collectWarnings } from '../../../lib/warnings';
import { manifest, testChart } from '../../support/fixtures';

function synth(override: Partial<AdoptedRouteTableProps> = {}) {
  const chart = testChart();
  const peering = new ApiObject(chart, 'Peering', { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPCPeeringConnection', metadata: { name: 'peering' } });
  new AdoptedRouteTable(chart, 'Table', {
    name: 'private-a',
    routeTableId: 'rtb-0123456789abcdef0',
    existingRoutes: [
      { destination: '0.0.0.0/0', target: RouteTarget.natGateway('nat-0123456789abcdef0') },
      { destination: 'pl-63a5400a', target: RouteTarget.vpcEndpoint('vpce-0123456789abcdef0') },
    ],
    existingTags: { Name: 'private-a' },
    addedRoutes: [{ destination: '10.1.0.0/16', target: RouteTarget.peeringConnection(peering) }],
    ...override,
  });
  return manifest(chart.toJson(), 'RouteTable', 'private-a');
}

describe('AdoptedRouteTable', () => {
  test('S1 the spec lists every existing route, then the added ones (ACK deletes unlisted routes)', () => {
    expect(synth().spec.routes).toEqual([
      { destinationCIDRBlock: '0.0.0.0/0', natGatewayID: 'nat-0123456789abcdef0' },
      { destinationPrefixListID: 'pl-63a5400a', vpcEndpointID: 'vpce-0123456789abcdef0' },
      { destinationCIDRBlock: '10.1.0.0/16', vpcPeeringConnectionRef: { from: { name: 'peering' } } },
    ]);
  });

  test('S1 the table is adopted by ID with the manifest as source of truth, and retained on delete', () => {
    expect(synth().metadata.annotations).toEqual({
      'services.k8s.aws/region': 'us-east-1',
      'services.k8s.aws/adoption-policy': 'adopt-or-create',
      'services.k8s.aws/adoption-fields': '{"routeTableID":"rtb-0123456789abcdef0"}',
      'services.k8s.aws/deletion-policy': 'retain',
      'ack-systems.io/route-ownership': expect.any(String),
    });
  });

  test('S1 the risk is stated on the object and at synth: the routes ACK keeps, the ones it adds, and that it deletes any other', () => {
    const expected =
      'ACK owns every route of rtb-0123456789abcdef0: keeps local, 0.0.0.0/0 -> nat-0123456789abcdef0, pl-63a5400a -> vpce-0123456789abcdef0; ' +
      'adds 10.1.0.0/16 -> VPCPeeringConnection peering; deletes any other route at its next sync';
    expect(synth().metadata.annotations['ack-systems.io/route-ownership']).toBe(expected);
    const chart = testChart();
    const peering = new ApiObject(chart, 'Peering', { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPCPeeringConnection', metadata: { name: 'peering' } });
    new AdoptedRouteTable(chart, 'Table', { name: 't', routeTableId: 'rtb-0123456789abcdef0', existingRoutes: [], addedRoutes: [{ destination: '10.1.0.0/16', target: RouteTarget.peeringConnection(peering) }] });
    expect(collectWarnings(chart).map((w) => [w.id, w.message])).toEqual([
      ['ROUTE-TABLE-OWNED', 'ACK owns every route of rtb-0123456789abcdef0: keeps local; adds 10.1.0.0/16 -> VPCPeeringConnection peering; deletes any other route at its next sync'],
    ]);
  });

  test('S1 vpcID is left out, so a wrong table ID cannot create a stray table', () => {
    expect(synth().spec).not.toHaveProperty('vpcID');
  });

  test('R-G3 existing tags are kept next to the environment tags (ACK removes unlisted tags)', () => {
    const tags = synth().spec.tags;
    expect(tags).toContainEqual({ key: 'Name', value: 'private-a' });
    expect(tags).toContainEqual({ key: 'Environment', value: 'test' });
  });

  test('validates against the CRD', () => {
    expect(schemaProblems(loadCrdSchemas(), synth())).toEqual([]);
  });

  test.each([
    [{ routeTableId: 'rtb-1' }, 'routeTableId "rtb-1": expected a route table ID'],
    [{ addedRoutes: [{ destination: '0.0.0.0/0', target: RouteTarget.transitGateway('tgw-0123abcd') }] }, 'two routes to 0.0.0.0/0; a route table has one route per destination'],
    [{ addedRoutes: [{ destination: '10.1.0.0', target: RouteTarget.transitGateway('tgw-0123abcd') }] }, 'route destination "10.1.0.0" is neither a CIDR block nor a prefix list ID'],
  ])('rejects %p', (override, message) => {
    expect(() => synth(override)).toThrow(message);
  });

  test.each([
    [() => RouteTarget.natGateway('igw-0123abcd'), 'route target "igw-0123abcd": expected a NAT gateway ID'],
    [() => RouteTarget.internetGateway('vgw-0123abcd'), 'expected an internet gateway ID'],
    [() => RouteTarget.peeringConnectionId('pcx-zz'), 'expected a VPC peering connection ID'],
  ])('route targets check their ID format: %p', (make, message) => {
    expect(make).toThrow(message);
  });

  test.each([
    [RouteTarget.internetGateway('igw-0123abcd'), { gatewayID: 'igw-0123abcd' }],
    [RouteTarget.virtualPrivateGateway('vgw-0123abcd'), { gatewayID: 'vgw-0123abcd' }],
    [RouteTarget.transitGateway('tgw-0123abcd'), { transitGatewayID: 'tgw-0123abcd' }],
    [RouteTarget.networkInterface('eni-0123abcd'), { networkInterfaceID: 'eni-0123abcd' }],
    [RouteTarget.egressOnlyInternetGateway('eigw-0123abcd'), { egressOnlyInternetGatewayID: 'eigw-0123abcd' }],
    [RouteTarget.peeringConnectionId('pcx-0123abcd'), { vpcPeeringConnectionID: 'pcx-0123abcd' }],
  ])('route target %# renders as its ACK field', (target, fields) => {
    expect(synth({ addedRoutes: [{ destination: '10.9.0.0/16', target }] }).spec.routes[2]).toEqual({ destinationCIDRBlock: '10.9.0.0/16', ...fields });
  });
});
