/**
 * What the tag enforcer last found for each object, so that a policy's status
 * can be summarized without re-reading anything.
 */
import type { PolicyConflict } from './crd';

export interface ObjectRecord {
  /** `<group>/<Kind>` */
  readonly kind: string;
  readonly policies: readonly string[];
  readonly state: 'compliant' | 'untaggable' | 'pending';
  readonly conflicts: readonly PolicyConflict[];
}

export interface PolicySummary {
  readonly covered: number;
  readonly compliant: number;
  readonly corrected: number;
  readonly untaggable: { readonly objects: number; readonly kinds: readonly string[] };
  readonly conflicts: readonly PolicyConflict[];
  readonly pending: number;
  /** The last write failure while objects are still pending. */
  readonly lastError?: string;
}

export class ComplianceLedger {
  private readonly records = new Map<string, ObjectRecord>();
  private readonly corrections = new Map<string, number>();
  private readonly errors = new Map<string, string>();

  get(key: string): ObjectRecord | undefined {
    return this.records.get(key);
  }

  set(key: string, record: ObjectRecord): void {
    this.records.set(key, record);
  }

  remove(key: string): void {
    this.records.delete(key);
  }

  countCorrection(policy: string): void {
    this.corrections.set(policy, (this.corrections.get(policy) ?? 0) + 1);
  }

  recordError(policies: readonly string[], message: string): void {
    for (const policy of policies) this.errors.set(policy, message);
  }

  summarize(policy: string): PolicySummary {
    let covered = 0;
    let compliant = 0;
    let pending = 0;
    let untaggableObjects = 0;
    const untaggableKinds = new Set<string>();
    const conflicts: PolicyConflict[] = [];
    for (const record of this.records.values()) {
      if (!record.policies.includes(policy)) continue;
      covered += 1;
      if (record.state === 'compliant') compliant += 1;
      if (record.state === 'pending') pending += 1;
      if (record.state === 'untaggable') {
        untaggableObjects += 1;
        untaggableKinds.add(record.kind);
      }
      conflicts.push(...record.conflicts.filter((c) => c.policies.includes(policy)));
    }
    conflicts.sort((a, b) => a.object.localeCompare(b.object) || a.key.localeCompare(b.key));
    if (pending === 0) this.errors.delete(policy);
    return {
      lastError: this.errors.get(policy),
      covered,
      compliant,
      pending,
      corrected: this.corrections.get(policy) ?? 0,
      untaggable: { objects: untaggableObjects, kinds: [...untaggableKinds].sort() },
      conflicts,
    };
  }
}
