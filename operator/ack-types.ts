import type { ResourceType } from './runtime/api-client';

/** An ACK kind as the runtime reads it: `<service>.services.k8s.aws/v1alpha1`, namespaced (every ACK kind the controllers read is). */
export function ackType(service: string, kind: string, plural: string): ResourceType {
  return { group: `${service}.services.k8s.aws`, version: 'v1alpha1', kind, plural, namespaced: true };
}
