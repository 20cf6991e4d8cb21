import { ValidationError } from '../../lib/errors';
import { describeEc2Id, ec2IdPattern } from '../../lib/validation/aws';

/** A VPC that resources can be placed in: one this chart creates, or one that exists. */
export interface IVpc {
  /** The `vpcID`/`vpcRef` fields ACK kinds use to name their VPC. */
  readonly vpcFields: { readonly vpcId?: string; readonly vpcRef?: { readonly from: { readonly name: string } } };
}

/** A VPC that already exists, by ID (R-G6: from config, format-checked). */
export class ExistingVpc implements IVpc {
  static fromId(vpcId: string): ExistingVpc {
    if (!ec2IdPattern('vpc').test(vpcId)) throw new ValidationError(`vpcId "${vpcId}": expected ${describeEc2Id('vpc')}`);
    return new ExistingVpc(vpcId);
  }

  readonly vpcFields: IVpc['vpcFields'];

  private constructor(readonly vpcId: string) {
    this.vpcFields = { vpcId };
  }
}
