import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct, IConstruct } from 'constructs';
import { ACK_KINDS } from '../imports/ack-kinds';
import { ACK_ANNOTATIONS, ACK_SERVICE_GROUP } from '../lib/ack-annotations';
import type { EnvironmentConfig, SystemName } from '../lib/config/environment';
import { ValidationError } from '../lib/errors';
import { GIT_TAG_KEYS_ANNOTATION, PROJECT_LABELS } from '../lib/labels';
import { K8S_LABEL_NAME, joinName } from '../lib/naming';
import { readTags, withTags } from '../lib/tags/apply';
import { kindKey } from '../lib/tags/tag-shape';
import { Tags } from '../lib/tags/tags';
import type { AwsRegion } from '../lib/validation/aws';
import { DEFERRED_OBJECT_TYPE, deferredObjectSpecSchema } from '../operator/deferred-object/crd';
import { TemplateProgram } from '../operator/deferred-object/template';
import { deferredInputs, deferredObjectOf, type DeferredInput } from './constructs/late-binding';
import { RegionScope } from './constructs/region-scope';
import { SYNC_WAVE_ANNOTATION, syncWave } from './constructs/sync-wave';

export interface SystemChartProps {
  readonly environment: EnvironmentConfig;
  readonly system: SystemName;
  /** Region of objects outside any `RegionScope`, and the namespace's default region. */
  readonly region: AwsRegion;
  /** The system's tags from config; they add to and override the environment's tags. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Base of every system chart: one system in one environment, written to
 * `dist/<environment>/<system>.k8s.yaml`.
 *
 * It creates the system's namespace first (R-G11) and, when synthesized, gives
 * every ACK object its region annotation (R-G5) and the environment's tags in
 * the object's own tag shape (R-G3), and annotates the namespace with the
 * deletion policy of every ACK service the chart uses (R-G7).
 */
export class SystemChart extends Chart {
  /**
   * The system chart `scope` belongs to. (`instanceof` cannot tell: cdk8s's
   * Chart answers it for every chart.)
   */
  static of(scope: IConstruct): SystemChart {
    const chart = Chart.of(scope);
    if (!('environment' in chart)) throw new ValidationError('AWS constructs must live in a SystemChart', scope);
    return chart as SystemChart;
  }

  readonly environment: EnvironmentConfig;
  readonly system: SystemName;
  readonly namespaceName: string;

