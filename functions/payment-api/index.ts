/**
 * Lambda entry point of the payment API (handler `index.handler`). The AWS
 * SDK comes with the Node.js runtime; `TABLE_NAME` is set by the chart.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHandler } from './handler';

const tableName = process.env.TABLE_NAME;
if (!tableName) throw new Error('TABLE_NAME is not set');

export const handler = createHandler({
  documents: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName,
  now: Date.now,
  newId: randomUUID,
  log: (entry) => console.log(JSON.stringify(entry)),
});
