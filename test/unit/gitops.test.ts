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

  test('sync never prunes automatically (pruning an ACK object can delete AWS resources), and applies server-side', () => {
    for (const env of environments) {
      for (const application of docs(join(REPO_ROOT, 'dist', 'argocd', `${env.name}.k8s.yaml`))) {
        expect(application.spec.syncPolicy).toEqual({ automated: { selfHeal: true, prune: false }, syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'] });
      }
    }
  });

  test('R-O1 R-O2 R-O6 fields written by the operator\'s field managers (tags, failover records, DeferredObject finalizers) are not drift, and a sync keeps them (no diff fight)', () => {
    for (const env of environments) {
      for (const application of docs(join(REPO_ROOT, 'dist', 'argocd', `${env.name}.k8s.yaml`))) {
        expect(application.spec.ignoreDifferences).toEqual([{ group: '*', kind: '*', managedFieldsManagers: [TAG_FIELD_MANAGER, FAILOVER_FIELD_MANAGER, DEFERRED_FIELD_MANAGER, GAP_FIELD_MANAGER] }]);
        expect(application.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
      }
    }
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
});
