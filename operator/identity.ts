/**
 * The names the operator and its deployment chart must agree on, in one place:
 * the chart grants RBAC on the Lease the binary acquires, exposes the port it
 * serves, and Argo CD is told to ignore the fields its field manager owns.
 */

/** Namespace, ServiceAccount, Lease and event source name. */
export const OPERATOR_NAME = 'ack-systems-operator';

/** `/healthz`, `/readyz` and `/metrics` are served on this port. */
export const OPERATOR_METRICS_PORT = 8080;

/** The field manager that owns the tags the operator writes (for Argo CD's ignoreDifferences). */
export const TAG_FIELD_MANAGER = 'ack-systems-tag-operator';

/** The field manager of what the failover controller changes in members (the records it points elsewhere). */
export const FAILOVER_FIELD_MANAGER = 'ack-systems-failover-operator';

/** The field manager of the objects DeferredObjects render. */
export const DEFERRED_FIELD_MANAGER = 'ack-systems-deferred-operator';

/** The field manager of the ACK-gap controllers (finalizers and status of WebACLAssociations, TrailLoggings, TargetTrackingPolicies). */
export const GAP_FIELD_MANAGER = 'ack-systems-gap-operator';

/**
 * The optional ConfigMap, in the operator's namespace, with what differs per
 * cluster (`dist/operator/` is the same everywhere): `cluster-name` and
 * `failover-lease`, read as the environment variables below.
 */
export const OPERATOR_CLUSTER_CONFIG = { name: `${OPERATOR_NAME}-cluster`, env: { 'cluster-name': 'ACK_SYSTEMS_CLUSTER_NAME', 'failover-lease': 'ACK_SYSTEMS_FAILOVER_LEASE' } } as const;
