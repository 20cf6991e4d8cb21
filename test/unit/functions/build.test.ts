/**
 * The functions' deployment packages: deterministic, named by their content
 * hash, referenced by the charts with that hash, and runnable as Lambda runs
 * them (the zip's index.mjs, with the AWS SDK from outside the package).
 */
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Testing } from 'cdk8s';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { unzipSync } from 'fflate';
import { PaymentProcessingChart } from '../../../charts/payment-processing';
import { PaymentStackChart } from '../../../charts/payment-stack';
import { buildPackage, FUNCTION_HANDLER, FUNCTION_SOURCES, functionPackage, type FunctionName } from '../../../functions/build';
import { REPO_ROOT } from '../../../lib/paths';
import { environment, manifest, rawEnvironment } from '../../support/fixtures';

const NAMES = Object.keys(FUNCTION_SOURCES) as FunctionName[];
// Inside the repository, so that the package's imports of the AWS SDK resolve as the Lambda runtime provides them.
const RUN_DIR = join(REPO_ROOT, 'build', `test-functions-${process.pid}`);

afterAll(() => rmSync(RUN_DIR, { recursive: true, force: true }));

describe('function packages', () => {
  test.each(NAMES)('%s: the same sources give the same bytes; named and hashed by content', (name) => {
    const first = buildPackage(name);
    const second = buildPackage(name);
    expect(Buffer.from(second.zip).equals(Buffer.from(first.zip))).toBe(true);
    const digest = createHash('sha256').update(first.zip).digest();
    expect(first.sha256).toBe(digest.toString('base64'));
    expect(first.s3Key).toBe(`${name}/${digest.toString('hex').slice(0, 16)}.zip`);
  });

  test.each(NAMES)('%s: one readable index.mjs with a fixed timestamp, without the AWS SDK (the runtime has it)', (name) => {
    const files = unzipSync(functionPackage(name).zip);
    expect(Object.keys(files)).toEqual(['index.mjs']);
    const code = new TextDecoder().decode(files['index.mjs']);
    expect(code).toMatch(/export\s*\{[^}]*handler/);
    expect(code).toContain('from "@aws-sdk/');
    expect(code).not.toContain('class DynamoDBClient');
  });

  test('the charts reference each package by its hash (ACK updates code only when code.sha256 changes)', () => {
    const env = environment(rawEnvironment(), 'prod');
    const stack = new PaymentStackChart(Testing.app(), env).toJson();
    const processing = new PaymentProcessingChart(Testing.app(), env).toJson();
    const code = (manifests: any[], name: string) => manifest(manifests, 'Function', name).spec;
    expect(code(stack, 'payment-handler')).toMatchObject({ packageType: 'Zip', handler: FUNCTION_HANDLER, code: { s3Key: functionPackage('payment-api').s3Key, sha256: functionPackage('payment-api').sha256 } });
    expect(code(processing, 'payment-migrations')).toMatchObject({ handler: FUNCTION_HANDLER, code: { s3Key: functionPackage('payment-migrations').s3Key, sha256: functionPackage('payment-migrations').sha256 } });
  });

  test('S3 the payment API package answers a request as Lambda loads it', async () => {
    mkdirSync(RUN_DIR, { recursive: true });
    const file = join(RUN_DIR, 'payment-api.mjs');
    writeFileSync(file, unzipSync(functionPackage('payment-api').zip)['index.mjs']);
    const dynamo = mockClient(DynamoDBDocumentClient);
    dynamo.on(PutCommand).resolves({});
    process.env.TABLE_NAME = 'payment-transactions-test';
    process.env.AWS_REGION = 'us-east-1';
    const logged = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const { handler } = await import(pathToFileURL(file).href);
    const result = await handler({ routeKey: 'POST /payment', body: JSON.stringify({ userId: 'u1', amountMinor: 100, currency: 'USD' }), isBase64Encoded: false, requestContext: { requestId: 'r' } });
    expect(result.statusCode).toBe(201);
    expect(dynamo.commandCalls(PutCommand)[0].args[0].input.TableName).toBe('payment-transactions-test');
    // JSON lines, which the function's log group receives (loggingConfig JSON).
    expect(JSON.parse(logged.mock.calls[0][0] as string)).toMatchObject({ level: 'info', message: 'payment recorded' });
    logged.mockRestore();
    dynamo.restore();
  });
});
