/**
 * Negative controls for the schema validator the other tests rely on: a
 * validator that accepts everything would make every "validates" test pass.
 */
import { describe, expect, test } from '@jest/globals';
import { loadCrdSchemas, schemaProblems } from '../support/crd-schema';

const schemas = loadCrdSchemas();
const securityGroup = (spec: Record<string, unknown>) => ({
  apiVersion: 'ec2.services.k8s.aws/v1alpha1',
  kind: 'SecurityGroup',
  metadata: { name: 'sg' },
  spec: { name: 'sg', description: 'd', ...spec },
});

describe('CRD schema validator', () => {
  test('accepts a valid object', () => {
    expect(schemaProblems(schemas, securityGroup({ vpcID: 'vpc-0123abcd' }))).toEqual([]);
  });

  test('rejects an unknown field (which Kubernetes would silently prune)', () => {
    expect(schemaProblems(schemas, securityGroup({ vpcId: 'vpc-0123abcd' }))).toEqual([
      'SecurityGroup/sg /spec must NOT have additional properties: vpcId',
    ]);
  });

  test('rejects an unknown top-level field', () => {
    expect(schemaProblems(schemas, { ...securityGroup({}), extra: 1 })).toEqual(['SecurityGroup/sg / must NOT have additional properties: extra']);
  });

  test('rejects a wrong type', () => {
    expect(schemaProblems(schemas, securityGroup({ ingressRules: [{ fromPort: '443' }] }))).toEqual([
      'SecurityGroup/sg /spec/ingressRules/0/fromPort must be integer',
    ]);
  });

  test('rejects a missing required field', () => {
    const manifest = securityGroup({});
    delete (manifest.spec as Record<string, unknown>).description;
    expect(schemaProblems(schemas, manifest)).toEqual(["SecurityGroup/sg /spec must have required property 'description'"]);
  });

  test('rejects a value outside an enum', () => {
    const fieldExport = {
      apiVersion: 'services.k8s.aws/v1alpha1',
      kind: 'FieldExport',
      metadata: { name: 'f' },
      spec: { from: { path: '.status.id', resource: { group: 'g', kind: 'k', name: 'n' } }, to: { kind: 'file', name: 'x' } },
    };
    expect(schemaProblems(schemas, fieldExport)).toEqual(['FieldExport/f /spec/to/kind must be equal to one of the allowed values']);
  });

  test('reports an unknown kind', () => {
    expect(schemaProblems(schemas, { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'Nope', metadata: { name: 'n' } })).toEqual([
      'no CRD for ec2.services.k8s.aws/v1alpha1 Nope',
    ]);
  });
});
