import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FieldExport, FieldExportSpecToKind } from '../../imports/services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { K8S_LABEL_NAME, joinName } from '../../lib/naming';

export interface SystemOutputsProps {
  /** Name of the ConfigMap consumers read; FieldExports are named after it. */
  readonly name: string;
  /** Values known at synth time. @default - none */
  readonly staticValues?: Readonly<Record<string, string>>;
}

/**
 * A system's outputs in one ConfigMap (R-G10): values known at synth time are
 * written directly, values AWS assigns (IDs, status) are copied in by ACK
 * `FieldExport`s once the controllers report them.
 */
export class SystemOutputs extends Construct {
  readonly configMap: kplus.ConfigMap;
  private readonly keys = new Set<string>();

  constructor(scope: Construct, id: string, private readonly props: SystemOutputsProps) {
    super(scope, id);
    Object.keys(props.staticValues ?? {}).forEach((key) => this.claim(key));
    // The ConfigMap must exist for FieldExports to write into it.
    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', { metadata: { name: props.name }, data: { ...props.staticValues } });
  }

  /**
   * Copies the field at `path` (e.g. `.status.vpcPeeringConnectionID`) of
   * `from` into `key` of the ConfigMap.
   */
  exportField(key: string, from: ApiObject, path: string): FieldExport {
    this.claim(key);
    return new FieldExport(this, key, {
      metadata: { name: joinName(K8S_LABEL_NAME, [this.props.name, kebab(key)]) },
      spec: {
        from: { path, resource: { group: from.apiGroup, kind: from.kind, name: from.name } },
        to: { kind: FieldExportSpecToKind.CONFIGMAP, name: this.props.name, key },
      },
    });
  }

  private claim(key: string): void {
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new ValidationError(`output key "${key}" is not a valid ConfigMap key`, this);
    if (this.keys.has(key)) throw new ValidationError(`output key "${key}" is defined twice`, this);
    this.keys.add(key);
  }
}

function kebab(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
