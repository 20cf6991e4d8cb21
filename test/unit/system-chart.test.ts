import { describe, expect, test } from '@jest/globals';
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { RegionScope } from '../../charts/constructs/region-scope';
import { SystemChart } from '../../charts/system-chart';
import { Tags } from '../../lib/tags/tags';
import { environment, manifest, rawEnvironment, testChart } from '../support/fixtures';

const sg = (scope: any, name: string, annotations?: Record<string, string>) =>
  new ApiObject(scope, name, { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name, annotations }, spec: { name, description: 'd' } });

describe('SystemChart', () => {
  test('R-G11 the namespace comes first, is named <system>-<environment> and is cluster-scoped', () => {
    const chart = testChart();
    sg(chart, 'a');
    const [namespace] = chart.toJson();
    expect(namespace.kind).toBe('Namespace');
    expect(namespace.metadata.name).toBe('vpc-peering-test');
    expect(namespace.metadata).not.toHaveProperty('namespace');
  });

  test('R-G5 R-G7 the namespace carries the default region and the deletion policy of each ACK service used', () => {
    const chart = testChart(environment({ ...rawEnvironment(), tier: 'non-production', deletionPolicy: 'delete' }));
    sg(chart, 'a');
    new ApiObject(chart, 'Key', { apiVersion: 'kms.services.k8s.aws/v1alpha1', kind: 'Key', metadata: { name: 'k' } });
    expect(chart.toJson()[0].metadata.annotations).toEqual({
      'services.k8s.aws/owner-account-id': '123456789012',
      'argocd.argoproj.io/sync-wave': '-1',
      'services.k8s.aws/default-region': 'us-east-1',
      'ec2.services.k8s.aws/deletion-policy': 'delete',
      'kms.services.k8s.aws/deletion-policy': 'delete',
    });
  });

  test('R-G5 every ACK object states its region: the chart default, or its RegionScope', () => {
    const chart = testChart();
    sg(chart, 'east');
    sg(new RegionScope(chart, 'West', { region: 'us-west-2' }), 'west');
    sg(chart, 'explicit', { 'services.k8s.aws/region': 'eu-west-1' });
    const manifests = chart.toJson();
    expect(manifest(manifests, 'SecurityGroup', 'east').metadata.annotations['services.k8s.aws/region']).toBe('us-east-1');
    expect(manifest(manifests, 'SecurityGroup', 'west').metadata.annotations['services.k8s.aws/region']).toBe('us-west-2');
    expect(manifest(manifests, 'SecurityGroup', 'explicit').metadata.annotations['services.k8s.aws/region']).toBe('eu-west-1');
  });

  test('R-G3 system tags add to and override environment tags; scopes can add their own', () => {
    const env = environment();
    const chart = new SystemChart(Testing.app(), { environment: env, system: 'vpc-peering', region: 'us-east-1', tags: { Owner: 'payments', Project: 'p' } });
    const scope = new RegionScope(chart, 'Scope', { region: 'us-east-1' });
    Tags.of(scope).add('Name', 'named');
    sg(scope, 'a');
    expect(manifest(chart.toJson(), 'SecurityGroup', 'a').spec.tags).toEqual([
      { key: 'Environment', value: 'test' },
      { key: 'EnvironmentSuffix', value: 'test' },
      { key: 'Owner', value: 'payments' },
      { key: 'CostCenter', value: 'cc-1234' },
      { key: 'ManagedBy', value: 'cdk8s-ack' },
      { key: 'Project', value: 'p' },
      { key: 'Name', value: 'named' },
    ]);
  });

  test('R-G3 tags added after an object was created still reach it (applied at synth)', () => {
    const chart = testChart();
    sg(chart, 'a');
    Tags.of(chart).add('Late', 'yes');
    expect(manifest(chart.toJson(), 'SecurityGroup', 'a').spec.tags).toContainEqual({ key: 'Late', value: 'yes' });
  });

  test('Kubernetes objects get neither AWS tags nor region annotations', () => {
    const chart = testChart();
    new kplus.ConfigMap(chart, 'Cm', { metadata: { name: 'cm' }, data: { a: '1' } });
    const configMap = manifest(chart.toJson(), 'ConfigMap', 'cm');
    expect(configMap.metadata.annotations).toBeUndefined();
    expect(JSON.stringify(configMap)).not.toContain('Environment');
  });

  test('an ACK kind missing from imports/ fails synth with the fix', () => {
    const chart = testChart();
    new ApiObject(chart, 'New', { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'Widget', metadata: { name: 'w' } });
    expect(() => chart.toJson()).toThrow('vpc-peering/New: ec2.services.k8s.aws/v1alpha1 Widget is not in imports/; run `npm run import`');
  });

  test('R-G4 object names are the ones given, without cdk8s hashes', () => {
    const chart = testChart();
    sg(new RegionScope(chart, 'Deep', { region: 'us-west-2' }), 'readable-name');
    expect(chart.toJson().map((m) => m.metadata.name)).toEqual(['vpc-peering-test', 'readable-name']);
  });
});
