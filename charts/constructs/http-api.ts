import { Construct } from 'constructs';
import * as apigw from '../../imports/apigatewayv2.services.k8s.aws';
import * as route53 from '../../imports/route53.services.k8s.aws';
import { ValidationError } from '../../lib/errors';
import { AWS_NAME_RULES, K8S_LABEL_NAME, nameProblem } from '../../lib/naming';
import { CERTIFICATE_ARN_PATTERN, dnsNameProblem, HOSTED_ZONE_ID_PATTERN } from '../../lib/validation/aws';
import { addWarning } from '../../lib/warnings';
import { SystemChart } from '../system-chart';
import { arn, awsContext, physicalName } from './aws-context';
import type { KmsKey } from './kms-key';
import { defer, lateBound, valueOf } from './late-binding';
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

/** A custom domain name for the API, with its DNS record. */
export interface HttpApiCustomDomain {
  /** A public DNS name in `hostedZoneId`, e.g. `api.payments.example.com`. */
  readonly domainName: string;
  /** A public ACM certificate for `domainName`, in the API's region (a regional endpoint). */
  readonly certificateArn: string;
  /**
   * The public Route 53 hosted zone answering for `domainName`; the alias record goes there.
   * @default - no record: the caller writes the DNS records (failover records of a multi-region system)
   */
  readonly hostedZoneId?: string;
  /**
   * The domain's API Gateway regional endpoint (`d-….execute-api.<region>.amazonaws.com`)
   * and its hosted zone, which AWS assigns; ACK's DomainName does not report
   * them (apigatewayv2-controller v1.4.1 generator.yaml ignores both).
   * @default - unknown: no DNS record yet, synth warns
   */
  readonly regionalTarget?: { readonly domainName: string; readonly hostedZoneId: string };
  /**
   * Switch the default `execute-api` endpoint off, so that the custom domain
   * is the only way in. Only with a `regionalTarget` (a record exists).
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
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
  /** @default - only the default execute-api endpoint */
  readonly customDomain?: HttpApiCustomDomain;
  /**
   * The API's ID, once AWS has assigned it. The functions' invoke permission
   * names it, so that no other API of the account can invoke them.
   * @default - unknown: the functions may not be invoked yet; synth warns
   */
  readonly apiId?: string;
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
    const domain = props.customDomain;
    const { region } = awsContext(this);
    const problem =
      nameProblem(`${props.name}-access-logs`, K8S_LABEL_NAME) ??
      (props.routes.length > 0 ? undefined : 'routes must not be empty') ??
      (badPath ? `route path "${badPath.path}" is not a path like /payment/{id}` : undefined) ??
      (new Set(routeKeys).size === routeKeys.length ? undefined : 'two routes share a method and path') ??
      (badOrigin ? `CORS origin "${badOrigin}" must be an exact https origin (no "*", no path)` : undefined) ??
      (throttling.burstLimit > 0 && throttling.rateLimit > 0 ? undefined : 'throttling limits must be positive') ??
      (props.apiId === undefined || /^[a-z0-9]{10}$/.test(props.apiId) ? undefined : `apiId "${props.apiId}" is not an API Gateway API ID (10 lowercase letters and digits)`) ??
      (domain ? customDomainProblem(domain, region) : undefined);
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
        disableExecuteApiEndpoint: domain?.disableExecuteApiEndpoint ?? false,
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
    // The API's ID is AWS's: from config, or (late binding) from the API's status.
    const apiInput = { name: 'api', object: this.api };
    const apiId = props.apiId ?? (lateBound(this) ? valueOf(apiInput, 'status.apiID') : undefined);
    if (apiId === undefined) {
      addWarning(
        this,
        'API-ID-PENDING',
        `API ${this.apiName} may not invoke its functions yet: their invoke permission names the API's ID, which AWS assigns; once applied, put apiID from the outputs ConfigMap into systems.${SystemChart.of(this).system}.api.apiID and synthesize again`,
      );
    }

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
            integrationUri: route.handler.invokeArn,
            payloadFormatVersion: '2.0',
            timeoutInMillis: 29_000,
          },
        });
        integrations.set(route.handler, integration);
        // Any stage, method and route of this one API.
        if (apiId) route.handler.grantInvoke('apigateway.amazonaws.com', arn(this, 'execute-api', `${apiId}/*`), props.apiId ? [] : [apiInput]);
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

    if (domain) {
      const domainObject = new apigw.DomainName(this, 'Domain', {
        metadata: { name: `${props.name}-domain` },
        spec: {
          domainName: domain.domainName,
          domainNameConfigurations: [{ certificateArn: domain.certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' }],
        },
      });
      new apigw.ApiMapping(this, 'DomainMapping', {
        metadata: { name: `${props.name}-domain` },
        spec: { apiRef, domainRef: { from: { name: domainObject.name } }, stage: '$default' },
      });
      // Without a hosted zone the caller owns the records. The regional target is AWS's: from config, or
      // (late binding) looked up by the operator, since ACK's DomainName does not report it.
      const lookup = { name: 'domain', apiGatewayDomainName: { region, domainName: domain.domainName } };
      const target = domain.regionalTarget ?? (lateBound(this) ? { domainName: valueOf(lookup, 'regionalDomainName'), hostedZoneId: valueOf(lookup, 'regionalHostedZoneId') } : undefined);
      if (domain.hostedZoneId !== undefined && target) {
        const record = new route53.RecordSet(this, 'DomainRecord', {
          metadata: { name: `${props.name}-domain` },
          spec: {
            hostedZoneId: domain.hostedZoneId,
            name: `${domain.domainName}.`,
            recordType: 'A',
            aliasTarget: { dnsName: target.domainName, hostedZoneId: target.hostedZoneId, evaluateTargetHealth: false },
          },
        });
        if (!domain.regionalTarget) {
          defer(record, [lookup]);
          addWarning(
            this,
            'API-DOMAIN-LOOKUP-GRANT',
            `the operator looks up ${domain.domainName}'s regional target in API Gateway: its AWS role (docs/operator.md) needs apigateway:GET on ${arn(this, 'apigateway', `/domainnames/${domain.domainName}`, { account: '' })}`,
          );
        }
      } else if (domain.hostedZoneId !== undefined) {
        addWarning(
          this,
          'API-DOMAIN-RECORD-PENDING',
          `${domain.domainName} has no DNS record yet: its API Gateway regional endpoint is assigned by AWS and ACK's DomainName does not report it; ` +
            `once applied, read it with \`aws apigatewayv2 get-domain-name --domain-name ${domain.domainName}\` (ApiGatewayDomainName, HostedZoneId) into systems.${SystemChart.of(this).system}.api.customDomain.regionalTarget`,
        );
      }
    }
  }
}

