/**
 * Argo CD health checks (Lua, `resource.customizations.health.<group>_<Kind>`
 * in `argocd-cm`) for every ACK kind the systems use and for the operator's own
 * kinds, so that an Application is Healthy only when ACK says AWS matches, and
 * sync waves wait for what they should. Argo CD ships ACK health checks only
 * since 2026-08; these work with any release.
 *
 * - ACK kinds and the ACK-gap kinds: `ACK.Terminal` True → Degraded (with ACK's
 *   message); `ACK.ResourceSynced` True → Healthy, otherwise Progressing (ACK's
 *   conditions: runtime `apis/core/v1alpha1/conditions.go`).
 * - `TagPolicy`: its `Ready` condition; `DeferredObject`: `Ready`, and
 *   Degraded when it cannot render (bad expression, cycle, refused or forbidden
 *   kind), Progressing while it waits for an input; `FailoverGroup`: its phase
 *   (Blocked and Degraded are Degraded, a move in progress is Progressing).
 */
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { OPERATOR_GROUP } from '../operator/tag-policy/crd';

/**
 * Lua for an object whose conditions say its health: Degraded when a
 * condition matches `degraded` (a Lua expression over `c`), else Healthy or
 * Progressing by the `healthy` condition's status, Progressing without status.
 */
function conditionsHealthLua(healthy: string, degraded: string, waiting: string): string {
  return `hs = {}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if ${degraded} then
      hs.status = "Degraded"
      hs.message = c.message or c.reason
      return hs
    end
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "${healthy}" then
      if c.status == "True" then
        hs.status = "Healthy"
      else
        hs.status = "Progressing"
      end
      hs.message = c.message or c.reason or ""
      return hs
    end
  end
end
hs.status = "Progressing"
hs.message = "${waiting}"
return hs
`;
}

/** Lua for an object reporting ACK's conditions. */
export const ACK_HEALTH_LUA = conditionsHealthLua('ACK.ResourceSynced', 'c.type == "ACK.Terminal" and c.status == "True"', 'waiting for the controller to report ACK.ResourceSynced');

/** Lua for an object with a `Ready` condition; `degradedReasons` mark a problem that waiting does not fix. */
export function readyHealthLua(degradedReasons: readonly string[]): string {
  const reasons = degradedReasons.map((r) => `c.reason == "${r}"`).join(' or ') || 'false';
  return conditionsHealthLua('Ready', `(c.type == "Ready" or c.type == "Resolved" or c.type == "Applied") and c.status == "False" and (${reasons})`, 'waiting for the ack-systems operator');
}

/** Lua for a FailoverGroup: by phase. */
export const FAILOVER_GROUP_HEALTH_LUA = `hs = {}
local phase = obj.status ~= nil and obj.status.phase or nil
if phase == "Healthy" or phase == "FailedOver" or phase == "Frozen" then
  hs.status = "Healthy"
elseif phase == "Degraded" or phase == "Blocked" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
hs.message = phase or "waiting for the ack-systems operator"
return hs
`;

/** The `argocd-cm` keys: `<group>_<Kind>` → Lua, for the ACK kinds given and the operator's kinds. */
export function healthCustomizations(ackKinds: readonly string[]): Record<string, string> {
  const key = (groupKind: string) => `resource.customizations.health.${groupKind.replace('/', '_')}`;
  const ours: Record<string, string> = {
    [`${OPERATOR_GROUP}/TagPolicy`]: readyHealthLua([]),
    [`${OPERATOR_GROUP}/DeferredObject`]: readyHealthLua(['InvalidExpression', 'Cycle', 'KindNotServed', 'Forbidden', 'Rejected']),
    [`${OPERATOR_GROUP}/FailoverGroup`]: FAILOVER_GROUP_HEALTH_LUA,
    [`${OPERATOR_GROUP}/WebACLAssociation`]: ACK_HEALTH_LUA,
    [`${OPERATOR_GROUP}/TrailLogging`]: ACK_HEALTH_LUA,
    [`${OPERATOR_GROUP}/TargetTrackingPolicy`]: ACK_HEALTH_LUA,
  };
  return Object.fromEntries([...[...new Set(ackKinds)].sort().map((kind) => [key(kind), ACK_HEALTH_LUA] as const), ...Object.entries(ours).map(([kind, lua]) => [key(kind), lua] as const)]);
}

/**
 * `argocd-cm` with only these keys: apply it with server-side apply
 * (`kubectl apply --server-side --field-manager=ack-systems`) and it merges
 * into the existing ConfigMap, keeping Argo CD's other settings.
 */
export class ArgoCdHealthChart extends Chart {
  constructor(scope: Construct, ackKinds: readonly string[]) {
    super(scope, 'argocd-health', { disableResourceNameHashes: true });
    new ApiObject(this, 'argocd-cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } },
      data: healthCustomizations(ackKinds),
    });
  }
}
