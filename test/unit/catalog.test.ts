import { describe, expect, test } from '@jest/globals';
import { allocateSubnetsIn } from '../../lib/cidr-allocation';
import { engineVersionProblem, instanceClassProblem, lambdaRuntimeProblem, RDS_ENGINES } from '../../lib/catalog';

describe('maintained tables (R-G9)', () => {
  test('R-G9 Aurora PostgreSQL 15.3 is rejected, naming the valid 15.x versions', () => {
    expect(engineVersionProblem('aurora-postgresql', '15.3')).toBe(
      `aurora-postgresql 15.3 is not an available version; valid 15.x: ${RDS_ENGINES['aurora-postgresql'].versions.filter((v) => v.startsWith('15.')).join(', ')}`,
    );
    expect(engineVersionProblem('aurora-postgresql', '15.12')).toBeUndefined();
  });

  test('R-G9 an unknown major version lists every valid version', () => {
    expect(engineVersionProblem('postgres', '9.6')).toBe(`postgres 9.6 is not an available version; valid versions: ${RDS_ENGINES.postgres.versions.join(', ')}`);
  });

  test('R-G9 deprecated Lambda runtimes are rejected with their date; unknown ones too', () => {
    expect(lambdaRuntimeProblem('nodejs18.x')).toMatch(/^runtime nodejs18.x is deprecated \(since 2025-09-01\); use one of nodejs24.x, nodejs22.x, /);
    expect(lambdaRuntimeProblem('nodejs19.x')).toMatch(/^runtime nodejs19.x is not a Lambda runtime; use one of /);
    expect(lambdaRuntimeProblem('nodejs22.x')).toBeUndefined();
  });

  test('R-G9 a runtime family suggests only runtimes that are then accepted', () => {
    expect(lambdaRuntimeProblem('python3.13', 'nodejs')).toBe('runtime python3.13 is not a nodejs runtime; use one of nodejs24.x, nodejs22.x');
    expect(lambdaRuntimeProblem('nodejs20.x', 'nodejs')).toBe('runtime nodejs20.x is deprecated (since 2026-04-30); use one of nodejs24.x, nodejs22.x');
    for (const suggested of lambdaRuntimeProblem('java8', 'nodejs')!.split('use one of ')[1].split(', ')) expect(lambdaRuntimeProblem(suggested, 'nodejs')).toBeUndefined();
  });

  test('R-G9 instance classes: Aurora does not take the small or m-classes', () => {
    expect(instanceClassProblem('postgres', 'db.t4g.micro')).toBeUndefined();
    expect(instanceClassProblem('aurora-postgresql', 'db.t4g.micro')).toMatch(/^aurora-postgresql instance class db.t4g.micro is not allowed; use one of db.t4g.medium/);
    expect(instanceClassProblem('postgres', 'db.m1.small')).toMatch(/is not allowed/);
  });
});

describe('compact subnet allocation (S2: no wasted /24s)', () => {
  test('S2 blocks are packed largest first without gaps, returned in request order', () => {
    const blocks = allocateSubnetsIn('10.0.0.0/16', [
      { key: 'public-a', prefixLength: 24 },
      { key: 'public-b', prefixLength: 24 },
      { key: 'private-a', prefixLength: 20 },
      { key: 'private-b', prefixLength: 20 },
      { key: 'isolated-a', prefixLength: 24 },
    ]);
    expect([...blocks]).toEqual([
      ['public-a', '10.0.32.0/24'],
      ['public-b', '10.0.33.0/24'],
      ['private-a', '10.0.0.0/20'],
      ['private-b', '10.0.16.0/20'],
      ['isolated-a', '10.0.34.0/24'],
    ]);
  });

  test('S2 three /24s in 10.0.0.0/16 are the first three /24s', () => {
    expect([...allocateSubnetsIn('10.0.0.0/16', ['a', 'b', 'c'].map((key) => ({ key, prefixLength: 24 }))).values()]).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
  });

  test('S2 subnets that do not fit are refused with the numbers', () => {
    expect(() => allocateSubnetsIn('10.0.0.0/24', [{ key: 'a', prefixLength: 25 }, { key: 'b', prefixLength: 25 }, { key: 'c', prefixLength: 26 }])).toThrow(
      'the subnets need 320 addresses but 10.0.0.0/24 has 256; use smaller subnets or a larger VPC CIDR',
    );
    expect(() => allocateSubnetsIn('10.0.0.0/24', [{ key: 'a', prefixLength: 16 }])).toThrow('subnet a (/16) must be between /24 (the VPC) and /28');
  });
});
