import { describe, expect, test } from '@jest/globals';
import { ContainerService, type ContainerServiceProps } from '../../../charts/constructs/container-service';
import { HttpApi, type HttpApiProps } from '../../../charts/constructs/http-api';
import { KmsKey } from '../../../charts/constructs/kms-key';
import { LambdaFunction, type LambdaFunctionProps } from '../../../charts/constructs/lambda-function';
import { ApplicationLoadBalancer, TLS_POLICY, type ApplicationLoadBalancerProps } from '../../../charts/constructs/load-balancer';
import { SecureBucket } from '../../../charts/constructs/secure-bucket';
import { Alarm, AlarmTopic, Dashboard } from '../../../charts/constructs/monitoring';
import { Network } from '../../../charts/constructs/network';
import { WebAcl } from '../../../charts/constructs/web-acl';
import type { SystemChart } from '../../../charts/system-chart';
import { collectWarnings } from '../../../lib/warnings';
import type { AlarmSubscription } from '../../../lib/validation/aws';
import { configMode, deferredOf, environment, inlineStatements, manifest, ofKind, synthWith, testChart } from '../../support/fixtures';

const network = (chart: SystemChart) =>
  new Network(chart, 'Network', {
    name: 'net',
    cidr: '10.0.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnets: { public: 24, private: 20 },
    natGateways: 1,
    flowLogs: { retentionDays: 30 },
    vpcId: 'vpc-0123456789abcdef0',
  });

