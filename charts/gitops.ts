/**
 * Argo CD Applications, one per system of an environment, generated from the
 * same registry and names that synth uses for `dist/<environment>/<system>.k8s.yaml`
 * and the system's namespace. The seed's "project name does not match the
 * deploy script" failure cannot happen: there is no second place to spell them.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ACK_KINDS } from '../imports/ack-kinds';
import type { EnvironmentConfig } from '../lib/config/environment';
import { GIT_TAG_KEYS_ANNOTATION } from '../lib/labels';
import type { TagShape } from '../lib/tags/tag-shape';
import { DEFERRED_FIELD_MANAGER, FAILOVER_FIELD_MANAGER, GAP_FIELD_MANAGER } from '../operator/identity';
import { SYSTEM_NAMES } from './index';

/** Argo CD's namespace and API. */
export const ARGOCD = { namespace: 'argocd', apiVersion: 'argoproj.io/v1alpha1' } as const;

/** Where synth writes a system's manifests, relative to the repository root. */
export function systemManifestPath(environment: string, system: string): { readonly path: string; readonly file: string } {
  return { path: `dist/${environment}`, file: `${system}.k8s.yaml` };
}

/**
 * Argo CD `jqPathExpressions` (one per tag shape of the imported ACK kinds)
 * that hide from the diff exactly the tag entries whose key Git does not give
 * the object (its GIT_TAG_KEYS_ANNOTATION): the TagPolicy operator's. Most
 * shapes are lists, which server-side apply treats as one atomic field, so
 * `managedFieldsManagers` would hide the whole list once the operator adds a
 * tag, and a tag changed in Git would never be applied.
 */
export function operatorTagExpressions(): string[] {
  const shapes = new Map<string, TagShape>();
  for (const { tagShape } of Object.values(ACK_KINDS)) if (tagShape) shapes.set(JSON.stringify(tagShape), tagShape);
  const gitKeys = `(.metadata.annotations[${JSON.stringify(GIT_TAG_KEYS_ANNOTATION)}] // null | select(. != null) | fromjson) as $git`;
  return [...shapes.values()].map((shape) => {
    const field = `.spec${shape.path.map((p) => `.${p}`).join('')}`;
    return shape.form === 'map'
      ? `${gitKeys} | ${field} | select(type == "object") | (keys - $git)[] as $key | .[$key]`
      : `${gitKeys} | ${field} | select(type == "array") | .[] | select(has("${shape.keyField}") and (.${shape.keyField} as $key | $git | index([$key]) | not))`;
  });
}

export class GitOpsChart extends Chart {
  constructor(scope: Construct, environment: EnvironmentConfig & { gitops: NonNullable<EnvironmentConfig['gitops']> }, namespaceOf: (system: string) => string) {
    super(scope, 'argocd', { disableResourceNameHashes: true });
    const operatorTags = operatorTagExpressions();
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
          // Not drift: the tags the TagPolicy operator adds (and only those), the records the
          // failover controller points at the other region, and what the DeferredObject and ACK-gap
          // controllers write on the objects (finalizers).
          ignoreDifferences: [{ group: '*', kind: '*', managedFieldsManagers: [FAILOVER_FIELD_MANAGER, DEFERRED_FIELD_MANAGER, GAP_FIELD_MANAGER], jqPathExpressions: operatorTags }],
          syncPolicy: {
            // Self-heal drift; never prune automatically: pruning an ACK object can delete AWS resources.
            automated: { selfHeal: true, prune: false },
            // A sync applies only the objects that differ, so what the operator wrote on the others
            // stays. Not RespectIgnoreDifferences: Argo CD copies the ignored fields' live values into
            // Git's object with a JSON merge patch, which replaces a whole tag list, so a tag changed
            // in Git would never be applied (argo-cd v3.2.6 controller/sync.go normalizeTargetResources).
            syncOptions: ['ServerSideApply=true', 'ApplyOutOfSyncOnly=true'],
          },
        },
      });
    }
  }
}
