/**
 * The cross-region lease (R-O2) against dynalite, an implementation of the
 * DynamoDB API run locally (a real conditional-write store, not a mock of the
 * lease code), with an explicit clock: never two holders acting, a takeover
 * only after expiry, a stalled or partitioned holder stopping first.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { CrossRegionLease } from '../../operator/aws/cross-region-lease';
import { TcpProxy } from '../support/tcp-proxy';

const TIMING = { durationMs: 15_000, renewDeadlineMs: 10_000 };
let server: ReturnType<typeof dynalite>;
let endpoint: string;
let now = 1_000_000;
const clock = () => now;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => new DynamoDBClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

async function table(name: string): Promise<string> {
  await client().send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  return name;
}

test('R-O2 one holder at a time: the second waits for expiry, takes over with a higher fence, and the first can no longer renew', async () => {
  const name = await table('leases-takeover');
  const east = new CrossRegionLease(client(), name, 'payments', 'cluster-us-east-1', TIMING, clock);
  const west = new CrossRegionLease(client(), name, 'payments', 'cluster-us-east-2', TIMING, clock);
  expect(await east.tryAcquireOrRenew()).toBe(true);
  expect(await west.tryAcquireOrRenew()).toBe(false);
  expect([east.held(), west.held(), east.token]).toEqual([true, false, 1]);
  now += 5_000;
  expect(await east.tryAcquireOrRenew()).toBe(true); // renewal keeps it
  now += 14_000;
  expect(await west.tryAcquireOrRenew()).toBe(false); // not expired yet (renewed 14 s ago, lasts 15)
  now += 2_000;
  expect(east.held()).toBe(false); // past its renew deadline: it stopped acting before the expiry
  expect(await west.tryAcquireOrRenew()).toBe(true);
  expect([west.held(), west.token]).toEqual([true, 2]);
  expect(await east.tryAcquireOrRenew()).toBe(false);
  expect(east.held()).toBe(false);
});

test('R-O2 a partitioned holder (its store unreachable) stops acting at its renew deadline, before anyone may take over', async () => {
  const name = await table('leases-partition');
  // "east" reaches the store through a link the test can cut.
  const link = await TcpProxy.start(new URL(endpoint));
  const partitioned = new CrossRegionLease(
    new DynamoDBClient({ endpoint: link.url.replace(/^https:/, 'http:'), region: 'us-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: { requestTimeout: 1_000 } }),
    name,
    'payments',
    'east',
    TIMING,
    clock,
  );
  const other = new CrossRegionLease(client(), name, 'payments', 'west', TIMING, clock);
  expect(await partitioned.tryAcquireOrRenew()).toBe(true);
  const acquiredAt = now;
  link.cut();
  now = acquiredAt + 9_000;
  await expect(partitioned.tryAcquireOrRenew()).rejects.toThrow();
  expect(partitioned.held()).toBe(true); // still within its renew deadline
  now = acquiredAt + 10_000;
  expect(partitioned.held()).toBe(false); // stopped at lastRenew + renewDeadline
  expect(await other.tryAcquireOrRenew()).toBe(false); // yet nobody may take over before the expiry
  now = acquiredAt + 15_000;
  expect(await other.tryAcquireOrRenew()).toBe(true);
  await link.close();
});

test('R-O2 two contenders racing for an expired lease: exactly one wins (conditional write)', async () => {
  const name = await table('leases-race');
  const contenders = Array.from({ length: 5 }, (_, i) => new CrossRegionLease(client(), name, 'payments', `cluster-${i}`, TIMING, clock));
  const results = await Promise.all(contenders.map((lease) => lease.tryAcquireOrRenew().catch(() => false)));
  expect(results.filter(Boolean)).toHaveLength(1);
  expect(contenders.filter((lease) => lease.held())).toHaveLength(1);
});

test('R-O2 the timing must let a stalled holder stop before the lease expires', () => {
  expect(() => new CrossRegionLease(client(), 't', 'n', 'h', { durationMs: 10_000, renewDeadlineMs: 10_000 }, clock)).toThrow('renewDeadlineMs 10000 must be below durationMs 10000');
});
