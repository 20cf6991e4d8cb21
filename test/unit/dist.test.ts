/**
 * Properties of every object in the committed `dist/` (which synth.test.ts
 * proves is current).
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { UNSCOPED_ACTIONS } from '../../lib/iam-actions';
import { DEFERRABLE_KINDS } from '../../charts/constructs/late-binding';
import { loadEnvironments } from '../../lib/config/load';
import { REPO_ROOT } from '../../lib/paths';
import { readTags } from '../../lib/tags/apply';
import { kindKey } from '../../lib/tags/tag-shape';
import { loadCrdSchemas, schemaProblems } from '../support/crd-schema';

const DIST = join(REPO_ROOT, 'dist');
const environments = loadEnvironments(join(REPO_ROOT, 'config'));
const manifests = environments.flatMap((env) =>
  readdirSync(join(DIST, env.name)).flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIST, env.name, file), 'utf8')).map((doc) => ({ env, file, manifest: doc.toJS() })),
  ),
);
const isAck = (manifest: any) => manifest.apiVersion.includes('services.k8s.aws/');
const isAckService = (manifest: any) => /^[a-z0-9]+\.services\.k8s\.aws\//.test(manifest.apiVersion);
const label = ({ env, manifest }: { env: { name: string }; manifest: any }) => `${env.name} ${manifest.kind}/${manifest.metadata.name}`;

describe('dist/', () => {
  const schemas = loadCrdSchemas();

  test('there is something to check', () => {
    expect(manifests.filter((m) => isAck(m.manifest)).length).toBeGreaterThan(20);
  });

  test('every ACK object validates against its CRD schema, unknown fields rejected', () => {
    const problems = manifests.filter((m) => isAck(m.manifest)).flatMap((m) => schemaProblems(schemas, m.manifest).map((p) => `${m.env.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  const deferred = manifests.filter((m) => m.manifest.kind === 'DeferredObject');

  test('R-O6 every DeferredObject\'s template validates against its kind\'s CRD schema (expressions stand in string fields)', () => {
    expect(deferred.length).toBeGreaterThan(10);
    // A field that is one whole expression takes the expression's type (a boolean, say): only its string stand-in is excused.
    const wholeExpressions = (value: unknown, path = ''): string[] =>
      typeof value === 'string'
        ? /^\$\{.*\}$/.test(value) ? [path] : []
        : value && typeof value === 'object'
          ? Object.entries(value).flatMap(([key, item]) => wholeExpressions(item, `${path}/${key}`))
          : [];
    const problems = deferred.flatMap((m) => {
      const template = m.manifest.spec.template;
      const excused = wholeExpressions(template.spec).map((path) => `/spec${path} must be`);
      return schemaProblems(schemas, { ...template, metadata: { ...template.metadata, namespace: m.manifest.metadata.namespace } })
        .filter((problem) => !excused.some((prefix) => problem.includes(`${prefix} `)))
        .map((p) => `${m.env.name}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  test('R-O6 R-O4 the kinds the charts defer are exactly those the operator\'s ClusterRole lets it write', () => {
    const kinds = new Set(deferred.map((m) => `${m.manifest.spec.template.apiVersion}/${m.manifest.spec.template.kind}`));
    expect([...kinds].sort()).toEqual(DEFERRABLE_KINDS.map((gvk) => `${gvk.apiVersion}/${gvk.kind}`).sort());
  });

  test('R-O6 both modes are committed: an environment with lateBinding operator holds DeferredObjects, one with config holds none and warns instead', () => {
    const modes = environments.map((env) => [env.name, env.lateBinding, deferred.some((m) => m.env === env)]);
    expect(modes).toContainEqual(['dev', 'operator', true]);
    expect(modes).toContainEqual(['staging', 'config', false]);
  });

  test('R-G5 every ACK service object states its region explicitly', () => {
    const missing = manifests.filter((m) => isAckService(m.manifest) && !m.manifest.metadata.annotations?.['services.k8s.aws/region']);
    expect(missing.map(label)).toEqual([]);
  });

  test('R-G3 every taggable ACK object carries the full tag set from config, in its own shape', () => {
    for (const m of manifests.filter((m) => isAckService(m.manifest))) {
      const shape = ACK_KINDS[kindKey(m.manifest.apiVersion, m.manifest.kind)]?.tagShape;
      if (!shape) continue;
      const system = m.env.systems[m.file.replace('.k8s.yaml', '') as 'vpc-peering'];
      const tags = Object.fromEntries(readTags(shape, m.manifest.spec));
      expect({ object: label(m), tags }).toEqual({
        object: label(m),
        tags: expect.objectContaining({ Environment: m.env.name, EnvironmentSuffix: m.env.environmentSuffix, ...m.env.tags, ...system.tags }),
      });
    }
  });

  test('R-G3 no tag value is hard-coded in chart code: every environment-level tag value comes from its config', () => {
    for (const env of environments) {
      const text = readdirSync(join(DIST, env.name)).map((file) => readFileSync(join(DIST, env.name, file), 'utf8')).join('\n');
      for (const other of environments.filter((o) => o.tags.CostCenter !== env.tags.CostCenter)) {
        expect(text).not.toContain(`value: ${other.tags.CostCenter}`);
      }
    }
  });

  test('R-G8 no secret values: no Secret data, no literal password fields', () => {
    const offending = manifests.filter(({ manifest }) => {
      if (manifest.kind === 'Secret' && (manifest.data || manifest.stringData)) return true;
      return /"[A-Za-z]*[Pp]assword"\s*:\s*"/.test(JSON.stringify(manifest));
    });
    expect(offending.map(label)).toEqual([]);
  });

  test('least privilege: no role has an AWS managed policy, and "*" is a resource only of actions AWS cannot scope, each listed in docs/architecture.md', () => {
    const roles = manifests.filter((m) => m.manifest.kind === 'Role' && m.manifest.apiVersion.startsWith('iam.'));
    expect(roles.length).toBeGreaterThan(5);
    // The only attached policies are the systems' operator policies of the same environment (R-O7), never AWS's.
    const attached = roles.flatMap((m) => (m.manifest.spec.policies ?? []).map((arn: string) => `${label(m)} ${arn}`));
    expect(attached.filter((line) => !/^(\w+) Role\/failover-operator arn:aws:iam::\d{12}:policy\/\1-[a-z-]+-operator-\1$/.test(line))).toEqual([]);
    expect(attached.length).toBeGreaterThan(0);
    const policies = manifests.filter((m) => m.manifest.kind === 'Policy' && m.manifest.apiVersion.startsWith('iam.'));
    expect(policies.length).toBeGreaterThan(0);
    const unscoped = [...roles.flatMap((m) => Object.values<string>(m.manifest.spec.inlinePolicies ?? {})), ...policies.map((m) => m.manifest.spec.policyDocument as string)].flatMap((doc) =>
      [doc]
        .flatMap((doc) => JSON.parse(doc).Statement)
        .filter((statement: any) => [statement.Resource].flat().includes('*'))
        .flatMap((statement: any) => [statement.Action].flat()),
    );
    expect(unscoped.length).toBeGreaterThan(0);
    expect(unscoped.filter((action) => !(action in UNSCOPED_ACTIONS))).toEqual([]);
    const readme = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
    expect(Object.keys(UNSCOPED_ACTIONS).filter((action) => !readme.includes(`\`${action}\``))).toEqual([]);
  });

  test('R-G7 namespaces carry the environment deletion policy for every ACK service they hold', () => {
    for (const env of environments) {
      const namespaces = manifests.filter((m) => m.env === env && m.manifest.kind === 'Namespace');
      for (const ns of namespaces) {
        // What the operator renders from a DeferredObject lives in the namespace too.
        const objects = manifests.filter((m) => m.env === env && m.file === ns.file).map((m) => (m.manifest.kind === 'DeferredObject' ? m.manifest.spec.template : m.manifest));
        const services = new Set(objects.filter(isAckService).map((o) => o.apiVersion.split('.')[0]));
        const policies = Object.entries(ns.manifest.metadata.annotations).filter(([key]) => key.endsWith('.services.k8s.aws/deletion-policy'));
        expect(policies).toEqual([...services].sort().map((service) => [`${service}.services.k8s.aws/deletion-policy`, env.deletionPolicy]));
      }
    }
    expect(environments.find((env) => env.name === 'prod')?.deletionPolicy).toBe('retain');
  });
});
