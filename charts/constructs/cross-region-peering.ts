import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { Tags } from '../../lib/tags/tags';
import { K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { describeEc2Id, ec2IdPattern, type AwsRegion } from '../../lib/validation/aws';
import { adoptExisting } from '../../lib/ack-annotations';
import { defer, deferredObjectOf, lateBound, valueOf } from './late-binding';
import { RegionScope } from './region-scope';

export interface PeeringSide {
  readonly region: AwsRegion;
  /** ID of the side's pre-existing VPC. */
  readonly vpcId: string;
}

export interface CrossRegionPeeringProps {
  /** Kubernetes object name of the requester; the accepter adds `-accepter`. */
  readonly name: string;
  /** AWS `Name` tag of the connection. */
  readonly awsName: string;
  readonly requester: PeeringSide;
  readonly accepter: PeeringSide;
  /**
   * ID of the connection once the requester has created it (`pcx-…`).
   * @default - unknown: the accepter is not emitted and the connection stays in
   *   `pending-acceptance` (read the ID from the system's outputs ConfigMap)
   */
  readonly peeringConnectionId?: string;
  /**
   * Let the requester VPC resolve the accepter VPC's private DNS hostnames: the
   * accepter-side option, set by the accepter object in the accepter region.
   * The requester-side option (the other direction) cannot be set through ACK;
   * see docs/systems/vpc-peering.md, "S1: DNS resolution across the peering".
   * @default true
   */
  readonly accepterDnsResolution?: boolean;
}

/**
 * A VPC peering connection between two regions, requested on one side and
 * accepted on the other, shaped so that both objects converge in ACK's
 * ec2-controller v1.20.0 (`pkg/resource/vpc_peering_connection/sdk.go`):
 *
 * - AWS accepts a cross-region request only in the accepter's region, and the
 *   controller accepts with its own region's client (sdk.go:573). So the
 *   connection is two objects: the requester in the requester region, and an
 *   accepter in the accepter region that adopts the same `pcx-` ID with
 *   `acceptRequest: true`.
 * - The controller's read reports `acceptRequest` from the connection's state
 *   (false while pending, true once active, sdk.go:283-290) and turns any other
 *   desired value into a Terminal error once active (sdk.go:562-566). So the
 *   requester says `false` while nothing can accept it, and `true` as soon as
 *   the accepter exists: the value the read will report once accepted.
 * - The accepter adopts with `adopt-or-create`, which keeps the manifest's spec
 *   (runtime `pkg/runtime/reconciler.go` Sync); `adopt` would overwrite it from
 *   AWS, resetting `acceptRequest` to false. It is retained on delete, so only
 *   the requester ever deletes the connection.
 * - Peering options: the read copies the requester's options from the desired
 *   spec, so the requester's are never sent; the accepter's are sent, in the
 *   accepter's region, which is where AWS wants them (sdk.go:255, 632). No
 *   ClassicLink option is ever set (EC2-Classic is retired).
 */
export class CrossRegionPeering extends Construct {
  /** The connection as requested; reference this one (it always exists). */
  readonly requester: ec2.VpcPeeringConnection;
  /** The accepter's view of the connection; absent until its ID is known (or, late-bound, a DeferredObject). */
  readonly accepter?: ec2.VpcPeeringConnection;
  /** Whether the operator wires the connection's ID into the accepter (and the routes wait for it). */
  readonly lateBound: boolean;
  /** Whether the requester VPC resolves the accepter VPC's private DNS names. */
  readonly accepterDnsResolution: boolean;

  constructor(scope: Construct, id: string, props: CrossRegionPeeringProps) {
    super(scope, id);
    const problem =
      nameProblem(`${props.name}-accepter`, K8S_LABEL_NAME) ??
      vpcIdProblem('requester.vpcId', props.requester.vpcId) ??
      vpcIdProblem('accepter.vpcId', props.accepter.vpcId) ??
      (props.requester.region === props.accepter.region ? `requester.region and accepter.region are both "${props.requester.region}"; use a same-region peering` : undefined) ??
      (props.peeringConnectionId === undefined || ec2IdPattern('pcx').test(props.peeringConnectionId)
        ? undefined
        : `peeringConnectionId "${props.peeringConnectionId}": expected ${describeEc2Id('pcx')}`);
    if (problem) throw new ValidationError(problem, this);

    this.accepterDnsResolution = props.accepterDnsResolution ?? true;
    // Both CRs manage the same AWS object, so both carry the same tags.
    Tags.of(this).add('Name', props.awsName);
    const connection = {
      vpcId: props.requester.vpcId,
      peerVpcid: props.accepter.vpcId,
      peerRegion: props.accepter.region,
    };
    const accepterKnown = props.peeringConnectionId !== undefined;
    // Late binding: the accepter adopts the ID from the requester's status, and the requester's
    // acceptRequest turns true once the accepter is applied (its DeferredObject says so), as a
    // second synth would do it; the requester reads the DeferredObject, not the accepter, so
    // nothing waits in a circle.
    this.lateBound = !accepterKnown && lateBound(this);

    this.requester = new ec2.VpcPeeringConnection(new RegionScope(this, 'Requester', props.requester), 'Resource', {
      metadata: { name: props.name },
      spec: { ...connection, acceptRequest: (this.lateBound ? '${has(accepterDeferred.status.rendered)}' : accepterKnown) as boolean },
    });

    if (accepterKnown || this.lateBound) {
      const requesterInput = { name: 'requester', object: this.requester };
      const accepter = new ec2.VpcPeeringConnection(new RegionScope(this, 'Accepter', props.accepter), 'Resource', {
        metadata: {
          name: `${props.name}-accepter`,
          // A wrong ID fails loudly: "creating" from the accepter region would
          // need the requester VPC to be there.
          annotations: adoptExisting({ vpcPeeringConnectionID: props.peeringConnectionId ?? valueOf(requesterInput, 'status.vpcPeeringConnectionID') }),
        },
        spec: {
          ...connection,
          acceptRequest: true,
          accepterPeeringConnectionOptions: { allowDnsResolutionFromRemoteVpc: this.accepterDnsResolution },
        },
      });
      this.accepter = accepter;
      if (this.lateBound) {
        defer(accepter, [requesterInput]);
        defer(this.requester, [{ name: 'accepterDeferred', object: deferredObjectOf(accepter) }]);
      }
    }
  }
}

function vpcIdProblem(prop: string, value: string): string | undefined {
  return ec2IdPattern('vpc').test(value) ? undefined : `${prop} "${value}": expected ${describeEc2Id('vpc')}`;
}
