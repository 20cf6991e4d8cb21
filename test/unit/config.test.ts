import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { renderEnvironments } from '../../charts/app';
import { loadEnvironments, parseEnvironment } from '../../lib/config/load';
import { ConfigError } from '../../lib/errors';
import { environment, rawEnvironment, rawOtherEnvironment } from '../support/fixtures';

/** The problems of `raw`, as `path: message` lines. */
function problems(raw: unknown, name = 'test'): string[] {
  const result = parseEnvironment(raw, name, `config/${name}.yaml`);
  if (!('problems' in result)) throw new Error('expected problems, the config is valid');
  return result.problems.map((p) => `${p.path}: ${p.message}`);
}

function withPeering(edit: (peering: any) => void): any {
  const raw = rawEnvironment();
  edit(raw.systems['vpc-peering']);
  return raw;
}

describe('environment configuration (R-G1)', () => {
  test('R-G1 a valid file parses, with defaults applied', () => {
    const raw = rawEnvironment();
    delete raw.tier;
    delete raw.deletionPolicy;
    delete raw.systems['vpc-peering'].payment.region;
    delete raw.systems['vpc-peering'].analytics.privateRouteTables;
    const env = environment(raw, 'qa');
    expect(env.name).toBe('qa');
    expect(env.environmentSuffix).toBe('qa');
    expect(env.tier).toBe('production');
    expect(env.deletionPolicy).toBe('retain');
    const peering = env.systems['vpc-peering'];
    expect(peering.payment.region).toBe('us-east-1');
    expect(peering.analytics.privateRouteTables).toEqual([]);
    expect(peering.payment.privateRouteTables[1].existingTags).toEqual({});
    expect(peering.payment.vpcCIDR).toMatchObject({ text: '10.0.0.0/16', prefixLength: 16 });
  });

  test('R-G1 an explicit environmentSuffix wins over the file name', () => {
    expect(environment({ ...rawEnvironment(), environmentSuffix: 'blue' }, 'prod').environmentSuffix).toBe('blue');
  });

  test('R-G1 every problem in a file is listed, with field path, bad value and what is allowed', () => {
    const raw = withPeering((p) => {
      p.payment.vpcID = 'vpc-pay123';
      p.analytics.vpcCIDR = '10.0.0.0/16';
    });
    raw.environmentSuffix = 'Prod_1';
    delete raw.awsAccountID;
    expect(problems(raw)).toEqual([
      'environmentSuffix: "Prod_1" is not allowed; allowed: lowercase letters, digits and dashes, starting and ending with a letter or digit, at most 16 characters (got "Prod_1")',
      'awsAccountID: required (string)',
      'systems.vpc-peering.payment.vpcID: expected a VPC ID: "vpc-" followed by 8 or 17 lowercase hex digits, e.g. vpc-0123456789abcdef0 (got "vpc-pay123")',
      'systems.vpc-peering.analytics.vpcCIDR: overlaps payment.vpcCIDR 10.0.0.0/16; peered VPCs need disjoint CIDR blocks (got "10.0.0.0/16")',
      'systems.vpc-peering.analytics.apiSubnetCIDR: must lie inside analytics.vpcCIDR 10.0.0.0/16 (got "10.1.2.0/24")',
    ]);
  });

  test('S1 overlapping VPC CIDRs are rejected', () => {
    expect(problems(withPeering((p) => (p.analytics.vpcCIDR = '10.0.128.0/17')))).toEqual([
      'systems.vpc-peering.analytics.vpcCIDR: overlaps payment.vpcCIDR 10.0.0.0/16; peered VPCs need disjoint CIDR blocks (got "10.0.128.0/17")',
      'systems.vpc-peering.analytics.apiSubnetCIDR: must lie inside analytics.vpcCIDR 10.0.128.0/17 (got "10.1.2.0/24")',
    ]);
  });

  test.each([
    ['payment.vpcID', (p: any) => (p.payment.vpcID = 'vpc-pay123'), 'expected a VPC ID'],
    ['analytics.vpcID', (p: any) => (p.analytics.vpcID = 'vpc-0123456789ABCDEF0'), 'expected a VPC ID'],
    ['payment.privateRouteTables[0].routeTableID', (p: any) => (p.payment.privateRouteTables[0].routeTableID = 'rt-1'), 'expected a route table ID'],
    ['peeringConnectionID', (p: any) => (p.peeringConnectionID = 'pcx-xyz'), 'expected a VPC peering connection ID'],
    ['payment.privateRouteTables[0].existingRoutes[0].natGatewayID', (p: any) => (p.payment.privateRouteTables[0].existingRoutes[0].natGatewayID = 'igw-0123abcd'), 'expected a NAT gateway ID'],
  ])('S1 R-G6 malformed ID at %s is rejected', (path, edit, message) => {
    const [problem] = problems(withPeering(edit));
    expect(problem).toContain(`systems.vpc-peering.${path}: ${message}`);
  });

  test.each([
    ['Prod', 'environmentSuffix: "Prod" is not allowed'],
    ['prod_1', 'environmentSuffix: "prod_1" is not allowed'],
    ['-prod', 'environmentSuffix: "-prod" is not allowed'],
    ['p'.repeat(17), `environmentSuffix: "${'p'.repeat(17)}" is not allowed`],
  ])('R-G2 illegal environment suffix %p is rejected', (suffix, message) => {
    expect(problems({ ...rawEnvironment(), environmentSuffix: suffix })[0]).toContain(message);
  });

  test('R-G2 an illegal file name is rejected, since it names the environment', () => {
    expect(problems(rawEnvironment(), 'Prod.EU')).toEqual([
      '(file name): environment name "Prod.EU" is not allowed; allowed: lowercase letters, digits and dashes, starting and ending with a letter or digit, at most 16 characters; rename the file',
    ]);
  });

  test.each([
    ['awsAccountID', (raw: any) => delete raw.awsAccountID, 'awsAccountID: required (string)'],
    ['tags.Owner', (raw: any) => delete raw.tags.Owner, 'tags.Owner: required tag'],
    ['systems.vpc-peering', (raw: any) => delete raw.systems['vpc-peering'], 'systems.vpc-peering: required (object)'],
    ['analytics.apiSubnetCIDR', (raw: any) => delete raw.systems['vpc-peering'].analytics.apiSubnetCIDR, 'systems.vpc-peering.analytics.apiSubnetCIDR: required (string)'],
    ['existingRoutes', (raw: any) => delete raw.systems['vpc-peering'].payment.privateRouteTables[1].existingRoutes, 'systems.vpc-peering.payment.privateRouteTables[1].existingRoutes: required (array): list every non-local route already in this route table ([] if none)'],
  ])('R-G1 missing required field %s is reported', (_field, edit, expected) => {
    const raw = rawEnvironment();
    edit(raw);
    expect(problems(raw)[0]).toContain(expected);
  });

  test('R-G1 an unknown field (a typo) is rejected, listing the allowed fields', () => {
    expect(problems(withPeering((p) => (p.payment.vpcId = 'vpc-0123abcd')))).toEqual([
      'systems.vpc-peering.payment.vpcId: unknown field; allowed here: region, vpcID, vpcCIDR, privateRouteTables',
    ]);
  });

  test('R-G7 a production environment cannot use deletionPolicy delete', () => {
    expect(problems({ ...rawEnvironment(), deletionPolicy: 'delete' })).toEqual([
      'deletionPolicy: must be "retain" when tier is "production" (R-G7) (got "delete")',
    ]);
    expect(environment({ ...rawEnvironment(), tier: 'non-production', deletionPolicy: 'delete' }).deletionPolicy).toBe('delete');
  });

  test('R-G3 tags: required keys, fixed values, derived keys and AWS rules', () => {
    const raw = rawEnvironment();
    raw.tags.Environment = 'prod';
    raw.tags['aws:owner'] = 'x';
    raw.systems['vpc-peering'].tags.Compliance = 'none';
    delete raw.systems['vpc-peering'].tags.Project;
    expect(problems(raw)).toEqual([
      'tags.aws:owner: tag key "aws:owner" uses the reserved "aws:" prefix (got "x")',
      'tags.Environment: derived from the file name and environmentSuffix; remove it here (got "prod")',
      'systems.vpc-peering.tags.Project: required tag',
      'systems.vpc-peering.tags.Compliance: must be "PCI-DSS" (got "none")',
    ]);
  });

  test('S1 the API subnet must lie inside the analytics VPC', () => {
    expect(problems(withPeering((p) => (p.analytics.apiSubnetCIDR = '10.2.2.0/24')))).toEqual([
      'systems.vpc-peering.analytics.apiSubnetCIDR: must lie inside analytics.vpcCIDR 10.1.0.0/16 (got "10.2.2.0/24")',
    ]);
  });

  test('S1 the two VPCs must be in different regions', () => {
    expect(problems(withPeering((p) => (p.analytics.region = 'us-east-1')))).toEqual([
      'systems.vpc-peering.analytics.region: must differ from payment.region ("us-east-1"): this system peers across regions (got "us-east-1")',
    ]);
  });

  test('R-G5 an unknown region is rejected, naming the valid ones', () => {
    expect(problems(withPeering((p) => (p.payment.region = 'us-east-3')))[0]).toMatch(
      /^systems\.vpc-peering\.payment\.region: expected an AWS region, one of: af-south-1, .*us-west-2 \(got "us-east-3"\)$/,
    );
  });

  test.each([
    ['10.0.1.0/16', 'host bits are set; the block starting there is 10.0.0.0/16'],
    ['10.0.0.0/8', 'a VPC CIDR block must be between /16 and /28'],
    ['10.0.0.0', 'expected an IPv4 CIDR block like 10.0.0.0/16'],
  ])('S1 VPC CIDR %p is rejected: %s', (value, message) => {
    expect(problems(withPeering((p) => (p.payment.vpcCIDR = value)))[0]).toBe(`systems.vpc-peering.payment.vpcCIDR: ${message} (got "${value}")`);
  });

  test('S1 existing routes need exactly one destination and one target', () => {
    const raw = withPeering((p) => {
      p.payment.privateRouteTables[1].existingRoutes = [
        { destinationCIDRBlock: '0.0.0.0/0' },
        { destinationCIDRBlock: '0.0.0.0/0', destinationPrefixListID: 'pl-63a5400a', natGatewayID: 'nat-0123abcd', transitGatewayID: 'tgw-0123abcd' },
      ];
    });
    expect(problems(raw)).toEqual([
      'systems.vpc-peering.payment.privateRouteTables[1].existingRoutes[0]: a route needs exactly one target: one of gatewayID, natGatewayID, transitGatewayID, vpcPeeringConnectionID, vpcEndpointID, networkInterfaceID, egressOnlyInternetGatewayID (got {"destinationCIDRBlock":"0.0.0.0/0"})',
      'systems.vpc-peering.payment.privateRouteTables[1].existingRoutes[1]: a route needs exactly one destination: destinationCIDRBlock or destinationPrefixListID (got {"destinationCIDRBlock":"0.0.0.0/0","destinationPrefixListID":"pl-63a5400a","natGatewayID":"nat-0123abcd","transitGatew…)',
      'systems.vpc-peering.payment.privateRouteTables[1].existingRoutes[1]: a route needs exactly one target: one of gatewayID, natGatewayID, transitGatewayID, vpcPeeringConnectionID, vpcEndpointID, networkInterfaceID, egressOnlyInternetGatewayID (got {"destinationCIDRBlock":"0.0.0.0/0","destinationPrefixListID":"pl-63a5400a","natGatewayID":"nat-0123abcd","transitGatew…)',
    ]);
  });

  test('S1 an existing route to the peer CIDR, or through the peering, is rejected: the system owns it', () => {
    const raw = withPeering((p) => {
      p.payment.privateRouteTables[1].existingRoutes = [{ destinationCIDRBlock: '10.1.0.0/16', transitGatewayID: 'tgw-0123abcd' }];
      p.analytics.privateRouteTables[0].existingRoutes = [{ destinationCIDRBlock: '10.9.0.0/16', vpcPeeringConnectionID: 'pcx-0123456789abcdef0' }];
    });
    expect(problems(raw)).toEqual([
      "systems.vpc-peering.payment.privateRouteTables[1].existingRoutes[0].destinationCIDRBlock: 10.1.0.0/16 is the peer VPC's CIDR; this system adds that route itself, remove it here (got \"10.1.0.0/16\")",
      "systems.vpc-peering.analytics.privateRouteTables[0].existingRoutes[0].vpcPeeringConnectionID: routes through this system's own peering connection are added by the system; remove it here (got \"pcx-0123456789abcdef0\")",
    ]);
  });

  test('S1 a route table listed twice is rejected', () => {
    const raw = withPeering((p) => (p.payment.privateRouteTables[1].routeTableID = 'rtb-0123456789abcdef0'));
    expect(problems(raw)).toEqual([
      'systems.vpc-peering.payment.privateRouteTables[1].routeTableID: route table rtb-0123456789abcdef0 is listed twice (got "rtb-0123456789abcdef0")',
    ]);
  });
});

