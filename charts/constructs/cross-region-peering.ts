import { Construct } from 'constructs';
import * as ec2 from '../../imports/ec2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { Tags } from '../../lib/tags/tags';
import { K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { describeEc2Id, ec2IdPattern, type AwsRegion } from '../../lib/validation/aws';
import { adoptExisting } from '../../lib/ack-annotations';
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
   * Let each VPC resolve the other's private DNS names across the peering.
   * @default true
   */
  readonly allowDnsResolution?: boolean;
}

/**
 * A VPC peering connection between two regions, requested on one side and
 * accepted on the other.
 *
 * ACK's controller accepts a peering with the AWS client of the CR's own
 * region, but AWS only accepts a cross-region request in the accepter's region
 * (ec2-controller `vpc_peering_connection/sdk.go`). So the connection is two CRs:
 * the requester in the requester region (`acceptRequest: false`, explicit), and
 * an accepter in the accepter region that adopts the same `pcx-` ID with
 * `acceptRequest: true`. Each side sets only its own peering options, since AWS
 * also only modifies each side's options in its own region.
 */
export class CrossRegionPeering extends Construct {
  /** The connection as requested; reference this one (it always exists). */
  readonly requester: ec2.VpcPeeringConnection;
  /** The accepter's view of the connection; absent until its ID is known. */
  readonly accepter?: ec2.VpcPeeringConnection;
  /** Whether each VPC resolves the other's private DNS names. */
  readonly allowDnsResolution: boolean;

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

    this.allowDnsResolution = props.allowDnsResolution ?? true;
    // Both CRs manage the same AWS object, so both carry the same tags.
    Tags.of(this).add('Name', props.awsName);
    const connection = {
      vpcId: props.requester.vpcId,
      peerVpcid: props.accepter.vpcId,
      peerRegion: props.accepter.region,
    };
    const options = {
      allowDnsResolutionFromRemoteVpc: this.allowDnsResolution,
      // EC2-Classic is retired; keep its links off explicitly (seed 000, issue 4.1).
      allowEgressFromLocalClassicLinkToRemoteVpc: false,
      allowEgressFromLocalVpcToRemoteClassicLink: false,
    };

    this.requester = new ec2.VpcPeeringConnection(new RegionScope(this, 'Requester', props.requester), 'Resource', {
      metadata: { name: props.name },
      spec: { ...connection, acceptRequest: false, requesterPeeringConnectionOptions: options },
    });

    if (props.peeringConnectionId !== undefined) {
      this.accepter = new ec2.VpcPeeringConnection(new RegionScope(this, 'Accepter', props.accepter), 'Resource', {
        metadata: {
          name: `${props.name}-accepter`,
          // Adopts the connection the requester created, with the manifest as the
          // source of truth; a wrong ID fails loudly, since creating from the
          // accepter region would need the requester VPC to be there. Retained:
          // the requester owns the connection's lifecycle.
          annotations: adoptExisting({ vpcPeeringConnectionID: props.peeringConnectionId }),
        },
        spec: { ...connection, acceptRequest: true, accepterPeeringConnectionOptions: options },
      });
    }
  }
}

function vpcIdProblem(prop: string, value: string): string | undefined {
  return ec2IdPattern('vpc').test(value) ? undefined : `${prop} "${value}": expected ${describeEc2Id('vpc')}`;
}
