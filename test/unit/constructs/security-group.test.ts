import { describe, expect, test } from '@jest/globals';
import { Peer, Port, SecurityGroup } from '../../../charts/constructs/security-group';
import { ExistingVpc } from '../../../charts/constructs/vpc';
import { loadCrdSchemas, schemaProblems } from '../../support/crd-schema';
import { manifest, testChart } from '../../support/fixtures';

const base = { name: 'app-sg', groupName: 'app-sg-prod', description: 'App tier', vpc: ExistingVpc.fromId('vpc-0123456789abcdef0') };

describe('SecurityGroup', () => {
  test('defaults: no inbound and no outbound rules (ACK removes the AWS default allow-all egress)', () => {
    const chart = testChart();
    new SecurityGroup(chart, 'Sg', base);
    const spec = manifest(chart.toJson(), 'SecurityGroup', 'app-sg').spec;
    expect(spec).toMatchObject({ name: 'app-sg-prod', description: 'App tier', vpcID: 'vpc-0123456789abcdef0', ingressRules: [], egressRules: [] });
  });

  test('a rule is one protocol, one port range and one CIDR, with its description', () => {
    const chart = testChart();
    new SecurityGroup(chart, 'Sg', {
      ...base,
      ingress: [{ peer: Peer.ipv4('10.1.2.0/24'), port: Port.tcp(443), description: 'HTTPS from the API subnet' }],
      egress: [{ peer: Peer.ipv4('10.0.0.0/16'), port: Port.tcpRange(1024, 65535), description: 'return traffic' }],
    });
    const sg = manifest(chart.toJson(), 'SecurityGroup', 'app-sg');
    expect(sg.spec.ingressRules).toEqual([{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: [{ cidrIP: '10.1.2.0/24', description: 'HTTPS from the API subnet' }] }]);
    expect(sg.spec.egressRules).toEqual([{ ipProtocol: 'tcp', fromPort: 1024, toPort: 65535, ipRanges: [{ cidrIP: '10.0.0.0/16', description: 'return traffic' }] }]);
    expect(schemaProblems(loadCrdSchemas(), sg)).toEqual([]);
  });

  test.each([
    [() => Peer.ipv4('0.0.0.0/0'), 'peer CIDR "0.0.0.0/0" opens the rule to every IPv4 address; name the subnet or VPC CIDR, or use Peer.anyIpv4 with a reason'],
    [() => Peer.ipv4('10.0.0.1/16'), 'peer CIDR "10.0.0.1/16": host bits are set; the block starting there is 10.0.0.0/16'],
    [() => Port.tcpRange(0, 65535), 'TCP port range 0-65535 allows every port; list the ports the service uses'],
    [() => Port.tcpRange(1, 65535), 'TCP port range 1-65535 allows every port; list the ports the service uses'],
    [() => Port.tcpRange(443, 80), 'TCP port range 443-80 is not valid; use 0 <= from <= to <= 65535'],
    [() => Port.tcp(70000), 'TCP port range 70000-70000 is not valid; use 0 <= from <= to <= 65535'],
  ])('S1 least privilege: %p is refused', (make, message) => {
    expect(make).toThrow(message);
  });

  test.each([
    [{ groupName: 'sg-app' }, 'security group name "sg-app" is not allowed; allowed: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with "sg-"'],
    [{ groupName: 'x'.repeat(256) }, 'security group name "' + 'x'.repeat(256) + '" is 256 characters; allowed: 1-255'],
    [{ name: 'App_SG' }, 'Kubernetes object name "App_SG" is not allowed'],
    [{ description: ' ' }, 'description must not be empty (AWS requires one)'],
  ])('rejects %p, naming the prop and the fix', (override, message) => {
    expect(() => new SecurityGroup(testChart(), 'Sg', { ...base, ...override })).toThrow(message);
  });

  test('errors carry the construct path', () => {
    expect(() => new SecurityGroup(testChart(), 'Sg', { ...base, groupName: 'sg-x' })).toThrow(/^vpc-peering\/Sg: security group name "sg-x"/);
  });
});
