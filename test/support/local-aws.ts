/**
 * A local endpoint speaking the two AWS wire protocols the operator's
 * clients use — Query (form-encoded `Action=`, XML answers: RDS) and JSON 1.0
 * (`X-Amz-Target`, JSON answers: CloudWatch) — for a process the test cannot
 * mock in memory: the bundled operator, pointed here with `AWS_ENDPOINT_URL`.
 * The test scripts each action's answer and reads every call; an action
 * without a script gets AWS's `InvalidAction` error, so an unexpected call
 * fails loudly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsCall {
  readonly action: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * The answer to one call: for Query, the XML inside `<Action>Result>`; for
 * JSON 1.0, the output object. A promise holds the answer as long as the test likes.
 */
export type AwsHandler = (params: Readonly<Record<string, unknown>>) => string | object | Promise<string | object>;

export class LocalAws {
  readonly calls: AwsCall[] = [];
  private readonly handlers = new Map<string, AwsHandler>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LocalAws> {
    let aws!: LocalAws;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        const target = request.headers['x-amz-target'];
        const json = typeof target === 'string';
        const params: Record<string, unknown> = json ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
        const action = json ? target.split('.').pop()! : String(params.Action ?? '');
        aws.calls.push({ action, params });
        const handler = aws.handlers.get(action);
        const output = handler && (await handler(params));
        const [status, type, text] = json
          ? handler
            ? [200, 'application/x-amz-json-1.0', JSON.stringify(output || {})]
            : [400, 'application/x-amz-json-1.0', JSON.stringify({ __type: 'InvalidAction', message: `no script for ${action}` })]
          : handler
            ? [200, 'text/xml', `<${action}Response><${action}Result>${output}</${action}Result><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></${action}Response>`]
            : [400, 'text/xml', `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>no script for ${action}</Message></Error><RequestId>local</RequestId></ErrorResponse>`];
        // The caller may be gone (a killed process): nothing to answer.
        if (!response.destroyed) response.writeHead(status, { 'content-type': type }).end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    aws = new LocalAws(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return aws;
  }

  on(action: string, handler: AwsHandler): this {
    this.handlers.set(action, handler);
    return this;
  }

  count(action: string): number {
    return this.calls.filter((call) => call.action === action).length;
  }

  /** The environment that points an AWS SDK process here, with credentials that sign but grant nothing. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL: this.url, AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-test-only', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
