/**
 * Argo CD sync waves: the order Argo CD applies objects in, lowest first
 * (the namespace is -1). Used where ACK has no reference to order objects by;
 * ACK still converges in any order, retrying a create whose predecessor is
 * missing, so the waves only make the order explicit and quicker.
 */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export function syncWave(wave: number): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}
