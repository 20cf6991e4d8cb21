/**
 * The objects a lint run reads, as the rules see them: each with where it came
 * from (file, line, for reports), its kind key, namespace, AWS region and
 * whether its environment is production. A `DeferredObject`'s template is
 * linted as the object the operator will render (its `${...}` values are
 * unknown until then: rules skip them).
 */
import { ACK_ANNOTATIONS } from '../lib/ack-annotations';
import { PROJECT_LABELS } from '../lib/labels';

export type Json = Record<string, any>;

export interface Source {
  /** File as given (or `<stdin>`). */
  readonly file: string;
  /** 1-based line of the document's first line. */
  readonly line: number;
}

export interface LintObject {
  readonly manifest: Json;
  /** `<group>/<Kind>`, e.g. `ec2.services.k8s.aws/SecurityGroup` (core kinds: `/Namespace`). */
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly source: Source;
  /** The AWS region: the object's annotation, else its namespace's default. */
  readonly region?: string;
  readonly production: boolean;
  /** Rendered later by the operator from this DeferredObject (name of the DeferredObject). */
  readonly deferredBy?: string;
}

/** What marks a production environment: `ack-systems.io/tier: production` on the object or its namespace. */
const TIER_LABEL = PROJECT_LABELS.tier;
const DEFERRED_OBJECT = 'ack-systems.io/DeferredObject';

export const kindOf = (manifest: Json): string => `${String(manifest.apiVersion ?? '').split('/').slice(0, -1).join('/')}/${manifest.kind}`;

/** Whether a value is known now (not a `${...}` expression the operator fills in). */
export function known(value: unknown): boolean {
  return !(typeof value === 'string' && value.includes('${'));
}

export interface LintSetOptions {
  /** Treat every object as production. @default from the tier label */
  readonly production?: boolean;
  /** Tag keys every taggable AWS resource must carry. @default the SPEC's R-G3 set */
  readonly requiredTags?: readonly string[];
}

/** The tags every AWS resource carries (SPEC R-G3), unless the run names others. */
export const DEFAULT_REQUIRED_TAGS = ['Environment', 'EnvironmentSuffix', 'Owner', 'CostCenter', 'ManagedBy', 'Project', 'Application'] as const;

/** The objects of one run, with lookups the rules share. */
export class LintSet {
  readonly objects: readonly LintObject[];
  readonly requiredTags: readonly string[];
  private readonly byKindName = new Map<string, LintObject[]>();
  private readonly byName = new Map<string, LintObject[]>();
  private readonly kindLists = new Map<string, LintObject[]>();

  constructor(documents: readonly { manifest: Json; source: Source }[], options: LintSetOptions = {}) {
    this.requiredTags = options.requiredTags ?? DEFAULT_REQUIRED_TAGS;
    const namespaces = new Map(documents.filter((d) => d.manifest.kind === 'Namespace' && d.manifest.apiVersion === 'v1').map((d) => [d.manifest.metadata?.name, d.manifest]));
    const expanded = documents.flatMap(({ manifest, source }) => {
      if (kindOf(manifest) !== DEFERRED_OBJECT || !manifest.spec?.template) return [{ manifest, source }];
      const template = { ...manifest.spec.template, metadata: { ...manifest.spec.template.metadata, namespace: manifest.metadata?.namespace } };
      return [{ manifest, source }, { manifest: template, source, deferredBy: manifest.metadata?.name as string }];
    });
    this.objects = expanded.map(({ manifest, source, deferredBy }: { manifest: Json; source: Source; deferredBy?: string }) => {
      const namespace = manifest.metadata?.namespace as string | undefined;
      const ns = namespace ? namespaces.get(namespace) : undefined;
      const tier = manifest.metadata?.labels?.[TIER_LABEL] ?? ns?.metadata?.labels?.[TIER_LABEL];
      return {
        manifest,
        kind: kindOf(manifest),
        name: String(manifest.metadata?.name ?? ''),
        namespace,
        source,
        region: manifest.metadata?.annotations?.[ACK_ANNOTATIONS.region] ?? ns?.metadata?.annotations?.[ACK_ANNOTATIONS.defaultRegion],
        production: options.production ?? tier === 'production',
        deferredBy,
      };
    });
    for (const object of this.objects) {
      const key = `${object.kind}|${object.namespace ?? ''}/${object.name}`;
      this.byKindName.set(key, [...(this.byKindName.get(key) ?? []), object]);
      if (isAck(object.kind)) this.byName.set(`${object.namespace ?? ''}/${object.name}`, [...(this.byName.get(`${object.namespace ?? ''}/${object.name}`) ?? []), object]);
    }
  }

  /** The objects of these kinds (`<group>/<Kind>`; `*` every ACK kind). */
  ofKinds(kinds: readonly string[]): LintObject[] {
    const key = kinds.join(',');
    let found = this.kindLists.get(key);
    if (!found) this.kindLists.set(key, (found = this.objects.filter((o) => kinds.includes(o.kind) || (kinds.includes('*') && isAck(o.kind)))));
    return found;
  }

  /** An object by kind, namespace and name (a rendered one wins over nothing). */
  find(kind: string, namespace: string | undefined, name: string): LintObject | undefined {
    return this.byKindName.get(`${kind}|${namespace ?? ''}/${name}`)?.[0];
  }

  /** Objects of any ACK kind by namespace and name, for references whose kind the field implies. */
  named(namespace: string | undefined, name: string): LintObject[] {
    return this.byName.get(`${namespace ?? ''}/${name}`) ?? [];
  }
}

export function isAck(kind: string): boolean {
  return /\.services\.k8s\.aws\//.test(kind) && !kind.startsWith('services.k8s.aws/');
}
