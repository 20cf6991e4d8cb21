/**
 * System S1 `vpc-peering` (SPEC S1, seed 000): the chart's behaviour per requirement.
 */
import { describe, expect, test } from '@jest/globals';
import { VpcPeeringChart } from '../../charts/vpc-peering';
import { loadCrdSchemas, schemaProblems } from '../support/crd-schema';
import { deferredOf, manifest, synthSystem } from '../support/fixtures';

const synth = (edit: (peering: any) => void = () => undefined) => synthSystem(VpcPeeringChart, (raw) => edit(raw.systems['vpc-peering']));

const { manifests, warnings } = synth();
const region = (m: any) => m.metadata.annotations['services.k8s.aws/region'];
const requester = manifest(manifests, 'VPCPeeringConnection', 'payment-analytics-peering');
const accepter = manifest(manifests, 'VPCPeeringConnection', 'payment-analytics-peering-accepter');
const paymentSg = manifest(manifests, 'SecurityGroup', 'payment-vpc-sg');
const analyticsSg = manifest(manifests, 'SecurityGroup', 'analytics-vpc-sg');
const routeTables = manifests.filter((m) => m.kind === 'RouteTable');

describe('S1 vpc-peering', () => {
  test('S1 the pre-existing VPCs are referenced by their configured IDs', () => {
    expect(requester.spec).toMatchObject({ vpcID: 'vpc-0123456789abcdef0', peerVPCID: 'vpc-0fedcba9876543210' });
    expect(paymentSg.spec.vpcID).toBe('vpc-0123456789abcdef0');
    expect(analyticsSg.spec.vpcID).toBe('vpc-0fedcba9876543210');
  });

  test('S1 the connection is requested from us-east-1 with peer region us-west-2, and accepted in us-west-2', () => {
    expect(region(requester)).toBe('us-east-1');
    expect(requester.spec.peerRegion).toBe('us-west-2');
    expect(requester.spec.acceptRequest).toBe(true);
    expect(region(accepter)).toBe('us-west-2');
    expect(accepter.spec.acceptRequest).toBe(true);
    expect(JSON.parse(accepter.metadata.annotations['services.k8s.aws/adoption-fields'])).toEqual({ vpcPeeringConnectionID: 'pcx-0123456789abcdef0' });
  });

  test('S1 DNS resolution: payment resolves analytics names (the accepter-side option); the other direction is a documented ACK gap', () => {
    expect(accepter.spec.accepterPeeringConnectionOptions).toEqual({ allowDNSResolutionFromRemoteVPC: true });
    // ACK's read copies the requester's options from the desired spec, so they would never be sent (a documented gap).
    expect(requester.spec.requesterPeeringConnectionOptions).toBeUndefined();
  });

  test('S1 every private route table of each VPC routes the peer CIDR through the peering (an ACK reference)', () => {
    const peerRoutes = routeTables.map((table) => [table.metadata.name, region(table), table.spec.routes.filter((r: any) => r.vpcPeeringConnectionRef)]);
    const viaPeering = (cidr: string) => [{ destinationCIDRBlock: cidr, vpcPeeringConnectionRef: { from: { name: 'payment-analytics-peering' } } }];
    expect(peerRoutes).toEqual([
      ['payment-private-rtb-0123456789abcdef0', 'us-east-1', viaPeering('10.1.0.0/16')],
      ['payment-private-rtb-0123456789abcdef1', 'us-east-1', viaPeering('10.1.0.0/16')],
      ['analytics-private-rtb-0fedcba9876543210', 'us-west-2', viaPeering('10.0.0.0/16')],
    ]);
  });

  test('S1 routes already in a route table are kept', () => {
    expect(manifest(manifests, 'RouteTable', 'payment-private-rtb-0123456789abcdef0').spec.routes.slice(0, 2)).toEqual([
      { destinationCIDRBlock: '0.0.0.0/0', natGatewayID: 'nat-0123456789abcdef0' },
      { destinationPrefixListID: 'pl-63a5400a', vpcEndpointID: 'vpce-0123456789abcdef0' },
    ]);
  });

  test('S1 no route tables on a side: a warning, not silence', () => {
    expect(warnings).toEqual(['ROUTE-TABLE-OWNED', 'ROUTE-TABLE-OWNED', 'ROUTE-TABLE-OWNED']);
    const empty = synth((p) => {
      p.payment.privateRouteTables = [];
      p.analytics.privateRouteTables = [];
    });
    expect(empty.warnings).toEqual(['S1-NO-PAYMENT-ROUTE-TABLES', 'S1-NO-ANALYTICS-ROUTE-TABLES']);
    expect(empty.manifests.filter((m) => m.kind === 'RouteTable')).toEqual([]);
  });

  test('S1 R-O6 lateBinding config: until the connection ID is configured, only the requester exists, no route table is touched, and synth says what to do', () => {
    const pending = synthSystem(VpcPeeringChart, (raw) => {
      delete raw.systems['vpc-peering'].peeringConnectionID;
      raw.lateBinding = 'config';
    });
    expect(pending.manifests.filter((m) => m.kind === 'VPCPeeringConnection').map((m) => [m.metadata.name, m.spec.acceptRequest])).toEqual([['payment-analytics-peering', false]]);
    expect(pending.manifests.filter((m) => m.kind === 'RouteTable')).toEqual([]);
    expect(manifest(pending.manifests, 'ConfigMap', 'vpc-peering-outputs').data).toEqual({ paymentRouteCount: '0', analyticsRouteCount: '0' });
    expect(pending.warnings).toEqual(['S1-ACCEPTER-PENDING']);
  });

  test('S1 R-O6 late binding: without the connection ID, requester, accepter and the routes are DeferredObjects; the routes wait for the accepter to name the connection; no warning', () => {
    const late = synth((p) => delete p.peeringConnectionID);
    expect(late.warnings).not.toContain('S1-ACCEPTER-PENDING');
    expect(late.manifests.filter((m) => m.kind === 'VPCPeeringConnection' || m.kind === 'RouteTable')).toEqual([]);
    const tables = late.manifests.filter((m) => m.kind === 'DeferredObject' && m.spec.template.kind === 'RouteTable');
    expect(tables).toHaveLength(routeTables.length);
    for (const table of tables) {
      expect(table.spec.inputs).toEqual([{ name: 'accepter', object: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPCPeeringConnection', name: 'payment-analytics-peering-accepter' } }]);
      expect(table.spec.template.metadata.annotations['ack-systems.io/routes-through']).toBe('${accepter.status.vpcPeeringConnectionID}');
    }
    expect(deferredOf(late.manifests, 'VPCPeeringConnection', 'payment-analytics-peering-accepter')).toBeDefined();
  });

  test('S1 adopting a shared route table is an explicit opt-in per table (ACK then owns all its routes)', () => {
    expect(() => synth((p) => delete p.payment.privateRouteTables[0].ackOwnsAllRoutes)).toThrow(
      'systems.vpc-peering.payment.privateRouteTables[0].ackOwnsAllRoutes: set to true to accept that ACK will own every route of this table',
    );
  });

  test('S1 security groups have explicit, environment-suffixed names', () => {
    expect(paymentSg.spec.name).toBe('payment-vpc-sg-prod');
    expect(analyticsSg.spec.name).toBe('analytics-vpc-sg-prod');
    expect(region(paymentSg)).toBe('us-east-1');
    expect(region(analyticsSg)).toBe('us-west-2');
  });

  test('S1 payment → analytics: exactly the HTTPS flow, one rule per side; no ephemeral-port rules (security groups are stateful)', () => {
    const rule = (port: [number, number], cidr: string) => expect.objectContaining({ ipProtocol: 'tcp', fromPort: port[0], toPort: port[1], ipRanges: [expect.objectContaining({ cidrIP: cidr })] });
    expect(paymentSg.spec.egressRules).toEqual([rule([443, 443], '10.1.2.0/24')]);
    expect(paymentSg.spec.ingressRules).toEqual([]);
    expect(analyticsSg.spec.ingressRules).toEqual([rule([443, 443], '10.0.0.0/16')]);
    expect(analyticsSg.spec.egressRules).toEqual([]);
  });

  test('S1 never protocol -1, never 0.0.0.0/0', () => {
    const rules = [paymentSg, analyticsSg].flatMap((sg) => [...sg.spec.ingressRules, ...sg.spec.egressRules]);
    expect(rules.every((r) => r.ipProtocol === 'tcp')).toBe(true);
    expect(JSON.stringify([paymentSg, analyticsSg])).not.toContain('0.0.0.0/0');
  });

  test('S1 R-G10 outputs: peering ID and status, both VPC IDs, both security group IDs, DNS flags as AWS reports them, route counts', () => {
    const exports = manifests.filter((m) => m.kind === 'FieldExport').map((m) => [m.spec.to.key, m.spec.from.resource.kind, m.spec.from.resource.name, m.spec.from.path]);
    expect(exports).toEqual([
      ['peeringConnectionID', 'VPCPeeringConnection', 'payment-analytics-peering', '.status.vpcPeeringConnectionID'],
      ['peeringStatus', 'VPCPeeringConnection', 'payment-analytics-peering', '.status.status.code'],
      ['paymentVPCID', 'VPCPeeringConnection', 'payment-analytics-peering', '.spec.vpcID'],
      ['analyticsVPCID', 'VPCPeeringConnection', 'payment-analytics-peering', '.spec.peerVPCID'],
      ['paymentResolvesAnalyticsDNS', 'VPCPeeringConnection', 'payment-analytics-peering', '.status.accepterVPCInfo.peeringOptions.allowDNSResolutionFromRemoteVPC'],
      ['analyticsResolvesPaymentDNS', 'VPCPeeringConnection', 'payment-analytics-peering', '.status.requesterVPCInfo.peeringOptions.allowDNSResolutionFromRemoteVPC'],
      ['paymentSecurityGroupID', 'SecurityGroup', 'payment-vpc-sg', '.status.id'],
      ['analyticsSecurityGroupID', 'SecurityGroup', 'analytics-vpc-sg', '.status.id'],
    ]);
    expect(manifests.filter((m) => m.kind === 'FieldExport').every((m) => m.spec.to.name === 'vpc-peering-outputs')).toBe(true);
    expect(manifest(manifests, 'ConfigMap', 'vpc-peering-outputs').data).toEqual({ paymentRouteCount: '2', analyticsRouteCount: '1' });
  });

  test('R-G3 every AWS resource carries the PCI-DSS compliance tag set from config', () => {
    for (const m of manifests.filter((m) => m.apiVersion.startsWith('ec2.'))) {
      expect(m.spec.tags).toEqual(
        expect.arrayContaining([
          { key: 'Environment', value: 'prod' },
          { key: 'Compliance', value: 'PCI-DSS' },
          { key: 'Project', value: 'VPC-Peering' },
          { key: 'Owner', value: 'platform-team' },
        ]),
      );
    }
  });

  test('every object validates against its CRD', () => {
    const schemas = loadCrdSchemas();
    expect(manifests.filter((m) => m.apiVersion.includes('services.k8s.aws')).flatMap((m) => schemaProblems(schemas, m))).toEqual([]);
  });
});
