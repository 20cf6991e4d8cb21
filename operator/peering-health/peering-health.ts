/**
 * Makes the health of VPC peering connections something a team can be paged
 * by (SPEC S1). AWS publishes no CloudWatch metric for a peering connection
 * (the seed's "AWS/VPC StatusCheckFailed" does not exist); ACK reports the
 * connection's state in `status.status.code`. This exports it as a
 * Prometheus gauge on the operator's /metrics, which the alert rules of
 * `dist/operator/monitoring.k8s.yaml` page on. Only the leader exports it, so
 * that one series per connection reaches Prometheus.
 */
import { Gauge } from 'prom-client';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CachedKind, Manager, ResourceType, Runnable } from '../runtime/index';

/** 1 while the connection is `active`, 0 in any other state (or none reported yet). */
export const PEERING_ACTIVE_METRIC = 'ack_systems_vpc_peering_connection_active';

export const VPC_PEERING_TYPE: ResourceType = {
  group: 'ec2.services.k8s.aws',
  version: 'v1alpha1',
  plural: 'vpcpeeringconnections',
  kind: 'VPCPeeringConnection',
  namespaced: true,
};

/** What this reads of a connection: its state. */
interface PeeringState extends KubernetesObject {
  status?: { status?: { code?: string } };
}

export class PeeringHealth implements Runnable {
  readonly name = 'peering-health';
  private readonly gauge: Gauge;
  private readonly connections: CachedKind<PeeringState>;
  private removeHandler?: () => void;

  constructor(manager: Manager) {
    this.gauge = new Gauge({
      name: PEERING_ACTIVE_METRIC,
      help: 'Whether an ACK VPCPeeringConnection is active (1) or in any other state (0), from its status.status.code',
      labelNames: ['namespace', 'name', 'state'],
      registers: [manager.metrics.registry],
    });
    this.connections = manager.cache.kind<PeeringState>(VPC_PEERING_TYPE, { status: { status: { code: true } } });
    manager.add(this);
  }

  /** Exports every cached connection, then follows their changes (clusters without the ec2 controller have none). */
  async start(): Promise<void> {
    this.removeHandler = this.connections.addHandler({
      onAdd: (object) => this.set(object),
      onUpdate: (previous, object) => {
        this.remove(previous);
        this.set(object);
      },
      onDelete: (object) => this.remove(object),
    });
  }

  async stop(): Promise<void> {
    this.removeHandler?.();
    // A replica that stops leading must not keep reporting what it no longer watches.
    this.gauge.reset();
  }

  private set(object: PeeringState): void {
    const state = object.status?.status?.code ?? 'unknown';
    this.gauge.set({ namespace: object.metadata!.namespace!, name: object.metadata!.name!, state }, state === 'active' ? 1 : 0);
  }

  private remove(object: PeeringState): void {
    this.gauge.remove({ namespace: object.metadata!.namespace!, name: object.metadata!.name!, state: object.status?.status?.code ?? 'unknown' });
  }
}
