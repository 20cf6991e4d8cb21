import { describe, expect, test } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { SystemOutputs } from '../../../charts/constructs/system-outputs';
import { loadCrdSchemas, schemaProblems } from '../../support/crd-schema';
import { manifest, testChart } from '../../support/fixtures';

describe('SystemOutputs (R-G10)', () => {
  function synth(configure: (outputs: SystemOutputs, source: ApiObject) => void = () => undefined) {
    const chart = testChart();
    const source = new ApiObject(chart, 'Sg', { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name: 'app-sg' } });
    const outputs = new SystemOutputs(chart, 'Outputs', { name: 'sys-outputs', staticValues: { routeCount: '2' } });
    configure(outputs, source);
    return chart.toJson();
  }

  test('R-G10 static values are written into the outputs ConfigMap', () => {
    expect(manifest(synth(), 'ConfigMap', 'sys-outputs').data).toEqual({ routeCount: '2' });
  });

  test('R-G10 a FieldExport copies an object field into a key of that ConfigMap', () => {
    const exported = manifest(
      synth((outputs, source) => outputs.exportField('securityGroupID', source, '.status.id')),
      'FieldExport',
      'sys-outputs-security-group-id',
    );
    expect(exported.spec).toEqual({
      from: { path: '.status.id', resource: { group: 'ec2.services.k8s.aws', kind: 'SecurityGroup', name: 'app-sg' } },
      to: { kind: 'configmap', name: 'sys-outputs', key: 'securityGroupID' },
    });
    expect(schemaProblems(loadCrdSchemas(), exported)).toEqual([]);
    // FieldExport is ACK's own kind: no region, no tags.
    expect(exported.metadata.annotations).toBeUndefined();
  });

  test.each([
    [(o: SystemOutputs, s: ApiObject) => o.exportField('routeCount', s, '.status.id'), 'output key "routeCount" is defined twice'],
    [(o: SystemOutputs, s: ApiObject) => o.exportField('bad key', s, '.status.id'), 'output key "bad key" is not a valid ConfigMap key'],
  ])('rejects %#', (configure, message) => {
    expect(() => synth(configure)).toThrow(message);
  });
});
