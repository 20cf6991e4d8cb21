import type { TagShape } from './tags/tag-shape';

/** What synth knows about an ACK kind without its CRD (generated into imports/ack-kinds.ts). */
export interface AckKindInfo {
  /** Resource name in API paths and RBAC rules. */
  readonly plural: string;
  /** How the kind stores AWS tags; `null`: it has none. */
  readonly tagShape: TagShape | null;
}
