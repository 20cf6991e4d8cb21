import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { joinName, type NameRule } from '../../lib/naming';
import type { AwsRegion } from '../../lib/validation/aws';
import { SystemChart } from '../system-chart';
import { RegionScope } from './region-scope';

/** Where a construct's AWS resources live: account, region, partition and environment. */
export interface AwsContext {
  readonly account: string;
  readonly region: AwsRegion;
  readonly partition: string;
  readonly environment: EnvironmentConfig;
}

/** The AWS context of `scope`, from its system chart and nearest region scope. */
export function awsContext(scope: IConstruct): AwsContext {
  const chart = SystemChart.of(scope);
  const region = RegionScope.regionOf(scope)!;
  return {
    account: chart.environment.awsAccountID,
    region,
    partition: region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws',
    environment: chart.environment,
  };
}

/**
 * An ARN in `scope`'s partition. Most AWS ARNs are predictable from the
 * account, region and name, so they are computed here rather than waiting for
 * ACK to report them; only IDs AWS invents (KMS keys, API IDs) are not.
 * @param region `''` for global services (IAM, S3)
 */
export function arn(scope: IConstruct, service: string, resource: string, options: { region?: string; account?: string } = {}): string {
  const context = awsContext(scope);
  return `arn:${context.partition}:${service}:${options.region ?? context.region}:${options.account ?? context.account}:${resource}`;
}

/**
 * The AWS name `<base>-<environmentSuffix>`, checked against `rule` (R-G2, R-G4).
 */
export function physicalName(scope: IConstruct, rule: NameRule, base: string): string {
  return joinName(rule, [base, awsContext(scope).environment.environmentSuffix]);
}
