/**
 * S2: the deploy identity is consistent by construction — the Argo CD
 * Applications synth writes point at exactly the files and namespaces synth
 * writes (seed 001's "project name mismatch").
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SYSTEM_NAMES } from '../../charts/index';
import { loadEnvironments } from '../../lib/config/load';
import { REPO_ROOT } from '../../lib/paths';
import { ACK_WRITE_BACK, valuesAt } from '../../charts/ack-write-back';
import { operatorTagExpressions } from '../../charts/gitops';
import { ACK_KINDS } from '../../imports/ack-kinds';
import { GIT_TAG_KEYS_ANNOTATION } from '../../lib/labels';
import { readTags } from '../../lib/tags/apply';
import { kindKey } from '../../lib/tags/tag-shape';
import { DEFERRED_FIELD_MANAGER, GAP_FIELD_MANAGER, FAILOVER_FIELD_MANAGER, TAG_FIELD_MANAGER } from '../../operator/identity';

const environments = loadEnvironments(join(REPO_ROOT, 'config'));
const docs = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS());

describe('Argo CD Applications (S2 deploy identity)', () => {
  test.each(environments.map((env) => [env.name, env] as const))('S2 %s: one Application per system, pointing at the file and namespace synth writes', (name, env) => {
    const applications = docs(join(REPO_ROOT, 'dist', 'argocd', `${name}.k8s.yaml`));
    expect(applications.map((a) => a.metadata.name)).toEqual(SYSTEM_NAMES.map((system) => `${system}-${name}`));
    for (const application of applications) {
      const { path, directory, repoURL, targetRevision } = application.spec.source;
      const file = join(REPO_ROOT, path, directory.include);
      expect(existsSync(file)).toBe(true);
      const [namespace] = docs(file);
      expect(namespace.kind).toBe('Namespace');
      expect(application.spec.destination.namespace).toBe(namespace.metadata.name);
      expect({ repoURL, targetRevision }).toEqual({ repoURL: env.gitops!.repoURL, targetRevision: env.gitops!.targetRevision });
    }
  });

  test('R-D1 sync never prunes automatically (pruning an ACK object can delete AWS resources), in production too, applies server-side and only what differs', () => {
    expect(environments.some((env) => env.tier === 'production')).toBe(true);
    for (const env of environments) {
      for (const application of docs(join(REPO_ROOT, 'dist', 'argocd', `${env.name}.k8s.yaml`))) {
        expect(application.spec.syncPolicy).toEqual({ automated: { selfHeal: true, prune: false }, syncOptions: ['ServerSideApply=true', 'ApplyOutOfSyncOnly=true'] });
      }
    }
  });

  test('R-O1 R-O2 R-O6 fields written by the operator (the tags it adds, failover records, finalizers) are not drift; the tag operator is not a trusted manager, because a list of tags is one atomic field', () => {
    for (const env of environments) {
      for (const application of docs(join(REPO_ROOT, 'dist', 'argocd', `${env.name}.k8s.yaml`))) {
        expect(application.spec.ignoreDifferences).toEqual([{ group: '*', kind: '*', managedFieldsManagers: [FAILOVER_FIELD_MANAGER, DEFERRED_FIELD_MANAGER, GAP_FIELD_MANAGER], jqPathExpressions: operatorTagExpressions() }]);
        expect(application.spec.ignoreDifferences[0].managedFieldsManagers).not.toContain(TAG_FIELD_MANAGER);
        expect(application.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
      }
    }
    // One expression per tag shape the imported kinds use, each reading the object's Git tag keys.
    const shapes = new Set(Object.values(ACK_KINDS).flatMap(({ tagShape }) => (tagShape ? [JSON.stringify(tagShape)] : [])));
    expect(operatorTagExpressions()).toHaveLength(shapes.size);
    for (const expression of operatorTagExpressions()) expect(expression).toContain(GIT_TAG_KEYS_ANNOTATION);
  });

  test('R-D1 R-O1 every tagged ACK object names the tag keys Git gives it, which is what lets Argo CD tell the operator\'s tags from Git\'s', () => {
    let checked = 0;
    for (const env of environments.filter((e) => e.gitops)) {
      for (const file of readdirSync(join(REPO_ROOT, 'dist', env.name))) {
        for (const object of docs(join(REPO_ROOT, 'dist', env.name, file))) {
          const shape = ACK_KINDS[kindKey(object.apiVersion, object.kind)]?.tagShape;
          if (!shape) continue;
          expect(JSON.parse(object.metadata.annotations[GIT_TAG_KEYS_ANNOTATION])).toEqual([...readTags(shape, object.spec).keys()].sort());
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  test('R-D1 health checks: dist/argocd/argocd-cm.k8s.yaml has one for every ACK kind in dist/ (DeferredObject templates included) and for the operator\'s kinds', () => {
    const [configMap] = docs(join(REPO_ROOT, 'dist', 'argocd', 'argocd-cm.k8s.yaml'));
    expect(configMap.metadata).toMatchObject({ name: 'argocd-cm', namespace: 'argocd' });
    const keys = Object.keys(configMap.data);
    const used = new Set<string>();
    for (const env of environments) {
      for (const file of readdirSync(join(REPO_ROOT, 'dist', env.name))) {
        for (const object of docs(join(REPO_ROOT, 'dist', env.name, file))) {
          for (const o of [object, object.kind === 'DeferredObject' ? object.spec.template : undefined]) {
            const group = o?.apiVersion?.split('/')[0];
            if (group?.endsWith('.services.k8s.aws')) used.add(`resource.customizations.health.${group}_${o.kind}`);
          }
        }
      }
    }
    expect([...used].filter((key) => !keys.includes(key))).toEqual([]);
    for (const kind of ['TagPolicy', 'FailoverGroup', 'DeferredObject', 'WebACLAssociation', 'TrailLogging', 'TargetTrackingPolicy']) expect(keys).toContain(`resource.customizations.health.ack-systems.io_${kind}`);
    expect(configMap.data['resource.customizations.health.ec2.services.k8s.aws_VPC']).toContain('ACK.Terminal');
  });

  test('R-D1 ACK\'s spec write-back leaves Git unchanged: every field the registry says Git leaves unset is unset, and every field it says Git writes in AWS\'s form is in that form', () => {
    const byKind = new Map<string, Record<string, any>[]>();
    for (const env of environments) {
      for (const file of readdirSync(join(REPO_ROOT, 'dist', env.name))) {
        for (const object of docs(join(REPO_ROOT, 'dist', env.name, file))) {
          const kind = `${String(object.apiVersion).split('/')[0]}/${object.kind}`;
          byKind.set(kind, [...(byKind.get(kind) ?? []), object.spec ?? {}]);
        }
      }
    }
    for (const entry of ACK_WRITE_BACK) {
      const specs = byKind.get(entry.kind) ?? [];
      expect([entry.kind, specs.length > 0]).toEqual([entry.kind, true]);
      const { handling } = entry;
      if (handling.kind === 'unset') {
        for (const field of entry.fields) expect([entry.kind, field, specs.filter((spec) => valuesAt(spec, field).length > 0).length]).toEqual([entry.kind, field, 0]);
      }
      if (handling.kind === 'echoed') expect([entry.kind, specs.filter((spec) => !handling.holds(spec)).length]).toEqual([entry.kind, 0]);
    }
  });

  test('R-D1 the write-back registry\'s path reader visits every list item and nothing that is absent', () => {
    expect(valuesAt({ a: [{ b: 1 }, { b: 2 }, {}] }, 'a[].b')).toEqual([1, 2]);
    expect(valuesAt({ a: { b: false } }, 'a.b')).toEqual([false]);
    expect(valuesAt({}, 'a.b')).toEqual([]);
  });
});
