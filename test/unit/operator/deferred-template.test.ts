/**
 * DeferredObject templates (R-O6): `${expr}` compiled with @bufbuild/cel and
 * rendered against plain input values; waiting, invalid and rendered told apart.
 */
import { describe, expect, test } from '@jest/globals';
import { cycleThrough } from '../../../operator/deferred-object/graph';
import { splitParts, TemplateProgram } from '../../../operator/deferred-object/template';

const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/payment-alb-prod/50dc6c495c0c9188';
const compile = (template: unknown, inputs = ['vpc', 'lb']) => {
  const program = TemplateProgram.compile(template, inputs);
  if (!(program instanceof TemplateProgram)) throw new Error(program.errors.join('; '));
  return program;
};

describe('DeferredObject templates (R-O6)', () => {
  test('R-O6 a whole-string expression keeps its JSON type; one inside a string is text; string functions derive values', () => {
    const program = compile({
      apiVersion: 'ec2.services.k8s.aws/v1alpha1',
      kind: 'FlowLog',
      metadata: { name: 'flow-log' },
      spec: {
        resourceID: '${vpc.status.vpcID}',
        description: 'flow log of ${vpc.status.vpcID} (${vpc.spec.cidrBlocks.size()} blocks)',
        cidrBlocks: '${vpc.spec.cidrBlocks}',
        dimension: "${lb.status.ackResourceMetadata.arn.split(':loadbalancer/')[1]}",
        untouched: 'no expression here',
      },
    });
    const result = program.render({ vpc: { spec: { cidrBlocks: ['10.0.0.0/16', '10.1.0.0/16'] }, status: { vpcID: 'vpc-0abc' } }, lb: { status: { ackResourceMetadata: { arn: LB_ARN } } } });
    expect(result).toEqual({
      kind: 'rendered',
      object: {
        apiVersion: 'ec2.services.k8s.aws/v1alpha1',
        kind: 'FlowLog',
        metadata: { name: 'flow-log' },
        spec: { resourceID: 'vpc-0abc', description: 'flow log of vpc-0abc (2 blocks)', cidrBlocks: ['10.0.0.0/16', '10.1.0.0/16'], dimension: 'app/payment-alb-prod/50dc6c495c0c9188', untouched: 'no expression here' },
      },
    });
  });

  test('R-O6 a field not written yet, or null, waits and says which expression and why', () => {
    const program = compile({ spec: { resourceID: '${vpc.status.vpcID}', other: '${lb.status.id}' } });
    expect(program.render({ vpc: { status: {} }, lb: { status: { id: null } } })).toEqual({
      kind: 'waiting',
      reasons: ['template.spec.resourceID: ${vpc.status.vpcID} waits: field not found: vpcID', 'template.spec.other: ${lb.status.id} is null'],
    });
  });

  test('R-O6 an expression that does not parse, or reads no input, is refused at compile time naming the field', () => {
    expect(TemplateProgram.compile({ spec: { a: '${vpc.status.}', b: '${subnet.status.id}', c: '${vpc.status.vpcID' } }, ['vpc'])).toEqual({
      errors: [
        expect.stringMatching(/^template\.spec\.a: /),
        'template.spec.b: ${subnet.status.id} reads "subnet", which is not an input (inputs: vpc)',
        'template.spec.c: "${" at 0 has no closing "}"',
      ],
    });
    // Comprehension variables are not inputs, and need none.
    expect(compile({ a: '${vpc.spec.cidrBlocks.exists(c, c == "10.0.0.0/16")}' }).render({ vpc: { spec: { cidrBlocks: ['10.0.0.0/16'] } } })).toEqual({ kind: 'rendered', object: { a: true } });
  });

  test('R-O6 a type error is invalid, not waiting: it would never resolve', () => {
    expect(compile({ a: '${vpc.status.vpcID + 1}' }).render({ vpc: { status: { vpcID: 'v' } } })).toEqual({ kind: 'invalid', reasons: [expect.stringContaining("template.a: ${vpc.status.vpcID + 1} fails: found no matching overload for '_+_'")] });
    expect(compile({ a: 'x-${vpc.spec}' }).render({ vpc: { spec: { a: 1 } } })).toEqual({ kind: 'invalid', reasons: ['template.a: a list or map cannot be part of a longer string'] });
  });

  test('R-O6 expressions end at their own closing brace: maps and quoted braces inside them', () => {
    expect(splitParts("a-${{'k': '}'}['k']}-b")).toEqual(['a-', { source: "{'k': '}'}['k']" }, '-b']);
    expect(compile({ a: "${{'k': vpc.status.vpcID}['k']}" }).render({ vpc: { status: { vpcID: 'v' } } })).toEqual({ kind: 'rendered', object: { a: 'v' } });
  });
});

describe('DeferredObject dependencies (R-O6)', () => {
  const object = (name: string, renders: string, reads: string[]) =>
    ({
      metadata: { name, namespace: 'ns' },
      spec: {
        inputs: reads.map((read, i) => ({ name: `in${i}`, object: { apiVersion: 'route53.services.k8s.aws/v1alpha1', kind: 'RecordSet', name: read } })),
        template: { apiVersion: 'route53.services.k8s.aws/v1alpha1', kind: 'RecordSet', metadata: { name: renders } },
      },
    }) as never;

  test('R-O6 a chain waits; a cycle of any length, or an object reading what it renders itself, is found with its path', () => {
    const a = object('a', 'ra', ['rb']);
    const b = object('b', 'rb', ['rc']);
    const c = object('c', 'rc', []);
    expect(cycleThrough(a, [a, b, c])).toBeUndefined();
    const c2 = object('c', 'rc', ['ra']);
    expect(cycleThrough(a, [a, b, c2])).toEqual(['a', 'b', 'c', 'a']);
    const self = object('s', 'rs', ['rs']);
    expect(cycleThrough(self, [self])).toEqual(['s', 's']);
  });

  test('R-O6 an optional input never closes a cycle: an object may read itself optionally (it renders without it first)', () => {
    const selfReading = object('tg', 'rtg', ['rtg']);
    (selfReading as any).spec.inputs[0].optional = true;
    expect(cycleThrough(selfReading, [selfReading])).toBeUndefined();
  });
});