function customDomainProblem(domain: HttpApiCustomDomain, region: string): string | undefined {
  const certificateRegion = domain.certificateArn.split(':')[3];
  return (
    dnsNameProblem(`customDomain.domainName`, domain.domainName) ??
    (CERTIFICATE_ARN_PATTERN.test(domain.certificateArn) ? undefined : `customDomain.certificateArn "${domain.certificateArn}" is not an ACM certificate ARN`) ??
    (certificateRegion === region ? undefined : `customDomain.certificateArn is in ${certificateRegion}; a regional API's certificate must be in ${region}`) ??
    (domain.hostedZoneId === undefined || HOSTED_ZONE_ID_PATTERN.test(domain.hostedZoneId)
      ? undefined
      : `customDomain.hostedZoneId "${domain.hostedZoneId}" is not a Route 53 hosted zone ID (Z followed by letters and digits)`) ??
    (domain.hostedZoneId === undefined && domain.regionalTarget ? 'customDomain.regionalTarget is used only for the record in hostedZoneId; give both, or neither' : undefined) ??
    (domain.regionalTarget && !/^d-[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(domain.regionalTarget.domainName)
      ? `customDomain.regionalTarget.domainName "${domain.regionalTarget.domainName}" is not an API Gateway regional domain name (d-….execute-api.<region>.amazonaws.com)`
      : undefined) ??
    (domain.regionalTarget && !HOSTED_ZONE_ID_PATTERN.test(domain.regionalTarget.hostedZoneId)
      ? `customDomain.regionalTarget.hostedZoneId "${domain.regionalTarget.hostedZoneId}" is not a Route 53 hosted zone ID`
      : undefined) ??
    (domain.disableExecuteApiEndpoint && !domain.regionalTarget
      ? 'customDomain.disableExecuteApiEndpoint needs regionalTarget: without a DNS record the API would have no way in'
      : undefined)
  );
}