  constructor(scope: Construct, props: SystemChartProps) {
    const namespaceName = joinName(K8S_LABEL_NAME, [props.system, props.environment.name]);
    super(scope, props.system, {
      namespace: namespaceName,
      disableResourceNameHashes: true,
      labels: {
        'app.kubernetes.io/part-of': props.system,
        'app.kubernetes.io/managed-by': 'cdk8s',
        [PROJECT_LABELS.environment]: props.environment.name,
        [PROJECT_LABELS.tier]: props.environment.tier,
      },
    });
    RegionScope.assign(this, props.region);
    this.environment = props.environment;
    this.system = props.system;
    this.namespaceName = namespaceName;

    new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: namespaceName,
        annotations: {
          [ACK_ANNOTATIONS.defaultRegion]: props.region,
          // Every object here lives in the environment's account, through the role ack-role-account-map names for it.
          [ACK_ANNOTATIONS.ownerAccountId]: props.environment.awsAccountID,
          // Argo CD: create the namespace before anything that lives in it.
          ...syncWave(-1),
        },
      },
    });

    const tags = Tags.of(this);
    tags.add('Environment', props.environment.name);
    tags.add('EnvironmentSuffix', props.environment.environmentSuffix);
    for (const [key, value] of Object.entries({ ...props.environment.tags, ...props.tags })) tags.add(key, value);
  }

  override toJson(): any[] {
    const objects = new Map(
      this.node
        .findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this)
        .map((o) => [`${o.apiVersion}|${o.kind}|${o.name}`, o]),
    );
    const services = new Set<string>();
    const manifests = super.toJson().map((manifest) => {
      const service = ACK_SERVICE_GROUP.exec(manifest.apiVersion.split('/')[0])?.[1];
      if (!service) return manifest;
      services.add(service);
      const construct = objects.get(`${manifest.apiVersion}|${manifest.kind}|${manifest.metadata.name}`)!;
      const finalized = this.finalizeAckObject(manifest, construct);
      const inputs = deferredInputs(construct);
      return inputs ? this.deferredObject(finalized, construct, inputs) : finalized;
    });
    return manifests.map((manifest) => sortKeys(manifest.kind === 'Namespace' ? this.finalizeNamespace(manifest, services) : manifest));
  }

  private finalizeAckObject(manifest: any, construct: ApiObject): any {
    const region = RegionScope.regionOf(construct);
    if (!region) throw new ValidationError('ACK object has no region; create it inside a RegionScope', construct);
    const shape = ACK_KINDS[kindKey(manifest.apiVersion, manifest.kind)]?.tagShape;
    if (shape === undefined) {
      throw new ValidationError(`${manifest.apiVersion} ${manifest.kind} is not in imports/; run \`npm run import\``, construct);
    }
    const tagged = shape === null ? manifest : { ...manifest, spec: withTags(shape, manifest.spec, Tags.effective(construct)) };
    const annotations = {
      [ACK_ANNOTATIONS.region]: region,
      // What Argo CD's diff needs to tell Git's tags from the ones the operator adds (charts/gitops.ts).
      ...(shape && this.environment.gitops ? { [GIT_TAG_KEYS_ANNOTATION]: JSON.stringify([...readTags(shape, tagged.spec).keys()].sort()) } : {}),
      ...manifest.metadata.annotations,
    };
    return { ...tagged, metadata: { ...manifest.metadata, annotations } };
  }

  /**
   * A deferred object as the DeferredObject the operator renders it from (R-O6):
   * the finished object (tags, region) is the template; it keeps its sync wave.
   * Its expressions are compiled here, so a bad one fails synth, not the cluster.
   */
  private deferredObject(manifest: any, construct: ApiObject, inputs: readonly DeferredInput[]): any {
    const { namespace, ...metadata } = manifest.metadata;
    const spec = deferredObjectSpecSchema.parse({
      inputs: inputs.map((input) => {
        if (!('object' in input)) return { name: input.name, apiGatewayDomainName: input.apiGatewayDomainName };
        if (input.object instanceof ApiObject && Chart.of(input.object) !== this) {
          throw new ValidationError(`input ${input.name} (${input.object.kind} ${input.object.name}) is in another chart: a DeferredObject reads only its own namespace`, construct);
        }
        return { name: input.name, object: { apiVersion: input.object.apiVersion, kind: input.object.kind, name: input.object.name }, ...(input.optional ? { optional: true } : {}) };
      }),
      template: { ...manifest, metadata },
    });
    const program = TemplateProgram.compile(spec.template, spec.inputs.map((input) => input.name));
    if (!(program instanceof TemplateProgram)) throw new ValidationError(`deferred ${manifest.kind} ${manifest.metadata.name}: ${program.errors.join('; ')}`, construct);
    const wave = manifest.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
    return {
      apiVersion: `${DEFERRED_OBJECT_TYPE.group}/${DEFERRED_OBJECT_TYPE.version}`,
      kind: DEFERRED_OBJECT_TYPE.kind,
      metadata: { name: deferredObjectOf(construct).name, namespace, ...(wave ? { annotations: { [SYNC_WAVE_ANNOTATION]: wave } } : {}) },
      spec,
    };
  }

  /** Namespaces are cluster-scoped; the chart's namespace must not be written into them. */
  private finalizeNamespace(manifest: any, services: ReadonlySet<string>): any {
    const { namespace: _clusterScoped, ...metadata } = manifest.metadata;
    const policies = [...services].sort().map((service) => [ACK_ANNOTATIONS.serviceDeletionPolicy(service), this.environment.deletionPolicy]);
    return { ...manifest, metadata: { ...metadata, annotations: { ...metadata.annotations, ...Object.fromEntries(policies) } } };
  }
}

/**
 * Sorts object keys like cdk8s does (apiVersion, kind and metadata first), so
 * the fields added here do not depend on insertion order. Arrays keep theirs.
 */
function sortKeys(manifest: Record<string, unknown>): Record<string, unknown> {
  const sortDeep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortDeep);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortDeep((value as Record<string, unknown>)[key])]));
  };
  const { apiVersion, kind, metadata, ...rest } = manifest;
  return { apiVersion, kind, metadata: sortDeep(metadata), ...(sortDeep(rest) as Record<string, unknown>) };
}
