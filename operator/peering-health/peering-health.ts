/**
 * Makes the health of VPC peering connections something a team can be paged
 * by (SPEC S1). AWS publishes no CloudWatch metric for a peering connection
 * (the seed's "AWS/VPC StatusCheckFailed" does not exist); ACK reports the
 * connection's state in `status.status.code`. This exports it as a
 * Prometheus gauge on the operator's /metrics, which the alert rules of
 * `dist/operator/alerts.k8s.yaml` page on.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { Gauge } from 'prom-client';
import { Informer, type ApiClient, type Logger, type OperatorMetrics, type ResourceType, type Runnable } from '../runtime/index';

/** 1 while the connection is `active`, 0 in any other state (or none reported yet). */
export const PEERING_ACTIVE_METRIC = 'ack_systems_vpc_peering_connection_active';

export const VPC_PEERING_TYPE: ResourceType = {
  group: 'ec2.services.k8s.aws',
  version: 'v1alpha1',
  plural: 'vpcpeeringconnections',
  kind: 'VPCPeeringConnection',
  namespaced: true,
};

/** What the cache keeps of a connection: its name and its state. */
interface PeeringState extends KubernetesObject {
  status?: { status?: { code?: string } };
}

export interface PeeringHealthOptions {
  readonly api: ApiClient;
  readonly logger: Logger;
  readonly metrics: OperatorMetrics;
}

export class PeeringHealth implements Runnable {
  readonly name = 'peering-health';
  private readonly gauge: Gauge;
  private readonly informer: Informer<PeeringState>;

  constructor(options: PeeringHealthOptions) {
    this.gauge = new Gauge({
      name: PEERING_ACTIVE_METRIC,
      help: 'Whether an ACK VPCPeeringConnection is active (1) or in any other state (0), from its status.status.code',
      labelNames: ['namespace', 'name', 'state'],
      registers: [options.metrics.registry],
    });
    this.informer = new Informer<PeeringState>({
      api: options.api,
      type: VPC_PEERING_TYPE,
      logger: options.logger,
      metrics: options.metrics,
      transform: (object) => {
        const { metadata, status } = object as PeeringState;
        return { metadata: { name: metadata?.name, namespace: metadata?.namespace, resourceVersion: metadata?.resourceVersion }, status: { status: { code: status?.status?.code } } };
      },
    });
    this.informer.addHandler({
      onAdd: (object) => this.set(object),
      onUpdate: (previous, object) => {
        this.remove(previous);
        this.set(object);
      },
      onDelete: (object) => this.remove(object),
    });
  }

  /** Starts watching; does not wait for the kind to exist (clusters without the ec2 controller). */
  async start(): Promise<void> {
    void this.informer.start();
  }

  async stop(): Promise<void> {
    await this.informer.stop();
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
