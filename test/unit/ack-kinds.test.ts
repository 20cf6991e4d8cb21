/**
 * The generated imports and the tag mechanism against every ACK kind.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, Testing } from 'cdk8s';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { SystemChart } from '../../charts/system-chart';
import { ackCrdsDir, REPO_ROOT } from '../../lib/paths';
import { readTags } from '../../lib/tags/apply';
import { importCrds } from '../../scripts/import-crds';
import { loadCrdSchemas, minimalInstance, schemaProblems } from '../support/crd-schema';
import { environment } from '../support/fixtures';

const schemas = loadCrdSchemas();
const serviceKinds = [...schemas.kinds.keys()].filter((key) => /^[a-z0-9]+\.services\.k8s\.aws\//.test(key));

describe('imports/', () => {
  test('imports/ is current: regenerating it from the CRDs gives identical files', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      importCrds(ackCrdsDir(), fresh);
      const committed = join(REPO_ROOT, 'imports');
      expect(readdirSync(fresh).sort()).toEqual(readdirSync(committed).sort());
      for (const file of readdirSync(fresh)) {
        expect({ file, text: readFileSync(join(fresh, file), 'utf8') }).toEqual({ file, text: readFileSync(join(committed, file), 'utf8') });
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);

  test('R-G3 the kind table covers every kind of all 22 controllers, with plural and tag shape', () => {
    expect(serviceKinds).toHaveLength(98);
    for (const key of serviceKinds) expect(ACK_KINDS).toHaveProperty([key]);
    const shapes = serviceKinds.map((key) => ACK_KINDS[key]?.tagShape);
    // The four shapes the research found, and kinds without tags.
    expect(new Set(shapes.map((shape) => JSON.stringify(shape)))).toEqual(
      new Set([
        JSON.stringify({ path: ['tags'], form: 'list', keyField: 'key', valueField: 'value' }),
        JSON.stringify({ path: ['tags'], form: 'list', keyField: 'tagKey', valueField: 'tagValue' }),
        JSON.stringify({ path: ['tags'], form: 'map' }),
        JSON.stringify({ path: ['tagging', 'tagSet'], form: 'list', keyField: 'key', valueField: 'value' }),
        'null',
      ]),
    );
    expect(ACK_KINDS['kms.services.k8s.aws/v1alpha1/Key']?.tagShape).toMatchObject({ keyField: 'tagKey' });
    expect(ACK_KINDS['s3.services.k8s.aws/v1alpha1/Bucket']?.tagShape).toMatchObject({ path: ['tagging', 'tagSet'] });
    expect(ACK_KINDS['lambda.services.k8s.aws/v1alpha1/Function']?.tagShape).toMatchObject({ form: 'map' });
    expect(ACK_KINDS['route53.services.k8s.aws/v1alpha1/RecordSet']?.tagShape).toBeNull();
    expect(ACK_KINDS['ec2.services.k8s.aws/v1alpha1/VPCPeeringConnection']?.plural).toBe('vpcpeeringconnections');
  });
});

describe('every ACK kind through SystemChart (R-G3, R-G5)', () => {
  const env = environment();
  const chart = new SystemChart(Testing.app(), { environment: env, system: 'vpc-peering', region: 'eu-west-1', tags: { Project: 'p', Application: 'a' } });
  for (const key of serviceKinds) {
    const [group, version, kind] = key.split('/');
    new ApiObject(chart, key, { apiVersion: `${group}/${version}`, kind, metadata: { name: 'sample' }, spec: minimalInstance(schemas.kinds.get(key)!) });
  }
  const manifests = chart.toJson().filter((m) => m.kind !== 'Namespace');
  const expectedTags = {
    Environment: 'test',
    EnvironmentSuffix: 'test',
    Owner: 'platform-team',
    CostCenter: 'cc-1234',
    ManagedBy: 'cdk8s-ack',
    Project: 'p',
    Application: 'a',
  };

  test.each(manifests.map((m) => [`${m.apiVersion}/${m.kind}`, m]))('R-G3 %s carries the tag set in its own shape and validates against its CRD', (key, manifest) => {
    const shape = ACK_KINDS[key as string]?.tagShape;
    if (shape === null) {
      expect(JSON.stringify(manifest.spec)).not.toMatch(/"(tags|tagging)"/);
    } else {
      expect(Object.fromEntries(readTags(shape, manifest.spec))).toEqual(expectedTags);
    }
    expect(schemaProblems(schemas, manifest)).toEqual([]);
    expect(manifest.metadata.annotations['services.k8s.aws/region']).toBe('eu-west-1');
  });
});
