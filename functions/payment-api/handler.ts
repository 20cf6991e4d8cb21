/**
 * The payment API of S3 `payment-stack` (seed 002 §12): `POST /payment`
 * records a payment, `GET /payment/{id}` reads it back, in the DynamoDB table
 * the chart creates (partition key `transactionId`, sort key `timestamp`).
 * `GET /health` answers 200 only while the table answers in this region: what
 * S5's Route 53 health checks call to decide a failover.
 * Dependencies are passed in, so tests run it against a mocked SDK client.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface PaymentApiDependencies {
  readonly documents: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly newId: () => string;
  readonly log: (entry: Record<string, unknown>) => void;
}

/** A payment as stored and returned. Amounts are in minor units (cents): no floating point. */
export interface Payment {
  readonly transactionId: string;
  readonly timestamp: number;
  readonly userId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly status: 'PENDING' | 'SETTLED' | 'FAILED';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every problem of a payment request, so that a client fixes them all at once. */
export function paymentRequestProblems(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['the body must be a JSON object'];
  const { userId, amountMinor, currency, ...rest } = body as Record<string, unknown>;
  return [
    ...(typeof userId === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(userId) ? [] : ['userId: 1 to 128 letters, digits, dots, dashes or underscores']),
    ...(Number.isSafeInteger(amountMinor) && (amountMinor as number) > 0 ? [] : ['amountMinor: a positive whole number of minor units (cents)']),
    ...(typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? [] : ['currency: an ISO 4217 code such as USD']),
    ...Object.keys(rest).map((key) => `${key}: unknown field`),
  ];
}

export function createHandler(deps: PaymentApiDependencies) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      if (event.routeKey === 'POST /payment') return await createPayment(deps, event);
      if (event.routeKey === 'GET /payment/{id}') return await getPayment(deps, event.pathParameters?.id);
      if (event.routeKey === 'GET /health') return await health(deps);
      return respond(404, { message: `no route ${event.routeKey}` });
    } catch (error) {
      // The client learns nothing about internals; the log has what operators need (never the body: it is payment data).
      deps.log({ level: 'error', message: 'request failed', routeKey: event.routeKey, requestId: event.requestContext?.requestId, error: (error as Error).name });
      return respond(500, { message: 'internal error', requestId: event.requestContext?.requestId });
    }
  };
}

/** One strongly consistent read of a key no payment uses: the table of this region is reachable and serving. */
async function health(deps: PaymentApiDependencies): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    await deps.documents.send(new QueryCommand({ TableName: deps.tableName, KeyConditionExpression: 'transactionId = :id', ExpressionAttributeValues: { ':id': 'health-check' }, Limit: 1, ConsistentRead: true }));
    return respond(200, { status: 'ok' });
  } catch (error) {
    deps.log({ level: 'warn', message: 'health check failed', error: (error as Error).name });
    return respond(503, { status: 'unavailable' });
  }
}

async function createPayment(deps: PaymentApiDependencies, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let body: unknown;
  try {
    body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''));
  } catch {
    return respond(400, { errors: ['the body is not JSON'] });
  }
  const problems = paymentRequestProblems(body);
  if (problems.length > 0) return respond(400, { errors: problems });
  const request = body as Pick<Payment, 'userId' | 'amountMinor' | 'currency'>;
  const payment: Payment = {
    transactionId: deps.newId(),
    timestamp: deps.now(),
    userId: request.userId,
    amountMinor: request.amountMinor,
    currency: request.currency,
    status: 'PENDING',
  };
  await deps.documents.send(
    new PutCommand({ TableName: deps.tableName, Item: payment, ConditionExpression: 'attribute_not_exists(transactionId)' }),
  );
  deps.log({ level: 'info', message: 'payment recorded', transactionId: payment.transactionId });
  return respond(201, payment);
}

async function getPayment(deps: PaymentApiDependencies, id: string | undefined): Promise<APIGatewayProxyStructuredResultV2> {
  if (!id || !UUID.test(id)) return respond(400, { errors: ['id: a payment ID (UUID)'] });
  const { Items } = await deps.documents.send(
    new QueryCommand({ TableName: deps.tableName, KeyConditionExpression: 'transactionId = :id', ExpressionAttributeValues: { ':id': id }, Limit: 1 }),
  );
  return Items && Items.length > 0 ? respond(200, Items[0]) : respond(404, { message: `no payment ${id}` });
}

function respond(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

