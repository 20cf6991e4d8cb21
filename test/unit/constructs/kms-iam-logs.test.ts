import { describe, expect, test } from '@jest/globals';
import { Role } from '../../../charts/constructs/iam';
import { UNSCOPED_ACTIONS } from '../../../lib/iam-actions';
import { KmsKey, type KmsKeyProps } from '../../../charts/constructs/kms-key';
import { LogGroup } from '../../../charts/constructs/log-group';
import { inlineStatements, manifest, synthWith } from '../../support/fixtures';

const keyProps: KmsKeyProps = { name: 'data', alias: 'alias/data-test', description: 'test data', users: ['rds', 'logs'] };

describe('KmsKey', () => {
  test('defaults: rotation on, symmetric encryption key, 30-day deletion window, alias targets it', () => {
    const manifests = synthWith((chart) => new KmsKey(chart, 'Key', keyProps));
    const key = manifest(manifests, 'Key', 'data');
    expect(key.spec).toMatchObject({ enableKeyRotation: true, keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT' });
    expect(key.metadata.annotations['kms.services.k8s.aws/pending-window-in-days']).toBe('30');
    expect(manifest(manifests, 'Alias', 'data-alias').spec).toEqual({ name: 'alias/data-test', targetKeyRef: { from: { name: 'data' } } });
    expect(key.spec.tags).toContainEqual({ tagKey: 'Environment', tagValue: 'test' });
  });

  test('the key policy: the account administers; each service uses it only through itself, for this account', () => {
    const key = manifest(synthWith((chart) => new KmsKey(chart, 'Key', keyProps)), 'Key', 'data');
    const statements = JSON.parse(key.spec.policy).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['AccountAdministers', 'CloudWatchLogsUse', 'RdsUse']);
    expect(statements[0]).toMatchObject({ Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*' });
    expect(statements[1]).toMatchObject({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } });
    expect(statements[2].Condition).toEqual({ StringEquals: { 'kms:ViaService': 'rds.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } });
  });

  test('S3 a 7-day deletion window can be asked for', () => {
    const key = manifest(synthWith((chart) => new KmsKey(chart, 'Key', { ...keyProps, deletionWindowDays: 7 })), 'Key', 'data');
    expect(key.metadata.annotations['kms.services.k8s.aws/pending-window-in-days']).toBe('7');
  });

  test.each([
    [{ deletionWindowDays: 6 }, 'deletionWindowDays 6 is outside 7-30'],
    [{ alias: 'data-key' }, 'KMS alias name "data-key" is not allowed'],
    [{ alias: 'alias/aws/rds' }, 'KMS alias name "alias/aws/rds" is not allowed'],
    [{ users: [] }, 'users must name at least one service'],
  ] as const)('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new KmsKey(chart, 'Key', { ...keyProps, ...override }))).toThrow(message);
  });
});

describe('Role', () => {
  const props = { name: 'worker', description: 'test worker', assumedBy: 'lambda.amazonaws.com' };

  test('defaults: named <name>-<suffix>; trust limited to the service for this account; no permissions until granted', () => {
    const role = manifest(synthWith((chart) => new Role(chart, 'Role', props)), 'Role', 'worker');
    expect(role.spec.name).toBe('worker-test');
    expect(JSON.parse(role.spec.assumeRolePolicyDocument).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } },
    ]);
    expect(role.spec.inlinePolicies).toBeUndefined();
    expect(role.spec.policies).toBeUndefined();
  });

  test('grants become one inline policy, including grants made after construction', () => {
    const role = manifest(
      synthWith((chart) => {
        const r = new Role(chart, 'Role', props);
        r.addToPolicy({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] });
        r.addToPolicy({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:q'], conditions: { Bool: { 'aws:SecureTransport': 'true' } } });
      }),
      'Role',
      'worker',
    );
    expect(Object.keys(role.spec.inlinePolicies)).toEqual(['worker-test-permissions']);
    expect(inlineStatements(role)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:123456789012:q', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    ]);
  });

  test('"*" as the resource only for actions AWS cannot scope (UNSCOPED_ACTIONS)', () => {
    const role = manifest(
      synthWith((chart) => new Role(chart, 'Role', props).addToPolicy({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] })),
      'Role',
      'worker',
    );
    expect(inlineStatements(role)).toEqual([{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
    expect(Object.keys(UNSCOPED_ACTIONS).every((action) => UNSCOPED_ACTIONS[action].length > 20)).toBe(true);
  });

  test.each([
    [{ actions: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'], resources: ['*'] }, '"*" in a policy statement is not least privilege'],
    [{ actions: ['*'], resources: ['arn:aws:s3:::b'] }, '"*" in a policy statement is not least privilege'],
    [{ actions: ['s3:*'], resources: ['arn:aws:s3:::b'] }, '"s3:*" in a policy statement is not least privilege'],
    [{ actions: ['s3:GetObject'], resources: ['*'] }, '"*" in a policy statement is not least privilege'],
    [{ actions: [], resources: ['arn:aws:s3:::b'] }, 'a policy statement needs at least one action and one resource'],
  ])('refuses a statement that is not least privilege: %p', (statement, message) => {
    expect(() => synthWith((chart) => new Role(chart, 'Role', props).addToPolicy(statement))).toThrow(message);
  });

  test.each([
    [{ assumedBy: 'lambda' }, 'assumedBy "lambda" is not an AWS service principal'],
    [{ roleName: 'r'.repeat(65) }, 'IAM role name'],
  ])('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new Role(chart, 'Role', { ...props, ...override }))).toThrow(message);
  });
});

describe('LogGroup', () => {
  test('retention and key are set; the ARN is computed', () => {
    let arn = '';
    const manifests = synthWith((chart) => {
      const key = new KmsKey(chart, 'Key', keyProps);
      arn = new LogGroup(chart, 'Logs', { name: 'logs', logGroupName: '/app/logs', retentionDays: 90, encryptionKey: key }).arn;
    });
    expect(manifest(manifests, 'LogGroup', 'logs').spec).toMatchObject({ name: '/app/logs', retentionDays: 90, kmsKeyRef: { from: { name: 'data' } } });
    expect(arn).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/app/logs');
  });

  test('a retention CloudWatch does not offer is rejected with the valid ones', () => {
    expect(() => synthWith((chart) => new LogGroup(chart, 'Logs', { name: 'logs', logGroupName: '/app', retentionDays: 10 }))).toThrow(
      'retentionDays 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30',
    );
  });
});
