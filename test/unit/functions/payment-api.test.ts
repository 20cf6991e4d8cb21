/**
 * The S3 payment API handler (seed 002 §12), with the AWS SDK mocked at its
 * boundary (aws-sdk-client-mock) and time and IDs injected.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHandler } from '../../../functions/payment-api/handler';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(documents);
const ID = '7f9c2ba4-e88f-4b2a-9d7c-1c2e3f4a5b6c';
const logs: Record<string, unknown>[] = [];
const handler = createHandler({ documents, tableName: 'payment-transactions-test', now: () => 1_760_000_000_000, newId: () => ID, log: (entry) => logs.push(entry) });

const event = (routeKey: string, body?: unknown, id?: string): APIGatewayProxyEventV2 =>
  ({ routeKey, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), pathParameters: id ? { id } : undefined, isBase64Encoded: false, requestContext: { requestId: 'req-1' } }) as unknown as APIGatewayProxyEventV2;
const json = (result: { body?: string }) => JSON.parse(result.body!);

beforeEach(() => {
  dynamo.reset();
  logs.length = 0;
});

describe('S3 payment API', () => {
  test('S3 POST /payment records a pending payment once (conditional put) and answers 201 with it', async () => {
    dynamo.on(PutCommand).resolves({});
    const result = await handler(event('POST /payment', { userId: 'user-1', amountMinor: 1250, currency: 'EUR' }));
    const payment = { transactionId: ID, timestamp: 1_760_000_000_000, userId: 'user-1', amountMinor: 1250, currency: 'EUR', status: 'PENDING' };
    expect(result.statusCode).toBe(201);
    expect(json(result)).toEqual(payment);
    expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: 'payment-transactions-test', Item: payment, ConditionExpression: 'attribute_not_exists(transactionId)' },
    ]);
  });

  test('S3 a bad request gets every problem at once and nothing is written', async () => {
    const result = await handler(event('POST /payment', { userId: '', amountMinor: 12.5, currency: 'eur', note: 'x' }));
    expect(result.statusCode).toBe(400);
    expect(json(result).errors).toEqual([
      'userId: 1 to 128 letters, digits, dots, dashes or underscores',
      'amountMinor: a positive whole number of minor units (cents)',
      'currency: an ISO 4217 code such as USD',
      'note: unknown field',
    ]);
    expect((await handler(event('POST /payment', '{oops'))).statusCode).toBe(400);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('S3 GET /payment/{id} reads the payment by its partition key; 404 when absent; 400 for a malformed id', async () => {
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':id': ID } }).resolves({ Items: [{ transactionId: ID, status: 'PENDING' }] });
    dynamo.on(QueryCommand, { ExpressionAttributeValues: { ':id': '00000000-0000-4000-8000-000000000000' } }).resolves({ Items: [] });
    const found = await handler(event('GET /payment/{id}', undefined, ID));
    expect([found.statusCode, json(found)]).toEqual([200, { transactionId: ID, status: 'PENDING' }]);
    expect((await handler(event('GET /payment/{id}', undefined, '00000000-0000-4000-8000-000000000000'))).statusCode).toBe(404);
    expect((await handler(event('GET /payment/{id}', undefined, 'nope'))).statusCode).toBe(400);
    expect(dynamo.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ TableName: 'payment-transactions-test', KeyConditionExpression: 'transactionId = :id', Limit: 1 });
  });

  test('S3 an AWS failure is a 500 with the request ID; the log names the error, never the payment', async () => {
    dynamo.on(PutCommand).rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    const result = await handler(event('POST /payment', { userId: 'user-1', amountMinor: 100, currency: 'USD' }));
    expect([result.statusCode, json(result)]).toEqual([500, { message: 'internal error', requestId: 'req-1' }]);
    expect(logs).toEqual([{ level: 'error', message: 'request failed', routeKey: 'POST /payment', requestId: 'req-1', error: 'ProvisionedThroughputExceededException' }]);
  });

  test('S5 GET /health is 200 while this region\'s table answers a consistent read, 503 (logged) when it does not', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const healthy = await handler(event('GET /health'));
    expect([healthy.statusCode, json(healthy)]).toEqual([200, { status: 'ok' }]);
    expect(dynamo.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ TableName: 'payment-transactions-test', ConsistentRead: true, Limit: 1 });
    dynamo.on(QueryCommand).rejects(Object.assign(new Error('unreachable'), { name: 'InternalServerError' }));
    const down = await handler(event('GET /health'));
    expect([down.statusCode, json(down)]).toEqual([503, { status: 'unavailable' }]);
    expect(logs).toEqual([{ level: 'warn', message: 'health check failed', error: 'InternalServerError' }]);
  });
});