describe('loading the config folder (R-G1)', () => {
  function folder(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  function configError(dir: string): string {
    try {
      loadEnvironments(dir);
    } catch (error) {
      if (error instanceof ConfigError) return error.message.replaceAll(dir, '<dir>');
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  test('R-G1 every YAML file is an environment, in name order; other files are ignored', () => {
    const dir = folder({ 'prod.yaml': stringify(rawEnvironment()), 'qa.yml': stringify({ ...rawOtherEnvironment(), tier: 'non-production' }), 'notes.txt': 'x' });
    expect(loadEnvironments(dir).map((env) => [env.name, env.tier])).toEqual([
      ['prod', 'production'],
      ['qa', 'non-production'],
    ]);
  });

  test('R-G1 problems of all files are reported together, each with its file', () => {
    const good = rawEnvironment();
    const dir = folder({
      'a.yaml': stringify({ ...good, tier: 'gold' }),
      'b.yaml': 'tags: [unclosed',
      'c.yaml': stringify(good),
    });
    const message = configError(dir);
    expect(message).toMatch(/^2 configuration problems; nothing was written:\n/);
    expect(message).toContain('a.yaml: tier: Invalid option: expected one of "production"|"non-production" (got "gold")');
    expect(message).toMatch(/b\.yaml: \(file\): line 1, column 16: YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/m);
    expect(message).not.toContain('c.yaml');
  });

  test('R-G4 two environments with the same suffix are rejected: their AWS names would collide', () => {
    const dir = folder({ 'blue.yaml': stringify({ ...rawOtherEnvironment(), environmentSuffix: 'prod' }), 'prod.yaml': stringify(rawEnvironment()) });
    expect(configError(dir)).toContain('prod.yaml: environmentSuffix: "prod" is also the suffix of');
  });

  test('R-G1 an empty or missing folder says how to point at the right one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'config-'));
    mkdirSync(join(empty, 'sub'));
    expect(configError(empty)).toContain('no environment files (<environment>.yaml) found; point --config-dir at the folder that holds them');
    expect(configError(join(empty, 'missing'))).toContain('cannot read the config folder (ENOENT); point --config-dir at an existing folder');
  });
});

describe('settings and the payment systems (R-G7, R-G9)', () => {
  const edit = (change: (raw: any) => void) => {
    const raw = rawEnvironment();
    change(raw);
    return raw;
  };

  test('R-G9 Aurora PostgreSQL 15.3 is rejected in config, naming the valid 15.x versions', () => {
    const [problem] = problems(edit((raw) => (raw.systems['payment-processing'].database.engineVersion = '15.3')));
    expect(problem).toMatch(/^systems\.payment-processing\.database\.engineVersion: aurora-postgresql 15\.3 is not an available version; valid 15\.x: 15\.7, .* \(got "15\.3"\)$/);
  });

  test('R-G9 S3 asks for PostgreSQL 15.x: another valid major is still refused', () => {
    expect(problems(edit((raw) => (raw.systems['payment-stack'].database.engineVersion = '16.8')))[0]).toBe(
      'systems.payment-stack.database.engineVersion: postgres 16.8 is not allowed here; valid 15.x: 15.12, 15.13, 15.14 (got "16.8")',
    );
  });

  test('R-G9 a deprecated Lambda runtime is refused', () => {
    expect(problems(edit((raw) => (raw.systems['payment-stack'].lambda.runtime = 'nodejs18.x')))[0]).toMatch(
      /^systems\.payment-stack\.lambda\.runtime: runtime nodejs18\.x is deprecated \(since 2025-09-01\); use one of nodejs24\.x, nodejs22\.x \(got/,
    );
  });

  test('S2 :latest is refused for a production image; an untagged image is refused everywhere', () => {
    expect(problems(edit((raw) => (raw.systems['payment-processing'].service.image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-processor:latest')))).toEqual([
      'systems.payment-processing.service.image: a production image must be pinned: use a version tag or @sha256 digest, not :latest (got "123456789012.dkr.ecr.us-east-1.amazonaws.com/payment-processor:latest")',
    ]);
    expect(problems(edit((raw) => (raw.systems['payment-processing'].service.image = 'nginx')))[0]).toContain('an image without a tag means "latest"');
    expect(problems(edit((raw) => delete raw.systems['payment-processing'].service.image))[0]).toBe(
      'systems.payment-processing.service.image: required (string): required: the payment service image (registry/repository:tag or @sha256 digest)',
    );
    const dev = edit((raw) => {
      raw.tier = 'non-production';
      raw.systems['payment-processing'].service.image = 'registry.example.com/payment-processor:latest';
    });
    expect(environment(dev).systems['payment-processing'].service.image).toMatch(/:latest$/);
  });

  test('R-G7 a production environment needs Multi-AZ and a week of backups', () => {
    expect(problems(edit((raw) => Object.assign(raw.settings, { multiAZ: false, backupRetentionDays: 3 })))).toEqual([
      'settings.multiAZ: must be true when tier is "production" (R-G7) (got false)',
      'settings.backupRetentionDays: must be at least 7 when tier is "production" (R-G7) (got 3)',
    ]);
  });

  test('R-G9 settings come from the maintained tables', () => {
    expect(problems(edit((raw) => Object.assign(raw.settings, { dbInstanceClass: 'db.m1.small', logRetentionDays: 10 })))).toEqual([
      expect.stringMatching(/^settings\.logRetentionDays: expected a CloudWatch Logs retention in days, one of: 1, 3, 5, 7, 14, 30/),
      expect.stringMatching(/^settings\.dbInstanceClass: expected an RDS instance class, one of: db\.t4g\.micro/),
    ]);
  });

});

describe('S3 API custom domain (config)', () => {
  const withDomain = (edit: (domain: any, stack: any) => void) => {
    const raw = rawEnvironment();
    edit(raw.systems['payment-stack'].api.customDomain, raw.systems['payment-stack']);
    return raw;
  };

  test('S3 a name no public certificate can cover, a certificate of another region and disabling execute-api without a record are each refused, with the field', () => {
    const raw = withDomain((domain) => {
      domain.domainName = 'api-prod.payments.internal';
      domain.certificateARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50';
      delete domain.regionalTarget;
      domain.disableExecuteAPIEndpoint = true;
    });
    expect(problems(raw)).toEqual([
      'systems.payment-stack.api.customDomain.domainName: domainName "api-prod.payments.internal" ends in .internal, for which no public certificate can be issued; use a name in a public domain you own (got "api-prod.payments.internal")',
      'systems.payment-stack.api.customDomain.disableExecuteAPIEndpoint: needs regionalTarget: without a DNS record the API would have no way in (got true)',
      'systems.payment-stack.api.customDomain.certificateARN: is in eu-west-1; a regional API\'s certificate must be in the system\'s region us-east-1 (got "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50")',
    ]);
  });

  test('S3 the DynamoDB prefix list is required and format-checked', () => {
    const raw = rawEnvironment();
    raw.systems['payment-stack'].network.dynamoDBPrefixListID = 'dynamodb';
    expect(problems(raw)).toEqual([
      'systems.payment-stack.network.dynamoDBPrefixListID: expected a prefix list ID: "pl-" followed by 8 or 17 lowercase hex digits, e.g. pl-0123456789abcdef0 (got "dynamodb")',
    ]);
  });
});

describe('alarm subscriptions (R-G12)', () => {
  test('R-G12 a production environment without a recipient is refused: its alarms would page nobody', () => {
    const raw = rawEnvironment();
    delete raw.alarmSubscriptions;
    expect(problems(raw)).toEqual([
      'alarmSubscriptions: a production environment needs at least one recipient of its alarms (email, https or topicARN), or every alarm pages nobody',
    ]);
    raw.tier = 'non-production';
    expect(environment(raw).alarmSubscriptions).toEqual([]);
  });

  test('R-G12 R-G8 each recipient is one of email, https (no credentials in the URL) or an SNS topic ARN', () => {
    const raw = rawEnvironment();
    raw.alarmSubscriptions = [
      { email: 'ops' },
      { https: 'https://events.example.com/hook?token=s3cr3t' },
      { email: 'a@example.com', https: 'https://x.example.com/' },
      { topicARN: 'arn:aws:sns:us-east-1:123456789012:intake' },
    ];
    expect(problems(raw)).toEqual([
      'alarmSubscriptions[0].email: email "ops" is not an email address (got "ops")',
      'alarmSubscriptions[1].https: https endpoint of events.example.com carries credentials or a query in its URL; manifests hold no secrets (R-G8): subscribe a topic (sns) the tool\'s owner controls instead (got "https://events.example.com/hook?token=s3cr3t")',
      'alarmSubscriptions[2]: give exactly one of email, https or topicARN (got {"email":"a@example.com","https":"https://x.example.com/"})',
    ]);
  });
});

describe('environments bound to their accounts (issue 9)', () => {
  test('R-G5 the ACK role must be in the environment\'s own account', () => {
    const raw = rawEnvironment();
    raw.ack.roleARN = 'arn:aws:iam::999999999999:role/ack';
    expect(problems(raw)).toEqual(["ack.roleARN: is a role of account 999999999999; ACK must assume a role in this environment's account 123456789012 (got \"arn:aws:iam::999999999999:role/ack\")"]);
  });

  test('R-G5 an ARN or ECR image of another account is refused, unless that account is listed as shared on purpose', () => {
    const raw = rawEnvironment();
    raw.systems['payment-processing'].service.image = '999999999999.dkr.ecr.us-east-1.amazonaws.com/payment-processor:1.8.0';
    raw.systems['payment-processing'].loadBalancer.certificateARN = 'arn:aws:acm:us-east-1:888888888888:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c50';
    expect(problems(raw)).toEqual([
      'systems.payment-processing.service.image: belongs to account 999999999999, not this environment\'s 123456789012 (a copied file?); if it is shared on purpose, list 999999999999 in sharedAccounts (got "999999999999.dkr.ecr.us-east-1.amazonaws.com/payment-processor:1.8.0")',
      'systems.payment-processing.loadBalancer.certificateARN: belongs to account 888888888888, not this environment\'s 123456789012 (a copied file?); if it is shared on purpose, list 888888888888 in sharedAccounts (got "arn:aws:acm:us-east-1:888888888888:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c50")',
    ]);
    raw.sharedAccounts = ['999999999999', '888888888888'];
    expect(environment(raw).sharedAccounts).toEqual(['999999999999', '888888888888']);
  });

  test('R-G4 a copied environment file is refused: the copy would adopt and rewrite the same route tables, VPCs and peering', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const original = rawEnvironment();
    writeFileSync(join(dir, 'prod.yaml'), stringify(original));
    writeFileSync(join(dir, 'qa.yaml'), stringify({ ...original, environmentSuffix: 'qa' }));
    let message = '';
    try {
      loadEnvironments(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('qa.yaml: systems.vpc-peering.payment.privateRouteTables[0].routeTableID: rtb-0123456789abcdef0 is also systems.vpc-peering.payment.privateRouteTables[0].routeTableID of');
    expect(message).toContain('qa.yaml: systems.vpc-peering.peeringConnectionID: pcx-0123456789abcdef0 is also');
    expect(message).not.toContain('prod.yaml: systems.');
  });

  test('R-G5 two environments of one account must name the same ACK role (one entry per account in ack-role-account-map)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'prod.yaml'), stringify(rawEnvironment()));
    writeFileSync(join(dir, 'qa.yaml'), stringify({ ...rawOtherEnvironment(), ack: { roleARN: 'arn:aws:iam::123456789012:role/other' } }));
    expect(() => loadEnvironments(dir)).toThrow("qa.yaml: ack.roleARN: account 123456789012 is also");
  });
});

describe('reading environment files (issue 9: every problem with its place, nothing unbounded)', () => {
  const load = (files: Record<string, string>, setup: (dir: string) => void = () => undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    setup(dir);
    try {
      loadEnvironments(dir);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => `${p.file.split('/').pop()}: ${p.path}: ${p.message}`);
      throw error;
    }
    return [];
  };
  const valid = stringify(rawEnvironment());

  test('R-G1 YAML errors carry line and column; a duplicate key names the key', () => {
    expect(load({ 'prod.yaml': `${valid}tier: production\n` })).toEqual([
      expect.stringMatching(/^prod\.yaml: : line \d+, column 1: the key "tier" appears twice in one mapping; keep one$/),
    ]);
  });

  test('R-G1 several documents, an alias bomb, a folder or a broken link named *.yaml, and .YAML are each one clear line', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 6 }, (_, i) => `b${i}: &b${i} [${Array(10).fill(i === 0 ? '*a' : `*b${i - 1}`).join(', ')}]`)].join('\n');
    const problems = load({ 'docs.yaml': `${valid}---\n${valid}`, 'bomb.yaml': bomb, 'UPPER.YAML': valid }, (dir) => {
      mkdirSync(join(dir, 'folder.yaml'));
      symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'link.yaml'));
    });
    expect(problems).toEqual([
      'UPPER.YAML: (file name): rename it to UPPER.yaml: environment files end in lowercase .yaml or .yml',
      'bomb.yaml: : its YAML aliases expand beyond any environment file (a resource exhaustion pattern); not read',
      'docs.yaml: : holds 2 YAML documents (separated by ---); an environment file holds one',
      'folder.yaml: : is a folder, not an environment file; rename or move it',
      'link.yaml: : is a broken link; remove it or point it at a file',
    ]);
  });

  test('R-G1 output is bounded: a large file is not parsed, garbage is one line, and a file with many problems shows the first 20 and a count', () => {
    const many = stringify({ ...rawEnvironment(), ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`typo${i}`, i])) });
    const problems = load({ 'big.yaml': 'x: '.padEnd(300 * 1024, 'y'), 'garbage.yaml': 'just some words, not YAML fields\n', 'many.yaml': many });
    expect(problems[0]).toMatch(/^big\.yaml: : is \d+ bytes; an environment file is a few KB, so this is not one and was not read$/);
    expect(problems[1]).toBe('garbage.yaml: : expected fields (awsAccountID: …, tier: …) at the top level, found a string; is this an environment file?');
    expect(problems.filter((p) => p.startsWith('many.yaml'))).toHaveLength(21);
    expect(problems.at(-1)).toBe('many.yaml: : … and 10 more problems in this file');
  });

  test('R-G1 an unquoted account ID: "write it in quotes", showing what YAML did to the leading zero', () => {
    const text = valid.replace(/awsAccountID: "?123456789012"?/, 'awsAccountID: 012345678901');
    expect(load({ 'prod.yaml': text })).toContain(
      'prod.yaml: awsAccountID: write it in quotes, "012345678901": YAML reads an unquoted 012345678901 as a number and loses what it does not keep in a number (012345678901 became 12345678901)',
    );
  });

  test('R-G1 invisible characters in a key are shown escaped', () => {
    const raw = rawEnvironment();
    raw['tier\u200b'] = 'production';
    expect(problems(raw)).toEqual([expect.stringMatching(/^"tier\\u200b": unknown field; allowed here: /)]);
  });
});