const fnProps: LambdaFunctionProps = {
  name: 'handler',
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  code: { s3Bucket: 'artifacts-123456789012', s3Key: 'handler/0123456789abcdef.zip', sha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
  memoryMB: 512,
  timeoutSeconds: 30,
  logRetentionDays: 30,
};

describe('LambdaFunction', () => {
  const manifests = synthWith((chart) => new LambdaFunction(chart, 'Fn', { ...fnProps, reservedConcurrency: 5, vpc: { network: network(chart) } }));
  const fn = manifest(manifests, 'Function', 'handler');

  test('S3 defaults: arm64, JSON logs into a log group created first, its own role', () => {
    expect(fn.spec).toMatchObject({
      packageType: 'Zip',
      code: { s3Bucket: 'artifacts-123456789012', s3Key: 'handler/0123456789abcdef.zip', sha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
      name: 'handler-test',
      runtime: 'nodejs22.x',
      memorySize: 512,
      timeout: 30,
      reservedConcurrentExecutions: 5,
      architectures: ['arm64'],
      roleRef: { from: { name: 'handler' } },
      loggingConfig: { logGroup: '/aws/lambda/handler-test', logFormat: 'JSON' },
    });
    const kinds = manifests.map((m) => m.kind);
    expect(kinds.indexOf('LogGroup')).toBeLessThan(kinds.indexOf('Function'));
    expect(manifest(manifests, 'LogGroup', 'handler-logs').spec.retentionDays).toBe(30);
  });

  test('its role may only write its own logs (not AWSLambdaBasicExecutionRole) and, in a VPC, manage network interfaces of this region, account and VPC: no managed policy', () => {
    const role = manifest(manifests, 'Role', 'handler');
    const ec2 = (resource: string) => `arn:aws:ec2:us-east-1:123456789012:${resource}`;
    expect(inlineStatements(role)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/handler-test:*' },
      { Effect: 'Allow', Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        Resource: [ec2('network-interface/*'), ec2('subnet/*'), ec2('security-group/*')],
        Condition: { ArnEquals: { 'ec2:Vpc': ec2('vpc/vpc-0123456789abcdef0') } },
      },
    ]);
    expect(role.spec.policies).toBeUndefined();
  });

  test('outside a VPC the role has no network permissions', () => {
    const role = manifest(synthWith((chart) => new LambdaFunction(chart, 'Fn', fnProps)), 'Role', 'handler');
    expect(inlineStatements(role).flatMap((s) => s.Action)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test('in a VPC: private subnets and a security group of its own that allows nothing by default', () => {
    expect(fn.spec.vpcConfig).toEqual({ subnetRefs: [{ from: { name: 'net-private-a' } }, { from: { name: 'net-private-b' } }], securityGroupRefs: [{ from: { name: 'handler-fn' } }] });
    expect(manifest(manifests, 'SecurityGroup', 'handler-fn').spec).toMatchObject({ ingressRules: [], egressRules: [] });
  });

  test('grantInvoke: a permission for one caller on the live alias, which callers invoke', () => {
    let aliasArn = '';
    const result = synthWith((chart) => {
      const fn = new LambdaFunction(chart, 'Fn', fnProps);
      fn.grantInvoke('apigateway.amazonaws.com', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*');
      aliasArn = fn.invokeArn;
    });
    expect(aliasArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:handler-test:live');
    expect(manifest(result, 'Alias', 'handler-live').spec).toEqual({
      name: 'live',
      functionRef: { from: { name: 'handler' } },
      functionVersion: '$LATEST',
      permissions: [{ action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com', sourceARN: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*', statementID: 'apigateway-1' }],
    });
  });

  test('grantInvoke refuses a source ARN that spans the account', () => {
    expect(() => synthWith((chart) => new LambdaFunction(chart, 'Fn', fnProps).grantInvoke('apigateway.amazonaws.com', 'arn:aws:execute-api:us-east-1:123456789012:*/*/*'))).toThrow(
      'lets every apigateway.amazonaws.com resource of the account invoke the function; name the one caller',
    );
  });

  test.each([
    [{ runtime: 'nodejs18.x' }, 'runtime nodejs18.x is deprecated (since 2025-09-01)'],
    [{ memoryMB: 64 }, 'memoryMB 64 must be 128-10240'],
    [{ timeoutSeconds: 901 }, 'timeoutSeconds 901 must be 1-900'],
    [{ reservedConcurrency: 0 }, 'reservedConcurrency 0 must be at least 1'],
    [{ environment: { DB_PASSWORD: 'x' } }, 'environment variable DB_PASSWORD looks like a secret; pass the secret\'s ARN and read it at run time (R-G8)'],
    [{ code: { s3Bucket: 'B', s3Key: '', sha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' } }, 'do not name an S3 object'],
    [{ code: { s3Bucket: 'artifacts-123456789012', s3Key: 'handler.zip', sha256: 'abc' } }, 'code.sha256 "abc" is not a base64 SHA-256'],
  ])('R-G8 R-G9 rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new LambdaFunction(chart, 'Fn', { ...fnProps, ...override }))).toThrow(message);
  });

  test('a secret\'s ARN in the environment is fine', () => {
    expect(() => synthWith((chart) => new LambdaFunction(chart, 'Fn', { ...fnProps, environment: { DB_SECRET_ARN: 'arn:x' } }))).not.toThrow();
  });
});

describe('HttpApi', () => {
  const build = (chart: SystemChart, override: Partial<HttpApiProps> = {}) => {
    const fn = new LambdaFunction(chart, 'Fn', fnProps);
    return new HttpApi(chart, 'Api', {
      name: 'api',
      description: 'test API',
      routes: [
        { method: 'POST', path: '/payment', handler: fn },
        { method: 'GET', path: '/payment/{id}', handler: fn },
      ],
      cors: { allowOrigins: ['https://pay.example.com'] },
      accessLogRetentionDays: 30,
      apiId: 'a1b2c3d4e5',
      customDomain: { ...domain, regionalTarget: { domainName: 'd-a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', hostedZoneId: 'Z1UJRXOUMOOFQ8' } },
      ...override,
    });
  };
  const domain = {
    domainName: 'api.payments.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  };
  const manifests = synthWith((chart) => build(chart));
  const warningsOf = (override: Partial<HttpApiProps>, env = configMode()) => {
    const chart = testChart(env);
    build(chart, override);
    return collectWarnings(chart).map((w) => w.id);
  };

  test('S3 routes POST /payment and GET /payment/{id} through one Lambda proxy integration (references)', () => {
    expect(ofKind(manifests, 'Route').map((r) => [r.metadata.name, r.spec.routeKey, r.spec.targetRef])).toEqual([
      ['api-post-payment', 'POST /payment', { from: { name: 'api-handler' } }],
      ['api-get-payment-id', 'GET /payment/{id}', { from: { name: 'api-handler' } }],
    ]);
    expect(ofKind(manifests, 'Integration').map((i) => i.spec)).toEqual([
      {
        apiRef: { from: { name: 'api' } },
        integrationType: 'AWS_PROXY',
        integrationMethod: 'POST',
        integrationURI: 'arn:aws:lambda:us-east-1:123456789012:function:handler-test:live',
        payloadFormatVersion: '2.0',
        timeoutInMillis: 29000,
      },
    ]);
  });

  test('S3 CORS for the configured origins and the routes\' methods', () => {
    expect(manifest(manifests, 'API', 'api').spec.corsConfiguration).toEqual({
      allowOrigins: ['https://pay.example.com'],
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      maxAge: 300,
    });
  });

  test('S3 the $default stage: JSON access logs into a pre-created group, throttling, detailed metrics', () => {
    const stage = manifest(manifests, 'Stage', 'api-default');
    expect(stage.spec.accessLogSettings.destinationARN).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/api-test/access');
    expect(JSON.parse(stage.spec.accessLogSettings.format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(stage.spec.defaultRouteSettings).toEqual({ throttlingBurstLimit: 100, throttlingRateLimit: 50, detailedMetricsEnabled: true });
    // apigatewayv2-controller v1.4.1 dereferences autoDeploy without a nil check on update.
    expect(stage.spec.autoDeploy).toBe(true);
    expect(manifest(manifests, 'LogGroup', 'api-access-logs').spec.retentionDays).toBe(30);
  });

  test('S3 custom domain (TLS 1.2, regional) mapped to the stage, with an alias record in its public zone: a client can call it', () => {
    expect(manifest(manifests, 'DomainName', 'api-domain').spec.domainNameConfigurations).toEqual([
      { certificateARN: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50', endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
    ]);
    expect(manifest(manifests, 'APIMapping', 'api-domain').spec).toEqual({ apiRef: { from: { name: 'api' } }, domainRef: { from: { name: 'api-domain' } }, stage: '$default' });
    expect(manifest(manifests, 'RecordSet', 'api-domain').spec).toEqual({
      hostedZoneID: 'Z0123456789ABCDEFGHIJ',
      name: 'api.payments.example.com.',
      recordType: 'A',
      aliasTarget: { dnsName: 'd-a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', hostedZoneID: 'Z1UJRXOUMOOFQ8', evaluateTargetHealth: false },
    });
  });

  test('S3 the execute-api endpoint stays on unless the domain has its record and disabling is asked for', () => {
    expect(manifest(manifests, 'API', 'api').spec.disableExecuteAPIEndpoint).toBe(false);
    const closed = synthWith((chart) => build(chart, { customDomain: { ...domain, regionalTarget: { domainName: 'd-a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', hostedZoneId: 'Z1UJRXOUMOOFQ8' }, disableExecuteApiEndpoint: true } }));
    expect(manifest(closed, 'API', 'api').spec.disableExecuteAPIEndpoint).toBe(true);
    expect(() => synthWith((chart) => build(chart, { customDomain: { ...domain, disableExecuteApiEndpoint: true } }))).toThrow('customDomain.disableExecuteApiEndpoint needs regionalTarget');
  });

  test('S3 R-O6 lateBinding config: until AWS has assigned the regional endpoint, no record and a warning naming the command', () => {
    const pending = synthWith((chart) => build(chart, { customDomain: domain }), configMode());
    expect([...ofKind(pending, 'RecordSet'), ...ofKind(pending, 'DeferredObject')]).toEqual([]);
    expect(warningsOf({ customDomain: domain })).toEqual(['API-DOMAIN-RECORD-PENDING']);
  });

  test('S3 R-O6 late binding: the record is a DeferredObject whose alias target the operator looks up in API Gateway (ACK reports none)', () => {
    const late = synthWith((chart) => build(chart, { customDomain: domain }));
    const deferred = deferredOf(late, 'RecordSet', 'api-domain');
    expect(deferred.spec.inputs).toEqual([{ name: 'domain', apiGatewayDomainName: { region: 'us-east-1', domainName: domain.domainName } }]);
    expect(deferred.spec.template.spec.aliasTarget).toEqual({ dnsName: '${domain.regionalDomainName}', hostedZoneID: '${domain.regionalHostedZoneId}', evaluateTargetHealth: false });
    expect(warningsOf({ customDomain: domain }, environment())).toEqual(['API-DOMAIN-LOOKUP-GRANT']);
  });

  test('API Gateway may invoke the function only through this one API', () => {
    expect(manifest(manifests, 'Alias', 'handler-live').spec.permissions).toEqual([
      { action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com', sourceARN: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*', statementID: 'apigateway-1' },
    ]);
  });

  test('R-O6 lateBinding config: until the API ID is known, no invoke permission exists and synth warns', () => {
    const pending = synthWith((chart) => build(chart, { apiId: undefined }), configMode());
    expect(manifest(pending, 'Alias', 'handler-live').spec.permissions).toBeUndefined();
    expect(warningsOf({ apiId: undefined })).toEqual(['API-ID-PENDING']);
    expect(warningsOf({})).toEqual([]);
  });

  test('R-O6 late binding: the alias is a DeferredObject whose invoke permission names the API by the ID in its status', () => {
    const late = synthWith((chart) => build(chart, { apiId: undefined }));
    const deferred = deferredOf(late, 'Alias', 'handler-live');
    expect(deferred.spec.inputs).toEqual([{ name: 'api', object: { apiVersion: 'apigatewayv2.services.k8s.aws/v1alpha1', kind: 'API', name: 'api' } }]);
    expect(deferred.spec.template.spec.permissions).toEqual([
      { action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com', sourceARN: 'arn:aws:execute-api:us-east-1:123456789012:${api.status.apiID}/*', statementID: 'apigateway-1' },
    ]);
    expect(warningsOf({ apiId: undefined }, environment())).toEqual([]);
  });

  test.each([
    [{ cors: { allowOrigins: ['*'] } }, 'CORS origin "*" must be an exact https origin'],
    [{ routes: [] }, 'routes must not be empty'],
    [{ customDomain: { ...domain, certificateArn: 'arn:aws:iam::1:server-certificate/x' } }, 'is not an ACM certificate ARN'],
    [{ customDomain: { ...domain, domainName: 'api-prod.payments.internal' } }, 'ends in .internal, for which no public certificate can be issued'],
    [{ customDomain: { ...domain, certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a50' } }, 'customDomain.certificateArn is in eu-west-1; a regional API\'s certificate must be in us-east-1'],
    [{ customDomain: { ...domain, hostedZoneId: 'zone' } }, 'customDomain.hostedZoneId "zone" is not a Route 53 hosted zone ID'],
    [{ apiId: 'API' }, 'apiId "API" is not an API Gateway API ID'],
  ])('rejects %p', (override, message) => {
    expect(() => synthWith((chart) => build(chart, override as Partial<HttpApiProps>))).toThrow(message);
  });
});

describe('WebAcl', () => {
  test('S3 rate limit per IP first, then the AWS common rule set; metrics everywhere', () => {
    const acl = manifest(synthWith((chart) => new WebAcl(chart, 'Waf', { name: 'waf', rateLimitPerIp: 2000 })), 'WebACL', 'waf');
    expect(acl.spec).toMatchObject({ scope: 'REGIONAL', defaultAction: { allow: {} } });
    expect(acl.spec.rules.map((r: any) => [r.name, r.priority, r.statement])).toEqual([
      ['rate-limit-per-ip', 0, { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } }],
      ['AWSManagedRulesCommonRuleSet', 1, { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } }],
    ]);
    expect(acl.spec.rules.every((r: any) => r.visibilityConfig.cloudWatchMetricsEnabled)).toBe(true);
    // wafv2-controller compares the string-typed statements verbatim with its own YAML dump: never use them.
    expect(JSON.stringify(acl.spec.rules)).not.toMatch(/"(andStatement|orStatement|notStatement|scopeDownStatement)"/);
  });

  test('rejects a rate limit below WAF\'s minimum', () => {
    expect(() => synthWith((chart) => new WebAcl(chart, 'Waf', { name: 'waf', rateLimitPerIp: 5 }))).toThrow('rateLimitPerIp 5 must be a whole number of at least 10');
  });
});

describe('AlarmTopic subscriptions', () => {
  const topicWith = (subscriptions: AlarmSubscription[]) =>
    synthWith((chart) => {
      const key = new KmsKey(chart, 'Key', { name: 'k', alias: 'alias/k-test', description: 'k', users: ['cloudwatch', 'sns'] });
      new AlarmTopic(chart, 'Topic', { name: 'alarms', encryptionKey: key, subscriptions });
    });

  test('R-G12 each recipient is a Subscription of the topic (a reference), named by its endpoint so order does not matter', () => {
    const subscriptions: AlarmSubscription[] = [
      { protocol: 'email', endpoint: 'oncall@example.com' },
      { protocol: 'sns', endpoint: 'arn:aws:sns:us-east-1:123456789012:intake' },
    ];
    const specs = ofKind(topicWith(subscriptions), 'Subscription').map((s) => [s.metadata.name.replace(/-[0-9a-f]{8}$/, ''), s.spec]);
    expect(specs).toEqual([
      ['alarms-email', { topicRef: { from: { name: 'alarms' } }, protocol: 'email', endpoint: 'oncall@example.com' }],
      ['alarms-sns', { topicRef: { from: { name: 'alarms' } }, protocol: 'sns', endpoint: 'arn:aws:sns:us-east-1:123456789012:intake' }],
    ]);
    const names = (list: AlarmSubscription[]) => ofKind(topicWith(list), 'Subscription').map((s) => s.metadata.name).sort();
    expect(names([...subscriptions].reverse())).toEqual(names(subscriptions));
  });

  test.each([
    [[{ protocol: 'https', endpoint: 'https://user:pw@hooks.example.com/x' }], 'carries credentials or a query in its URL'],
    [[{ protocol: 'https', endpoint: 'http://hooks.example.com/x' }], 'must use https'],
    [[{ protocol: 'email', endpoint: 'a@example.com' }, { protocol: 'email', endpoint: 'a@example.com' }], 'subscription email a@example.com is listed twice'],
  ] as [AlarmSubscription[], string][])('R-G8 refuses %p', (subscriptions, message) => {
    expect(() => topicWith(subscriptions)).toThrow(message);
  });
});

describe('monitoring', () => {
  const build = (chart: SystemChart) => {
    const key = new KmsKey(chart, 'Key', { name: 'k', alias: 'alias/k-test', description: 'k', users: ['cloudwatch', 'sns'] });
    const topic = new AlarmTopic(chart, 'Topic', { name: 'alarms', encryptionKey: key });
    const metric = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'fn' }, statistic: 'Sum' as const };
    new Alarm(chart, 'Alarm', { name: 'fn-errors', description: 'Function errors: payments failing', metric, threshold: 10, topic });
    new Dashboard(chart, 'Dashboard', { name: 'dash', widgets: [{ title: 'a', metrics: [metric] }, { title: 'b', metrics: [metric] }, { title: 'c', metrics: [metric], width: 24 }] });
    return topic;
  };
  const manifests = synthWith(build);

  test('R-G12 an alarm has a description, a threshold and notifies the topic on ALARM and OK', () => {
    expect(manifest(manifests, 'MetricAlarm', 'fn-errors').spec).toMatchObject({
      name: 'fn-errors-test',
      alarmDescription: 'Function errors: payments failing',
      threshold: 10,
      alarmActions: ['arn:aws:sns:us-east-1:123456789012:alarms-test'],
      oKActions: ['arn:aws:sns:us-east-1:123456789012:alarms-test'],
      dimensions: [{ name: 'FunctionName', value: 'fn' }],
      treatMissingData: 'notBreaching',
    });
  });

  test('the alarm topic is encrypted and only CloudWatch alarms of this account may publish', () => {
    const topic = manifest(manifests, 'Topic', 'alarms');
    expect(topic.spec.kmsMasterKeyRef).toEqual({ from: { name: 'k' } });
    expect(JSON.parse(topic.spec.policy).Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
    ]);
  });

  test('the dashboard body is rendered from typed widgets on a 24-column grid', () => {
    const body = JSON.parse(manifest(manifests, 'Dashboard', 'dash').spec.dashboardBody);
    expect(body.widgets.map((w: any) => [w.properties.title, w.x, w.y, w.width])).toEqual([
      ['a', 0, 0, 12],
      ['b', 12, 0, 12],
      ['c', 0, 6, 24],
    ]);
    expect(body.widgets[0].properties.metrics).toEqual([['AWS/Lambda', 'Errors', 'FunctionName', 'fn', { stat: 'Sum', period: 300 }]]);
  });

  test.each([
    [{ description: 'short' }, 'description must say what the alarm means (R-G12)'],
    [{ metric: { namespace: 'n', metricName: 'm', dimensions: {}, periodSeconds: 45 } }, 'periodSeconds 45 must be 10, 30 or a multiple of 60'],
  ])('rejects %p', (override, message) => {
    expect(() =>
      synthWith((chart) => {
        const topic = build(chart);
        new Alarm(chart, 'A2', { name: 'a2', description: 'long enough description', metric: { namespace: 'n', metricName: 'm', dimensions: {} }, threshold: 1, topic, ...override });
      }),
    ).toThrow(message);
  });
});

describe('ApplicationLoadBalancer and ContainerService', () => {
  const targetGroupArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-alb-tg-test/0123456789abcdef';
  const albProps = (chart: SystemChart, net: Network, override: Partial<ApplicationLoadBalancerProps> = {}): ApplicationLoadBalancerProps => ({
    name: 'web-alb',
    network: net,
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c50',
    targetPort: 8080,
    targetGroupArn,
    ...override,
    accessLogBucket: override.accessLogBucket ?? new SecureBucket(chart, 'Logs', { name: 'logs', nameParts: ['web', 'logs'] }),
  });
  const serviceProps = (chart: SystemChart, override: Partial<ApplicationLoadBalancerProps> = {}): ContainerServiceProps => {
    const net = network(chart);
    return {
      name: 'web',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3',
      cpu: 512,
      memoryMiB: 1024,
      containerPort: 8080,
      desiredCount: 2,
      network: net,
      logRetentionDays: 30,
      loadBalancer: new ApplicationLoadBalancer(chart, 'Alb', albProps(chart, net, override)),
    };
  };
  const manifests = synthWith((chart) => new ContainerService(chart, 'Svc', serviceProps(chart)));

  test('S2 the load balancer: internet-facing in public subnets, HTTPS only with a TLS 1.2+ policy, access logs', () => {
    expect(manifest(manifests, 'LoadBalancer', 'web-alb').spec).toMatchObject({
      scheme: 'internet-facing',
      subnetRefs: [{ from: { name: 'net-public-a' } }, { from: { name: 'net-public-b' } }],
      attributes: [
        { key: 'deletion_protection.enabled', value: 'true' },
        { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
        { key: 'access_logs.s3.enabled', value: 'true' },
        { key: 'access_logs.s3.bucket', value: manifest(manifests, 'Bucket', 'logs').spec.name },
        { key: 'access_logs.s3.prefix', value: 'web-alb' },
      ],
    });
    expect(ofKind(manifests, 'Listener').map((l) => [l.metadata.name, l.spec.port, l.spec.protocol, l.spec.sslPolicy])).toEqual([['web-alb-https', 443, 'HTTPS', TLS_POLICY]]);
  });

  test('S2 the access-log bucket lets the region\'s Elastic Load Balancing account write this account\'s logs, SSE-S3', () => {
    const bucket = manifest(manifests, 'Bucket', 'logs');
    expect(JSON.parse(bucket.spec.policy).Statement).toContainEqual({
      Sid: 'LoadBalancerAccessLogs',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::127311923021:root' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucket.spec.name}/web-alb/AWSLogs/123456789012/*`,
    });
    expect(bucket.spec.encryption.rules[0].applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: 'AES256' });
    expect(() => synthWith((chart) => {
      const key = new KmsKey(chart, 'Key', { name: 'k', alias: 'alias/k-test', description: 'k', users: ['s3'] });
      new ApplicationLoadBalancer(chart, 'Alb', albProps(chart, network(chart), { accessLogBucket: new SecureBucket(chart, 'Logs', { name: 'logs', nameParts: ['l'], encryptionKey: key }) }));
    })).toThrow('load balancer access logs cannot go to this bucket: it is encrypted with a KMS key; log delivery needs SSE-S3');
  });

  test('S2 the target group is handed to ECS: read-only for ACK (it would deregister ECS\'s targets), and only then a service', () => {
    expect(manifest(manifests, 'TargetGroup', 'web-alb-targets').metadata.annotations['services.k8s.aws/read-only']).toBe('true');
    expect(ofKind(manifests, 'Service')).toHaveLength(1);
    const chart = testChart(configMode());
    new ContainerService(chart, 'Svc', serviceProps(chart, { targetGroupArn: undefined }));
    const pending = chart.toJson();
    expect(manifest(pending, 'TargetGroup', 'web-alb-targets').metadata.annotations['services.k8s.aws/read-only']).toBeUndefined();
    expect(ofKind(pending, 'Service')).toEqual([]);
    expect(ofKind(pending, 'TaskDefinition')).toHaveLength(1);
    expect(collectWarnings(chart).map((w) => w.id)).toEqual(['TARGET-GROUP-PENDING']);
  });

  test('S2 R-O6 late binding: the operator hands the group over: it turns read-only once its status has an ARN (it reads itself, optionally), and the service waits for that', () => {
    const chart = testChart();
    new ContainerService(chart, 'Svc', serviceProps(chart, { targetGroupArn: undefined }));
    const late = chart.toJson();
    expect([...ofKind(late, 'TargetGroup'), ...ofKind(late, 'Service')]).toEqual([]);
    const group = deferredOf(late, 'TargetGroup', 'web-alb-targets');
    expect(group.spec.inputs).toEqual([{ name: 'targetGroup', object: { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'TargetGroup', name: 'web-alb-targets' }, optional: true }]);
    expect(group.spec.template.metadata.annotations['services.k8s.aws/read-only']).toBe('${string(has(targetGroup.status) && has(targetGroup.status.ackResourceMetadata) && has(targetGroup.status.ackResourceMetadata.arn))}');
    const service = deferredOf(late, 'Service', 'web');
    expect(service.spec.inputs).toEqual([{ name: 'targetGroup', object: { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'TargetGroup', name: 'web-alb-targets' } }]);
    expect(service.spec.template.metadata.annotations['ack-systems.io/target-group-read-only']).toBe("${targetGroup.metadata.annotations['services.k8s.aws/read-only'] == 'true' ? targetGroup.status.ackResourceMetadata.arn : null}");
    expect(collectWarnings(chart)).toEqual([]);
  });

  test('S2 a target group ARN that is not this group\'s is refused', () => {
    expect(() => synthWith((chart) => new ContainerService(chart, 'Svc', serviceProps(chart, { targetGroupArn: targetGroupArn.replace('web-alb-tg-test', 'other-tg') })))).toThrow(
      'is not the ARN of this target group: expected arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-alb-tg-test/<16 hex digits>',
    );
  });

  test('S2 only the load balancer is open to the internet (443 only, with its reason); the tasks only to the load balancer', () => {
    const lb = manifest(manifests, 'SecurityGroup', 'web-alb-lb');
    expect(lb.spec.ingressRules.map((r: any) => [r.fromPort, r.ipRanges[0].cidrIP])).toEqual([[443, '0.0.0.0/0']]);
    expect(lb.spec.egressRules).toEqual([{ ipProtocol: 'tcp', fromPort: 8080, toPort: 8080, userIDGroupPairs: [{ groupRef: { from: { name: 'web-tasks' } }, description: 'HTTP from the load balancer' }] }]);
    expect(manifest(manifests, 'SecurityGroup', 'web-tasks').spec.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 8080, toPort: 8080, userIDGroupPairs: [{ groupRef: { from: { name: 'web-alb-lb' } }, description: 'HTTP from the load balancer' }] },
    ]);
  });

  test('S2 the task: Fargate, read-only root filesystem, the configured image, logs to a pre-created group', () => {
    const task = manifest(manifests, 'TaskDefinition', 'web');
    expect(task.spec).toMatchObject({
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleARN: 'arn:aws:iam::123456789012:role/web-execution-test',
      taskRoleRef: { from: { name: 'web-task' } },
    });
    expect(task.spec.containerDefinitions[0]).toMatchObject({
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3',
      readonlyRootFilesystem: true,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web-test' } },
    });
  });

  test('S2 the execution role: pull this image\'s repository, write this log group; no managed policy', () => {
    const role = manifest(manifests, 'Role', 'web-execution');
    expect(role.spec.policies).toBeUndefined();
    expect(inlineStatements(role)).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/web',
      },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web-test:*' },
    ]);
  });

  test('S2 an image outside ECR needs no registry permission', () => {
    const result = synthWith((chart) => new ContainerService(chart, 'Svc', { ...serviceProps(chart), image: 'ghcr.io/example/web:1.2.3' }));
    expect(inlineStatements(manifest(result, 'Role', 'web-execution')).flatMap((s) => s.Action)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test('S2 the service: private subnets, no public IP, behind the target group, rolls back failed deployments', () => {
    const service = manifest(manifests, 'Service', 'web');
    expect(service.spec).toMatchObject({
      launchType: 'FARGATE',
      desiredCount: 2,
      networkConfiguration: { awsVPCConfiguration: { assignPublicIP: 'DISABLED', subnetRefs: [{ from: { name: 'net-private-a' } }, { from: { name: 'net-private-b' } }] } },
      loadBalancers: [{ targetGroupRef: { from: { name: 'web-alb-targets' } }, containerName: 'web', containerPort: 8080 }],
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      enableExecuteCommand: false,
    });
    expect(manifest(manifests, 'Cluster', 'web').spec.settings).toEqual([{ name: 'containerInsights', value: 'enabled' }]);
  });

  test.each([
    [{ image: 'nginx' }, 'image "nginx" must name a registry/repository with an explicit tag or @sha256 digest'],
    [{ image: 'registry.example.com/web' }, 'must name a registry/repository with an explicit tag'],
    [{ cpu: 300 }, 'cpu 300 is not a Fargate size'],
    [{ memoryMiB: 8192 }, 'memoryMiB 8192 is not allowed with cpu 512; use one of 1024, 2048, 3072, 4096'],
  ])('S2 rejects %p', (override, message) => {
    expect(() => synthWith((chart) => new ContainerService(chart, 'Svc', { ...serviceProps(chart), ...override }))).toThrow(message);
  });
});
