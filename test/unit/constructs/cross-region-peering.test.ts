import { describe, expect, test } from '@jest/globals';
import { CrossRegionPeering, type CrossRegionPeeringProps } from '../../../charts/constructs/cross-region-peering';
import { loadCrdSchemas, schemaProblems } from '../../support/crd-schema';
import { configMode, deferredOf, environment, manifest, testChart } from '../../support/fixtures';

const props: CrossRegionPeeringProps = {
  name: 'pay-peering',
  awsName: 'pay-peering-prod',
  requester: { region: 'us-east-1', vpcId: 'vpc-0123456789abcdef0' },
  accepter: { region: 'us-west-2', vpcId: 'vpc-0fedcba9876543210' },
  peeringConnectionId: 'pcx-0123456789abcdef0',
};

function synth(override: Partial<CrossRegionPeeringProps> = {}, env = configMode()) {
  const chart = testChart(env);
  new CrossRegionPeering(chart, 'Peering', { ...props, ...override });
  return chart.toJson().filter((m) => m.kind === 'VPCPeeringConnection' || m.kind === 'DeferredObject');
}

describe('CrossRegionPeering', () => {
  test('S1 the requester lives in the requester region and accepts once the accepter exists (ACK reports true when active; anything else is Terminal)', () => {
    const requester = manifest(synth(), 'VPCPeeringConnection', 'pay-peering');
    expect(requester.metadata.annotations).toEqual({ 'services.k8s.aws/region': 'us-east-1' });
    expect(requester.spec).toMatchObject({ vpcID: 'vpc-0123456789abcdef0', peerVPCID: 'vpc-0fedcba9876543210', peerRegion: 'us-west-2', acceptRequest: true });
  });

  test('S1 while nothing can accept it, the requester says acceptRequest: false (what ACK reports while pending)', () => {
    const [requester] = synth({ peeringConnectionId: undefined });
    expect(requester.spec.acceptRequest).toBe(false);
  });

  test('S1 the accepter adopts the same connection with adopt-or-create (keeps its spec), accepts it, and is retained', () => {
    const accepter = manifest(synth(), 'VPCPeeringConnection', 'pay-peering-accepter');
    expect(accepter.metadata.annotations).toEqual({
      'services.k8s.aws/region': 'us-west-2',
      'services.k8s.aws/adoption-policy': 'adopt-or-create',
      'services.k8s.aws/adoption-fields': '{"vpcPeeringConnectionID":"pcx-0123456789abcdef0"}',
      'services.k8s.aws/deletion-policy': 'retain',
    });
    expect(accepter.spec).toMatchObject({ vpcID: 'vpc-0123456789abcdef0', peerVPCID: 'vpc-0fedcba9876543210', peerRegion: 'us-west-2', acceptRequest: true });
  });

  test('S1 peering options: only the accepter sets its own DNS option (sent in its region); no ClassicLink field anywhere', () => {
    const [requester, accepter] = synth();
    expect(requester.spec.requesterPeeringConnectionOptions).toBeUndefined();
    expect(requester.spec.accepterPeeringConnectionOptions).toBeUndefined();
    expect(accepter.spec.accepterPeeringConnectionOptions).toEqual({ allowDNSResolutionFromRemoteVPC: true });
    expect(accepter.spec.requesterPeeringConnectionOptions).toBeUndefined();
    expect(JSON.stringify([requester, accepter])).not.toMatch(/ClassicLink/);
  });

  test('accepterDnsResolution: false turns the accepter-side DNS option off', () => {
    const [, accepter] = synth({ accepterDnsResolution: false });
    expect(accepter.spec.accepterPeeringConnectionOptions.allowDNSResolutionFromRemoteVPC).toBe(false);
  });

  test('R-G3 both objects of the one AWS connection carry identical tags, including its Name', () => {
    const [requester, accepter] = synth();
    expect(requester.spec.tags).toEqual(accepter.spec.tags);
    expect(requester.spec.tags).toContainEqual({ key: 'Name', value: 'pay-peering-prod' });
  });

  test('S1 R-O6 lateBinding config: without a connection ID only the requester is emitted', () => {
    expect(synth({ peeringConnectionId: undefined }).map((m) => m.metadata.name)).toEqual(['pay-peering']);
  });

  test('S1 R-O6 late binding: the accepter adopts the ID from the requester\'s status, and the requester accepts once the accepter\'s DeferredObject has applied it (no cycle)', () => {
    const late = synth({ peeringConnectionId: undefined }, environment());
    expect(late.map((m) => m.kind)).toEqual(['DeferredObject', 'DeferredObject']);
    const requester = deferredOf(late, 'VPCPeeringConnection', 'pay-peering');
    const accepter = deferredOf(late, 'VPCPeeringConnection', 'pay-peering-accepter');
    expect(requester.spec.inputs).toEqual([{ name: 'accepterDeferred', object: { apiVersion: 'ack-systems.io/v1alpha1', kind: 'DeferredObject', name: accepter.metadata.name } }]);
    expect(requester.spec.template.spec.acceptRequest).toBe('${has(accepterDeferred.status.rendered)}');
    expect(accepter.spec.inputs).toEqual([{ name: 'requester', object: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPCPeeringConnection', name: 'pay-peering' } }]);
    expect(accepter.spec.template.metadata.annotations['services.k8s.aws/adoption-fields']).toBe('{"vpcPeeringConnectionID":"${requester.status.vpcPeeringConnectionID}"}');
    expect(accepter.spec.template.spec.acceptRequest).toBe(true);
  });

  test('both objects validate against the CRD', () => {
    const schemas = loadCrdSchemas();
    expect(synth().flatMap((m) => schemaProblems(schemas, m))).toEqual([]);
  });

  test.each([
    [{ accepter: { region: 'us-east-1', vpcId: 'vpc-0fedcba9876543210' } }, 'requester.region and accepter.region are both "us-east-1"; use a same-region peering'],
    [{ requester: { region: 'us-east-1', vpcId: 'vpc-x' } }, 'requester.vpcId "vpc-x": expected a VPC ID'],
    [{ peeringConnectionId: 'pcx-1' }, 'peeringConnectionId "pcx-1": expected a VPC peering connection ID'],
    [{ name: 'Pay' }, 'Kubernetes object name "Pay-accepter" is not allowed'],
  ] as const)('rejects %p', (override, message) => {
    expect(() => synth(override as Partial<CrossRegionPeeringProps>)).toThrow(message);
  });
});
