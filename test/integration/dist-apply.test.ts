/**
 * What users do with dist/: `kubectl apply --server-side` it into a real API
 * server with the ACK CRDs installed (R-G11, R-O5).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { loadEnvironments } from '../../lib/config/load';
import { REPO_ROOT } from '../../lib/paths';
import { readCrdManifests } from '../support/control-plane';
import { differences } from '../support/manifest-diff';
import { ALL_CRDS, kubectl, useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane();
const FIELD_MANAGER = 'ack-systems';
const environments = loadEnvironments(join(REPO_ROOT, 'config')).map((env) => env.name);

function distManifests(env: string): any[] {
  const dir = join(REPO_ROOT, 'dist', env);
  return readdirSync(dir).flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJS()));
}

const key = (m: any) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/** The live objects of dist/<env>/, keyed by kind/namespace/name. */
function liveObjects(env: string): Map<string, any> {
  const result = kubectl(controlPlane(), ['get', '-f', join(REPO_ROOT, 'dist', env), '-o', 'json']);
  expect(result.stderr).toBe('');
  const list = JSON.parse(result.stdout);
  return new Map((list.items ?? [list]).map((item: any) => [key(item), item]));
}

describe('the ACK CRDs in the test API server', () => {
  test('R-O5 every ACK CRD and the operator CRD is installed and Established', async () => {
    const crds = await controlPlane().admin.kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const established = crds.items.filter((crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
    expect(established.map((crd) => crd.metadata?.name).sort()).toEqual(readCrdManifests(ALL_CRDS).map((crd) => crd.metadata.name).sort());
    expect(established.filter((crd) => crd.spec.group.endsWith('services.k8s.aws')).length).toBe(100);
    expect(established.map((crd) => crd.metadata?.name)).toContain('tagpolicies.ack-systems.io');
  });
});

describe.each(environments)('dist/%s applied to a real API server', (env) => {
  const applyArgs = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--validate=strict', '-f', join(REPO_ROOT, 'dist', env)];

  test('R-G11 kubectl apply --server-side --validate=strict accepts every object, without warnings', () => {
    const result = kubectl(controlPlane(), applyArgs);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const applied = result.stdout.trim().split('\n');
    expect(applied).toHaveLength(distManifests(env).length);
    expect(applied.every((line) => line.endsWith(' serverside-applied'))).toBe(true);
  });

  test('R-G11 every object read back from the server equals what was applied: nothing pruned', () => {
    const live = liveObjects(env);
    for (const manifest of distManifests(env)) {
      expect({ object: key(manifest), differences: differences(manifest, live.get(key(manifest))) }).toEqual({ object: key(manifest), differences: [] });
    }
  });

  test('R-G11 a second apply changes nothing (GitOps-safe): resourceVersions stay the same', () => {
    const versions = (objects: Map<string, any>) => [...objects].map(([name, object]) => [name, object.metadata.resourceVersion]);
    const before = versions(liveObjects(env));
    const result = kubectl(controlPlane(), applyArgs);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(versions(liveObjects(env))).toEqual(before);
  });
});

describe('negative controls: the API server really validates', () => {
  const namespace = 'negative-controls';
  beforeAll(() => {
    expect(kubectl(controlPlane(), ['create', 'namespace', namespace]).status).toBe(0);
  });
  const securityGroup = (spec: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'ec2.services.k8s.aws/v1alpha1',
      kind: 'SecurityGroup',
      metadata: { name: 'control', namespace },
      spec: { name: 'control', description: 'negative control', vpcID: 'vpc-0123abcd', ...spec },
    });
  const apply = (manifest: string) => kubectl(controlPlane(), ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--validate=strict', '-f', '-'], { input: manifest });

  test('R-O5 an unknown field is rejected', () => {
    const result = apply(securityGroup({ vpcId: 'vpc-0123abcd' }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('.spec.vpcId: field not declared in schema');
  });

  test('R-O5 a wrong type is rejected', () => {
    const result = apply(securityGroup({ ingressRules: [{ fromPort: 'https' }] }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/spec\.ingressRules\[0\]\.fromPort.*(expected numeric|must be of type integer|Invalid value)/);
  });

  test('R-O5 a missing required field is rejected', () => {
    const result = apply(JSON.stringify({ apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name: 'control', namespace }, spec: { name: 'control' } }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/spec\.description: Required value/);
  });

  test('R-O5 a valid object is accepted (the controls fail for the reason they name)', () => {
    const result = apply(securityGroup({}));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('dist/ack-system applied to a real API server', () => {
  test('R-G5 the accounts\' role map goes into the ACK controllers\' namespace, one entry per environment account', () => {
    expect(kubectl(controlPlane(), ['create', 'namespace', 'ack-system']).status).toBe(0);
    const result = kubectl(controlPlane(), ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--validate=strict', '-f', join(REPO_ROOT, 'dist', 'ack-system')]);
    expect([result.status, result.stderr]).toEqual([0, '']);
    const map = JSON.parse(kubectl(controlPlane(), ['get', 'configmap', 'ack-role-account-map', '-n', 'ack-system', '-o', 'json']).stdout);
    const configs = loadEnvironments(join(REPO_ROOT, 'config'));
    expect(map.data).toEqual(Object.fromEntries(configs.map((env) => [env.awsAccountID, env.ack.roleARN])));
  });
});
