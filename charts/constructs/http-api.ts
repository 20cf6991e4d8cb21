import { Construct } from 'constructs';
import * as apigw from '../../imports/apigatewayv2.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { arn, physicalName } from './aws-context';
import type { KmsKey } from './kms-key';
import type { LambdaFunction } from './lambda-function';
import { LogGroup } from './log-group';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRoute {
  readonly method: HttpMethod;
  /** e.g. `/payment/{id}` */
  readonly path: string;
  readonly handler: LambdaFunction;
}

export interface HttpApiCors {
  /** Exact https origins; `*` is refused (a payments API is not for every site). */
  readonly allowOrigins: readonly string[];
  /** @default Content-Type, Authorization */
  readonly allowHeaders?: readonly string[];
  /** @default 300 */
  readonly maxAgeSeconds?: number;
}

export interface HttpApiProps {
  /** Kubernetes object name; base of the AWS names. */
  readonly name: string;
  readonly description: string;
  readonly routes: readonly HttpRoute[];
  /** @default - no CORS: browsers from other origins are refused */
  readonly cors?: HttpApiCors;
  /** Retention of the access log group. */
  readonly accessLogRetentionDays: number;
  /** @default - AWS managed key */
  readonly encryptionKey?: KmsKey;
  /**
   * A custom domain; the default `execute-api` endpoint is then switched off so
   * that there is one way in. @default - only the execute-api endpoint
   */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** Stage-wide throttling. @default 100 burst, 50 requests/s */
  readonly throttling?: { readonly burstLimit: number; readonly rateLimit: number };
}

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * An API Gateway HTTP API: Lambda proxy routes, CORS, a `$default` stage with
 * JSON access logs to a pre-created log group and throttling, and an optional
 * custom domain.
 */
export class HttpApi extends Construct {
  readonly api: apigw.Api;
  readonly stage: apigw.Stage;
  readonly apiName: string;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.apiName = physicalName(this, AWS_NAME_RULES.httpApi, props.name);
    const routeKeys = props.routes.map((r) => `${r.method} ${r.path}`);
    const badPath = props.routes.find((r) => !/^(\/[A-Za-z0-9._~-]+|\/\{[A-Za-z0-9_]+\+?\})+$/.test(r.path));
    const badOrigin = props.cors?.allowOrigins.find((origin) => !/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(origin));
    const throttling = props.throttling ?? { burstLimit: 100, rateLimit: 50 };
    const problem =
      nameProblem(`${props.name}-access-logs`, K8S_LABEL_NAME) ??
      (props.routes.length > 0 ? undefined : 'routes must not be empty') ??
      (badPath ? `route path "${badPath.path}" is not a path like /payment/{id}` : undefined) ??
      (new Set(routeKeys).size === routeKeys.length ? undefined : 'two routes share a method and path') ??
      (badOrigin ? `CORS origin "${badOrigin}" must be an exact https origin (no "*", no path)` : undefined) ??
      (throttling.burstLimit > 0 && throttling.rateLimit > 0 ? undefined : 'throttling limits must be positive') ??
      (props.customDomain && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/.test(props.customDomain.certificateArn)
        ? `customDomain.certificateArn "${props.customDomain.certificateArn}" is not an ACM certificate ARN`
        : undefined);
    if (problem) throw new ValidationError(problem, this);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      name: `${props.name}-access-logs`,
      logGroupName: `/aws/apigateway/${this.apiName}/access`,
      retentionDays: props.accessLogRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    const methods = [...new Set(props.routes.map((r) => r.method))].sort();
    this.api = new apigw.Api(this, 'Api', {
      metadata: { name: props.name },
      spec: {
        name: this.apiName,
        description: props.description,
        protocolType: 'HTTP',
        disableExecuteApiEndpoint: props.customDomain !== undefined,
        corsConfiguration: props.cors
          ? {
              allowOrigins: [...props.cors.allowOrigins],
              allowMethods: [...methods, 'OPTIONS'],
              allowHeaders: [...(props.cors.allowHeaders ?? ['Content-Type', 'Authorization'])],
              maxAge: props.cors.maxAgeSeconds ?? 300,
            }
          : undefined,
      },
    });
    const apiRef = { from: { name: this.api.name } };
    // The API's ID is assigned by AWS; invoke permissions are scoped to this account's APIs in this region.
    const sourceArn = arn(this, 'execute-api', '*/*/*');

    const integrations = new Map<LambdaFunction, apigw.Integration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new apigw.Integration(this, `Integration-${route.handler.node.id}`, {
          metadata: { name: `${props.name}-${route.handler.resource.name}` },
          spec: {
            apiRef,
            integrationType: 'AWS_PROXY',
            integrationMethod: 'POST',
            integrationUri: route.handler.grantInvoke('apigateway.amazonaws.com', sourceArn),
            payloadFormatVersion: '2.0',
            timeoutInMillis: 29_000,
          },
        });
        integrations.set(route.handler, integration);
      }
      const routeName = `${props.name}-${route.method.toLowerCase()}${route.path.replace(/[{}+]/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
      new apigw.Route(this, `Route-${route.method}-${route.path}`, {
        metadata: { name: routeName.replace(/-+$/, '') },
        spec: { apiRef, routeKey: `${route.method} ${route.path}`, targetRef: { from: { name: integration.name } }, authorizationType: 'NONE' },
      });
    }

    this.stage = new apigw.Stage(this, 'Stage', {
      metadata: { name: `${props.name}-default` },
      spec: {
        apiRef,
        stageName: '$default',
        autoDeploy: true,
        accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
        defaultRouteSettings: { throttlingBurstLimit: throttling.burstLimit, throttlingRateLimit: throttling.rateLimit, detailedMetricsEnabled: true },
      },
    });

    if (props.customDomain) {
      const domain = new apigw.DomainName(this, 'Domain', {
        metadata: { name: `${props.name}-domain` },
        spec: {
          domainName: props.customDomain.domainName,
          domainNameConfigurations: [{ certificateArn: props.customDomain.certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' }],
        },
      });
      new apigw.ApiMapping(this, 'DomainMapping', {
        metadata: { name: `${props.name}-domain` },
        spec: { apiRef, domainRef: { from: { name: domain.name } }, stage: '$default' },
      });
    }
  }
}
