/**
 * Formats of AWS identifiers and IPv4 CIDR arithmetic. Pure functions shared
 * by the config schema (which reports problems) and by constructs (which
 * throw). Each check returns a sentence describing what is allowed, so that
 * every error message can say how to fix the value.
 */

/** EC2 resource ID prefixes and what they name. */
export const EC2_ID_PREFIXES = {
  vpc: 'VPC',
  subnet: 'subnet',
  rtb: 'route table',
  pcx: 'VPC peering connection',
  sg: 'security group',
  igw: 'internet gateway',
  vgw: 'virtual private gateway',
  nat: 'NAT gateway',
  tgw: 'transit gateway',
  vpce: 'VPC endpoint',
  eni: 'network interface',
  eigw: 'egress-only internet gateway',
  pl: 'prefix list',
  ami: 'machine image',
} as const;

export type Ec2IdPrefix = keyof typeof EC2_ID_PREFIXES;

/** EC2 IDs are the prefix, a dash, and 8 (older) or 17 lowercase hex digits. */
export function ec2IdPattern(prefix: Ec2IdPrefix): RegExp {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
}

export function describeEc2Id(prefix: Ec2IdPrefix): string {
  const name = EC2_ID_PREFIXES[prefix];
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} ID: "${prefix}-" followed by 8 or 17 lowercase hex digits, e.g. ${prefix}-0123456789abcdef0`;
}

export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;

/**
 * AWS regions this project can target (commercial and GovCloud partitions).
 * A maintained table instead of a pattern: `us-east-3` matches any plausible
 * pattern but does not exist, and ACK would only fail at apply time.
 */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1', 'ap-east-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2',
  'eu-north-1',
  'eu-south-1', 'eu-south-2',
  'eu-west-1', 'eu-west-2', 'eu-west-3',
  'il-central-1',
  'me-central-1', 'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1', 'us-east-2',
  'us-gov-east-1', 'us-gov-west-1',
  'us-west-1', 'us-west-2',
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

export function isAwsRegion(value: string): value is AwsRegion {
  return (AWS_REGIONS as readonly string[]).includes(value);
}

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  readonly text: string;
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefixLength: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses a canonical IPv4 CIDR block (no host bits set).
 * @returns the block, or a sentence saying what is wrong and what to write.
 */
export function parseCidr(text: string): Cidr | string {
  const match = IPV4_CIDR.exec(text);
  const octets = match?.slice(1, 5).map(Number);
  const prefixLength = Number(match?.[5]);
  if (!match || !octets || octets.some((octet) => octet > 255) || prefixLength > 32) {
    return 'expected an IPv4 CIDR block like 10.0.0.0/16';
  }
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const size = 2 ** (32 - prefixLength);
  const network = address - (address % size);
  if (network !== address) {
    return `host bits are set; the block starting there is ${formatIpv4(network)}/${prefixLength}`;
  }
  return { text, network, prefixLength };
}

function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

function lastAddress(cidr: Cidr): number {
  return cidr.network + 2 ** (32 - cidr.prefixLength) - 1;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.network <= inner.network && lastAddress(inner) <= lastAddress(outer);
}

/** VPC CIDR blocks must be between /16 and /28 (Amazon VPC quotas). */
export const VPC_PREFIX_RANGE = { min: 16, max: 28 } as const;

/** A container image: registry/repository with an explicit tag or digest (no implicit `latest`). */
export const CONTAINER_IMAGE_PATTERN = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/;

/** An ACM certificate ARN; field 3 is its region. */
export const CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** A Route 53 hosted zone ID. */
export const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;

/**
 * Top-level domains no public certificate authority issues for (RFC 6761,
 * RFC 6762, ICANN's `.internal`): ACM cannot validate them, so API Gateway and
 * load balancers cannot serve them publicly.
 */
const PRIVATE_TLDS = ['internal', 'local', 'localhost', 'test', 'invalid', 'example'];

/** Whether `name` is a public DNS name a public certificate can cover; the sentence names `field`. */
export function dnsNameProblem(field: string, name: string): string | undefined {
  const labels = name.split('.');
  if (name.length > 253 || labels.length < 2 || !labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label))) {
    return `${field} "${name}" is not a DNS name (lowercase labels of letters, digits and dashes, e.g. api.payments.example.com)`;
  }
  const tld = labels.at(-1)!;
  return PRIVATE_TLDS.includes(tld) ? `${field} "${name}" ends in .${tld}, for which no public certificate can be issued; use a name in a public domain you own` : undefined;
}

/** The ECR repository an image is pulled from, or undefined for other registries. */
export function ecrRepositoryOf(image: string): { account: string; region: string; repository: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  return match ? { account: match[1], region: match[2], repository: match[3] } : undefined;
}

/** Who an alarm topic notifies. */
export interface AlarmSubscription {
  /** `email` (a person or list), `https` (an incident tool's endpoint) or `sns` (another topic, by ARN). */
  readonly protocol: 'email' | 'https' | 'sns';
  readonly endpoint: string;
}

/** Why an endpoint is not acceptable for its protocol, if it is not. */
export function alarmSubscriptionProblem(subscription: AlarmSubscription): string | undefined {
  const { protocol, endpoint } = subscription;
  if (protocol === 'email') return /^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$/i.test(endpoint) ? undefined : `email "${endpoint}" is not an email address`;
  if (protocol === 'sns') return /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(endpoint) ? undefined : `topic "${endpoint}" is not an SNS topic ARN`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `https endpoint "${endpoint}" is not a URL`;
  }
  // Manifests hold no secrets (R-G8): an endpoint that authenticates by its URL would put one in git.
  if (url.protocol !== 'https:') return `https endpoint "${endpoint}" must use https`;
  if (url.username || url.password || url.search) return `https endpoint of ${url.host} carries credentials or a query in its URL; manifests hold no secrets (R-G8): subscribe a topic (sns) the tool's owner controls instead`;
  return undefined;
}
