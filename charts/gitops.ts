/**
 * Argo CD Applications, one per system of an environment, generated from the
 * same registry and names that synth uses for `dist/<environment>/<system>.k8s.yaml`
 * and the system's namespace. The seed's "project name does not match the
 * deploy script" failure cannot happen: there is no second place to spell them.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../lib/config/environment';
import { DEFERRED_FIELD_MANAGER, FAILOVER_FIELD_MANAGER, GAP_FIELD_MANAGER, TAG_FIELD_MANAGER } from '../operator/identity';
import { SYSTEM_NAMES } from './index';

/** Argo CD's namespace and API. */
export const ARGOCD = { namespace: 'argocd', apiVersion: 'argoproj.io/v1alpha1' } as const;

/** Where synth writes a system's manifests, relative to the repository root. */
export function systemManifestPath(environment: string, system: string): { readonly path: string; readonly file: string } {
  return { path: `dist/${environment}`, file: `${system}.k8s.yaml` };
}

export class GitOpsChart extends Chart {
  constructor(scope: Construct, environment: EnvironmentConfig & { gitops: NonNullable<EnvironmentConfig['gitops']> }, namespaceOf: (system: string) => string) {
    super(scope, 'argocd', { disableResourceNameHashes: true });
    for (const system of SYSTEM_NAMES) {
      const { path, file } = systemManifestPath(environment.name, system);
      new ApiObject(this, system, {
        apiVersion: ARGOCD.apiVersion,
        kind: 'Application',
        metadata: { name: `${system}-${environment.name}`, namespace: ARGOCD.namespace, labels: { 'ack-systems.io/environment': environment.name } },
        spec: {
          project: environment.gitops.project,
          source: { repoURL: environment.gitops.repoURL, targetRevision: environment.gitops.targetRevision, path, directory: { include: file } },
          destination: { server: 'https://kubernetes.default.svc', namespace: namespaceOf(system) },
          // Tags the TagPolicy operator adds, records the failover controller points at the other
          // region, and the finalizer the DeferredObject controller puts on its objects are not
          // drift. RespectIgnoreDifferences keeps a sync from undoing them.
          ignoreDifferences: [{ group: '*', kind: '*', managedFieldsManagers: [TAG_FIELD_MANAGER, FAILOVER_FIELD_MANAGER, DEFERRED_FIELD_MANAGER, GAP_FIELD_MANAGER] }],
          syncPolicy: {
            // Self-heal drift; never prune automatically: pruning an ACK object can delete AWS resources.
            automated: { selfHeal: true, prune: false },
            syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
          },
        },
      });
    }
  }
}
