/**
 * Annotations the ACK runtime reads (research: ack-crds.md §2, from
 * aws-controllers-k8s/runtime `apis/core/v1alpha1/annotations.go`).
 */
export const ACK_ANNOTATIONS = {
  /** Region of one object; wins over the namespace default. */
  region: 'services.k8s.aws/region',
  /** Namespace default region. */
  defaultRegion: 'services.k8s.aws/default-region',
  /**
   * Namespace: the AWS account its objects live in; the controllers assume the
   * role `ack-role-account-map` maps it to (runtime `reconciler.go` getOwnerAccountID).
   */
  ownerAccountId: 'services.k8s.aws/owner-account-id',
  /** `retain` keeps the AWS resource when the object is deleted. */
  deletionPolicy: 'services.k8s.aws/deletion-policy',
  /** `adopt` (AWS state overwrites the spec) or `adopt-or-create` (the spec wins). */
  adoptionPolicy: 'services.k8s.aws/adoption-policy',
  /** JSON object of the identifiers used to find the resource to adopt. */
  adoptionFields: 'services.k8s.aws/adoption-fields',
  /** `"true"`: the controller only reads the resource, never creates, updates or deletes it (ReadOnlyResources gate, on by default). */
  readOnly: 'services.k8s.aws/read-only',
  /** Namespace-level deletion policy of one service controller. */
  serviceDeletionPolicy: (service: string) => `${service}.services.k8s.aws/deletion-policy`,
} as const;

/** Matches the API group of an ACK service controller and captures the service. */
export const ACK_SERVICE_GROUP = /^([a-z0-9]+)\.services\.k8s\.aws$/;

/**
 * Annotations that make an object adopt an existing AWS resource, with the
 * manifest as the source of truth, and never delete it (it existed before us).
 */
export function adoptExisting(fields: Record<string, string>): Record<string, string> {
  return {
    [ACK_ANNOTATIONS.adoptionPolicy]: 'adopt-or-create',
    [ACK_ANNOTATIONS.adoptionFields]: JSON.stringify(fields),
    [ACK_ANNOTATIONS.deletionPolicy]: 'retain',
  };
}

/**
 * Cross-account resource management (CARM): the ConfigMap, in the ACK
 * controllers' namespace, that maps an account ID to the role to assume there
 * (runtime `pkg/runtime/cache/account.go`, `ACK_SYSTEM_NAMESPACE` default).
 */
export const ACK_ROLE_ACCOUNT_MAP = { namespace: 'ack-system', name: 'ack-role-account-map' } as const;
