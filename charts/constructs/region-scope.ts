import { Construct, type IConstruct } from 'constructs';
import { ValidationError } from '../../lib/errors';
import { isAwsRegion, type AwsRegion } from '../../lib/validation/aws';

const REGION_CONTEXT = 'ack-systems:region';

export interface RegionScopeProps {
  /** AWS region of every ACK object created inside this scope. */
  readonly region: AwsRegion;
}

/**
 * A scope whose ACK objects live in one AWS region. `SystemChart` writes the
 * nearest scope's region into each ACK object's `services.k8s.aws/region`
 * annotation (R-G5), so multi-region systems state every object's region
 * explicitly instead of relying on the namespace or controller default.
 */
export class RegionScope extends Construct {
  /** The region of the nearest enclosing region scope (or chart). */
  static regionOf(construct: IConstruct): AwsRegion | undefined {
    return construct.node.tryGetContext(REGION_CONTEXT);
  }

  /** Makes `scope` a region scope; must run before `scope` has children. */
  static assign(scope: Construct, region: string): void {
    if (!isAwsRegion(region)) {
      throw new ValidationError(`region "${region}" is not an AWS region`, scope);
    }
    scope.node.setContext(REGION_CONTEXT, region);
  }

  readonly region: AwsRegion;

  constructor(scope: Construct, id: string, props: RegionScopeProps) {
    super(scope, id);
    RegionScope.assign(this, props.region);
    this.region = props.region;
  }
}
