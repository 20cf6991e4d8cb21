/** Small readers the rules share: fields, tags, IAM documents, CIDRs. */
import { ACK_KINDS } from '../imports/ack-kinds';
import { ACK_ANNOTATIONS, ACK_SERVICE_GROUP } from '../lib/ack-annotations';
import { readTags } from '../lib/tags/apply';
import { known, type Json, type LintObject, type LintSet } from './objects';

/** The value at a dotted path (`spec.publicAccessBlock.blockPublicACLs`). */
export function at(object: LintObject | Json, path: string): any {
  const root = 'manifest' in object && 'kind' in object ? (object as LintObject).manifest : object;
  return path.split('.').reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), root);
}

/** The AWS tags an ACK object carries in its kind's shape, or undefined for a kind without tags. */
export function tagsOf(object: LintObject): Map<string, string> | undefined {
  const info = ACK_KINDS[`${object.manifest.apiVersion}/${object.manifest.kind}`];
  return info?.tagShape ? readTags(info.tagShape, object.manifest.spec) : undefined;
}

/** The ACK deletion policy that applies: the object's annotation, else its namespace's for the object's service. */
export function deletionPolicy(object: LintObject, set: LintSet): string | undefined {
  const own = object.manifest.metadata?.annotations?.[ACK_ANNOTATIONS.deletionPolicy];
  if (own) return own;
  const service = ACK_SERVICE_GROUP.exec(object.kind.split('/')[0])?.[1];
  const namespace = set.find('/Namespace', undefined, object.namespace ?? '');
  return service ? namespace?.manifest.metadata?.annotations?.[ACK_ANNOTATIONS.serviceDeletionPolicy(service)] : undefined;
}

export interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

/** The statements of an IAM policy document given as JSON text (unparseable text: none, and `problem`). */
export function statementsOf(document: unknown): { statements: Statement[]; problem?: string } {
  if (typeof document !== 'string' || !known(document)) return { statements: [] };
  try {
    const parsed = JSON.parse(document);
    return { statements: [parsed.Statement ?? []].flat() };
  } catch (error) {
    return { statements: [], problem: `is not JSON: ${(error as Error).message}` };
  }
}

export const list = (value: string | string[] | undefined): string[] => [value ?? []].flat();

/** The policy documents an IAM object holds, with where. */
export function policyDocuments(object: LintObject): { path: string; document: unknown }[] {
  if (object.kind === 'iam.services.k8s.aws/Policy') return [{ path: 'spec.policyDocument', document: at(object, 'spec.policyDocument') }];
  const inline: Record<string, unknown> = at(object, 'spec.inlinePolicies') ?? {};
  return Object.entries(inline).map(([name, document]) => ({ path: `spec.inlinePolicies.${name}`, document }));
}

/** IPv4 CIDR parsing for rule checks: [network as number, prefix length], or undefined. */
export function ipv4(cidr: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) return undefined;
  const address = match.slice(1, 5).reduce((n, octet) => n * 256 + Number(octet), 0);
  return [address, Number(match[5])];
}

/** Whether a CIDR lies inside the private ranges (RFC 1918). */
export function isPrivate(cidr: string): boolean {
  const parsed = ipv4(cidr);
  if (!parsed) return false;
  const [address, prefix] = parsed;
  const inside = (base: string, length: number) => {
    const [net] = ipv4(`${base}/${length}`)!;
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    return prefix >= length && ((address & mask) >>> 0) === net;
  };
  return inside('10.0.0.0', 8) || inside('172.16.0.0', 12) || inside('192.168.0.0', 16);
}