describe('problems that used to surface only while building charts (issue 9)', () => {
  test('R-G1 zones of another region, a zone twice, subnets that do not fit and a Fargate size are config problems with their fields', () => {
    const raw = rawEnvironment();
    const processing = raw.systems['payment-processing'];
    processing.network.availabilityZones = ['us-east-1a', 'us-west-2b', 'us-east-1a'];
    processing.network.cidr = '10.40.0.0/22';
    processing.service.memoryMiB = 8192;
    raw.settings.natGateways = 1;
    expect(problems(raw)).toEqual([
      "systems.payment-processing.network.availabilityZones[1]: us-west-2b is not a zone of the system's region us-east-1 (e.g. us-east-1a) (got \"us-west-2b\")",
      'systems.payment-processing.network.availabilityZones[2]: us-east-1a is listed twice (got "us-east-1a")',
      'systems.payment-processing.network.cidr: subnet private-us-east-1a (/20) must be between /22 (the VPC) and /28 (3 public /24, 3 private /20, 3 isolated /24) (got "10.40.0.0/22")',
      'systems.payment-processing.service.memoryMiB: memoryMiB 8192 is not allowed with cpu 512; use one of 1024, 2048, 3072, 4096 (got 8192)',
    ]);
  });

  test('R-G1 NAT gateways: more than zones is an error (no silent clamp); none says what the tasks would lose', () => {
    const more = rawEnvironment();
    more.settings.natGateways = 3;
    expect(problems(more)).toEqual(['settings.natGateways: must be at most the 2 zones of systems.payment-processing.network (one NAT gateway per zone) (got 3)']);
    const none = rawEnvironment();
    none.settings.natGateways = 0;
    expect(problems(none)[0]).toMatch(/^settings\.natGateways: payment-processing's tasks and migration runner live in private subnets without VPC endpoints: with no NAT gateway they lose the image pull \(ECR\)/);
  });

  test('R-G1 what only a chart finds is reported for every environment at once, with its file and construct', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const bad = (raw: any) => {
      raw.systems['payment-processing'].loadBalancer.targetGroupARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other-tg/0123456789abcdef';
      return raw;
    };
    writeFileSync(join(dir, 'a.yaml'), stringify(bad(rawEnvironment())));
    const other = bad(rawOtherEnvironment());
    other.systems['payment-processing'].loadBalancer.targetGroupARN = other.systems['payment-processing'].loadBalancer.targetGroupARN.replace('other-tg', 'else-tg');
    writeFileSync(join(dir, 'b.yaml'), stringify(other));
    let error: unknown;
    try {
      renderEnvironments(loadEnvironments(dir));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => [p.file.split('/').pop(), p.path, p.message.split(':')[0]])).toEqual([
      ['a.yaml', '(chart payment-processing/LoadBalancer)', 'targetGroupArn "arn'],
      ['b.yaml', '(chart payment-processing/LoadBalancer)', 'targetGroupArn "arn'],
    ]);
  });
});
