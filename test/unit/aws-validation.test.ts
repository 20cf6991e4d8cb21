import { describe, expect, test } from '@jest/globals';
import { cidrContains, cidrsOverlap, ec2IdPattern, isAwsRegion, parseCidr, type Cidr } from '../../lib/validation/aws';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('AWS identifier formats (R-G6)', () => {
  test.each([
    ['vpc', 'vpc-0123abcd', true],
    ['vpc', 'vpc-0123456789abcdef0', true],
    ['vpc', 'vpc-pay123', false],
    ['vpc', 'vpc-0123456789ABCDEF0', false],
    ['vpc', 'vpc-0123456789abc', false],
    ['rtb', 'vpc-0123abcd', false],
    ['pcx', 'pcx-0123456789abcdef0', true],
  ] as const)('R-G6 %s ID %s valid: %s', (prefix, id, valid) => {
    expect(ec2IdPattern(prefix).test(id)).toBe(valid);
  });

  test('R-G5 regions come from the maintained table', () => {
    expect(isAwsRegion('us-east-1')).toBe(true);
    expect(isAwsRegion('us-east-3')).toBe(false);
    expect(isAwsRegion('US-EAST-1')).toBe(false);
  });
});

describe('CIDR blocks', () => {
  test('S1 a canonical block parses', () => {
    expect(cidr('10.1.2.0/24')).toEqual({ text: '10.1.2.0/24', network: (10 << 24) + (1 << 16) + (2 << 8), prefixLength: 24 });
  });

  test('S1 host bits set are rejected with the block to use instead', () => {
    expect(parseCidr('10.0.1.0/16')).toBe('host bits are set; the block starting there is 10.0.0.0/16');
  });

  test.each(['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', 'ten/8', ''])('S1 %p is not a CIDR block', (text) => {
    expect(parseCidr(text)).toBe('expected an IPv4 CIDR block like 10.0.0.0/16');
  });

  test.each([
    ['10.0.0.0/16', '10.0.255.0/24', true],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['10.0.0.0/8', '10.200.0.0/16', true],
    ['10.1.2.0/24', '10.1.0.0/16', true],
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['0.0.0.0/0', '192.168.0.0/16', true],
  ])('S1 overlap of %s and %s: %s', (a, b, overlaps) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(overlaps);
    expect(cidrsOverlap(cidr(b), cidr(a))).toBe(overlaps);
  });

  test('S1 containment is one-way', () => {
    expect(cidrContains(cidr('10.1.0.0/16'), cidr('10.1.2.0/24'))).toBe(true);
    expect(cidrContains(cidr('10.1.2.0/24'), cidr('10.1.0.0/16'))).toBe(false);
    expect(cidrContains(cidr('10.1.0.0/16'), cidr('10.2.2.0/24'))).toBe(false);
  });
});
