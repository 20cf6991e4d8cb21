/**
 * The systems this project synthesizes, by the name used everywhere else:
 * the config section `systems.<name>`, the namespace `<name>-<environment>`,
 * the output file `dist/<environment>/<name>.k8s.yaml` and the Argo CD path.
 */
import type { Construct } from 'constructs';
import type { EnvironmentConfig, SystemName } from '../lib/config/environment';
import type { SystemChart } from './system-chart';
import { PaymentProcessingChart } from './payment-processing';
import { PaymentStackChart } from './payment-stack';
import { VpcPeeringChart } from './vpc-peering';
import { MultiRegionAppChart } from './multi-region-app';
import { DrChart } from './dr';

export const SYSTEM_CHARTS: Readonly<Record<SystemName, new (scope: Construct, environment: EnvironmentConfig) => SystemChart>> = {
  'vpc-peering': VpcPeeringChart,
  'payment-processing': PaymentProcessingChart,
  'payment-stack': PaymentStackChart,
  'multi-region-app': MultiRegionAppChart,
  dr: DrChart,
};

export const SYSTEM_NAMES = Object.keys(SYSTEM_CHARTS) as SystemName[];
