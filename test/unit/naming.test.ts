import { describe, expect, test } from '@jest/globals';
import { AWS_NAME_RULES, K8S_LABEL_NAME, joinName, nameProblem, stableSuffix } from '../../lib/naming';

describe('AWS name rules (R-G2, R-G4)', () => {
  test.each([
    ['s3Bucket', 'payments-prod-audit-1a2b3c4d', true],
    ['s3Bucket', 'Payments-prod', false],
    ['s3Bucket', 'ab', false],
    ['s3Bucket', 'a'.repeat(64), false],
    ['s3Bucket', 'my..bucket', false],
    ['s3Bucket', '192.168.1.1', false],
    ['s3Bucket', 'bucket-', false],
    ['iamRole', 'prod-payment-lambda-role-prod', true],
    ['iamRole', 'r'.repeat(65), false],
    ['iamRole', 'role with space', false],
    ['rdsIdentifier', 'payment-db-prod', true],
    ['rdsIdentifier', '1payment', false],
    ['rdsIdentifier', 'payment--db', false],
    ['rdsIdentifier', 'payment-db-', false],
    ['rdsIdentifier', 'r'.repeat(64), false],
    ['securityGroup', 'payment-vpc-sg-prod', true],
    ['securityGroup', 'sg-payment', false],
    ['securityGroup', 's'.repeat(256), false],
    ['kmsAlias', 'alias/payment-rds-prod', true],
    ['kmsAlias', 'alias/aws/rds', false],
  ] as const)('R-G2 %s name %p legal: %s', (ruleName, name, legal) => {
    expect(nameProblem(name, AWS_NAME_RULES[ruleName]) === undefined).toBe(legal);
  });

  test('R-G2 a problem names the resource, the length and the allowed range', () => {
    expect(nameProblem('r'.repeat(65), AWS_NAME_RULES.iamRole)).toBe(`IAM role name "${'r'.repeat(65)}" is 65 characters; allowed: 1-64`);
  });

  test('R-G4 joinName joins non-empty parts with dashes', () => {
    expect(joinName(AWS_NAME_RULES.securityGroup, ['payment-vpc-sg', '', 'prod'])).toBe('payment-vpc-sg-prod');
  });

  test('R-G2 joinName rejects an illegal result and says what to shorten', () => {
    expect(() => joinName(AWS_NAME_RULES.rdsIdentifier, ['payment-db', 'x'.repeat(60)])).toThrow(
      /RDS identifier name .* is 71 characters; allowed: 1-63\. Shorten environmentSuffix/,
    );
  });

  test('R-G2 Kubernetes names are DNS labels', () => {
    expect(nameProblem('vpc-peering-prod', K8S_LABEL_NAME)).toBeUndefined();
    expect(nameProblem('VPC_Peering', K8S_LABEL_NAME)).toMatch(/not allowed/);
    expect(nameProblem('n'.repeat(64), K8S_LABEL_NAME)).toMatch(/64 characters/);
  });
});

describe('stable suffixes (R-G4)', () => {
  test('R-G4 the same inputs give the same suffix on every call', () => {
    expect(stableSuffix(['123456789012', 'prod', 'payment-stack'])).toBe(stableSuffix(['123456789012', 'prod', 'payment-stack']));
    expect(stableSuffix(['123456789012', 'prod', 'payment-stack'])).toMatch(/^[0-9a-f]{8}$/);
  });

  test('R-G4 different inputs give different suffixes, and part boundaries matter', () => {
    expect(stableSuffix(['a', 'bc'])).not.toBe(stableSuffix(['ab', 'c']));
    expect(stableSuffix(['prod'])).not.toBe(stableSuffix(['dev']));
  });

  test('R-G4 the suffix is SHA-256 based, not random', () => {
    // sha256("prod") = 6754af9632a2745e85c293e5aac0863370d9bd3330b9938c00cadfd215227d77
    expect(stableSuffix(['prod'], 12)).toBe('6754af9632a2');
  });
});
