/**
 * Packs subnets into a VPC CIDR block without gaps: blocks are placed largest
 * first, each at the next address aligned to its size. With power-of-two
 * sizes placed in decreasing order, every block starts where the previous one
 * ended, so no address range is wasted (seed 001: no unused /24s).
 */
import { parseCidr, type Cidr } from './validation/aws';

export interface SubnetRequest {
  /** Identifies the subnet in the result. */
  readonly key: string;
  readonly prefixLength: number;
}

function format(address: number, prefixLength: number): string {
  return `${[24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.')}/${prefixLength}`;
}

/**
 * @returns each request's CIDR block, by key, in the order requested.
 * @throws Error when the requests do not fit or a block is larger than the VPC.
 */
export function allocateSubnets(vpcCidr: Cidr, requests: readonly SubnetRequest[]): Map<string, string> {
  const vpcSize = 2 ** (32 - vpcCidr.prefixLength);
  const bySize = [...requests].sort((a, b) => a.prefixLength - b.prefixLength);
  const placed = new Map<string, string>();
  let offset = 0;
  for (const request of bySize) {
    if (request.prefixLength < vpcCidr.prefixLength || request.prefixLength > 28) {
      throw new Error(`subnet ${request.key} (/${request.prefixLength}) must be between /${vpcCidr.prefixLength} (the VPC) and /28`);
    }
    const size = 2 ** (32 - request.prefixLength);
    offset = Math.ceil(offset / size) * size;
    if (offset + size > vpcSize) {
      const needed = requests.reduce((sum, r) => sum + 2 ** (32 - r.prefixLength), 0);
      throw new Error(`the subnets need ${needed} addresses but ${vpcCidr.text} has ${vpcSize}; use smaller subnets or a larger VPC CIDR`);
    }
    placed.set(request.key, format(vpcCidr.network + offset, request.prefixLength));
    offset += size;
  }
  return new Map(requests.map((request) => [request.key, placed.get(request.key)!]));
}

/** Convenience for tests and config checks: parse, then allocate. */
export function allocateSubnetsIn(vpcCidr: string, requests: readonly SubnetRequest[]): Map<string, string> {
  const parsed = parseCidr(vpcCidr);
  if (typeof parsed === 'string') throw new Error(`VPC CIDR "${vpcCidr}": ${parsed}`);
  return allocateSubnets(parsed, requests);
}
