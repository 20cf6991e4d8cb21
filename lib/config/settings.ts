/**
 * The per-environment settings table (SPEC S3: "centralised per-environment
 * settings"): the values that differ between dev, staging and prod, in one
 * block of each environment's file, shared by every system.
 */
import { z } from 'zod';
import { CACHE_NODE_TYPES, LOG_RETENTION_DAYS, RDS_INSTANCE_CLASSES } from '../catalog';
import { oneOf, strictObject, wholeNumber } from './fields';

const logRetention = z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
  error: `expected a CloudWatch Logs retention in days, one of: ${LOG_RETENTION_DAYS.join(', ')}`,
}).meta({ enum: [...LOG_RETENTION_DAYS] });

export const settingsSchema = strictObject({
  logRetentionDays: logRetention.meta({ description: 'Retention of every log group: Lambda, API access, flow logs, containers.' }),
  multiAZ: z.boolean({ error: 'expected true or false' }).meta({ description: 'Standby database instances and cache replicas in other zones.' }),
  backupRetentionDays: wholeNumber(1, 35).meta({ description: 'Days of automated database and cache backups (1-35).' }),
  natGateways: wholeNumber(0, 6).meta({ description: 'NAT gateways of networks with public and private subnets (1 saves money, one per zone survives a zone).' }),
  lambdaReservedConcurrency: wholeNumber(1, 1000).meta({ description: 'Reserved concurrency of the API\'s Lambda functions.' }),
  waf: z.boolean({ error: 'expected true or false' }).meta({ description: 'A WAF web ACL in front of public APIs.' }),
  auditGlacierAfterDays: wholeNumber(1, 3650).meta({ description: 'Days before audit objects move to GLACIER (then DEEP_ARCHIVE 90 days later).' }),
  dbInstanceClass: oneOf(RDS_INSTANCE_CLASSES, 'an RDS instance class').meta({ description: 'RDS/Aurora instance class (R-G9 table).' }),
  cacheNodeType: oneOf(CACHE_NODE_TYPES, 'an ElastiCache node type').meta({ description: 'ElastiCache node type (R-G9 table).' }),
  containerDesiredCount: wholeNumber(1, 100).meta({ description: 'Running copies of each container service.' }),
});

export type Settings = z.output<typeof settingsSchema>;

/** What a production tier requires of the settings (R-G7). */
export function productionSettingsProblems(settings: Settings): { path: string[]; message: string }[] {
  return [
    ...(settings.multiAZ ? [] : [{ path: ['multiAZ'], message: 'must be true when tier is "production"' }]),
    ...(settings.backupRetentionDays >= 7 ? [] : [{ path: ['backupRetentionDays'], message: 'must be at least 7 when tier is "production"' }]),
  ];
}
