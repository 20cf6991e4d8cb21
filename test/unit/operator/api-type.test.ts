/**
 * One source for an API type (R-O4, issue 10): zod schemas give the
 * TypeScript type and a structural OpenAPI schema; CEL rules ride along.
 * That the API server accepts the result is proven in
 * test/integration/runtime-helpers.test.ts and operator-tags.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { defineApiType, structuralSchema } from '../../../operator/runtime/api-type';
import { conditionsSchema, sameJson, setCondition } from '../../../operator/runtime/status';
import { TAG_POLICY_CRD } from '../../../operator/tag-policy/crd';

describe('API types from zod (R-O4)', () => {
  test('R-O4 the schema is structural: no $schema or propertyNames, integers without JavaScript bounds, const as enum, formats without zod\'s regex, "/" unescaped', () => {
    const schema = structuralSchema(
      z.object({
        labels: z.record(z.string(), z.string()),
        replicas: z.number().int(),
        mode: z.literal('active'),
        at: z.iso.datetime(),
        path: z.string().regex(/^a\/b$/),
      }),
    );
    expect(schema).toEqual({
      type: 'object',
      properties: {
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        replicas: { type: 'integer' },
        mode: { type: 'string', enum: ['active'] },
        at: { type: 'string', format: 'date-time' },
        path: { type: 'string', pattern: '^a/b$' },
      },
      required: ['labels', 'replicas', 'mode', 'at', 'path'],
    });
  });

  test('R-O4 CEL rules and Kubernetes list keywords come from .meta()', () => {
    const schema = structuralSchema(z.object({ conditions: conditionsSchema, size: z.number().meta({ 'x-kubernetes-validations': [{ rule: 'self >= 0', message: 'size is not negative' }] }) }));
    expect(schema.properties).toMatchObject({
      conditions: { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
      size: { 'x-kubernetes-validations': [{ rule: 'self >= 0', message: 'size is not negative' }] },
    });
  });

  test('R-O4 a union cannot be a CRD field: the error names the field', () => {
    expect(() => structuralSchema(z.object({ target: z.union([z.string(), z.number()]) }))).toThrow('.target: type ["string","number"] is not expressible in a Kubernetes structural schema; give the field one type');
    expect(() => structuralSchema(z.object({ spec: z.object({ target: z.union([z.string(), z.object({ a: z.string() })]) }) }))).toThrow('.spec.target: "anyOf" is not expressible');
  });

  test('R-O4 the TagPolicy CRD is generated from its schemas: its CEL rules, status subresource and printer columns', () => {
    const version = (TAG_POLICY_CRD.spec.versions as any[])[0];
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(spec.required).toEqual(['tags']);
    expect(spec.properties.tags['x-kubernetes-validations'].map((v: { message: string }) => v.message)).toEqual(['tag keys must be 1-128 characters', 'tag keys may not use the reserved "aws:" or "services.k8s.aws/" prefixes']);
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual(['Covered', 'Compliant', 'Corrected', 'Ready', 'Age']);
    expect(defineApiType({ group: 'x.io', version: 'v1', kind: 'Thing', plural: 'things', singular: 'thing', scope: 'Namespaced', spec: z.object({}), status: z.object({}) }).type).toEqual({ group: 'x.io', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true });
  });
});

describe('status helpers (R-O3)', () => {
  const at = (iso: string) => new Date(iso);
  test('R-O3 setCondition keeps lastTransitionTime while the status holds, sets it when it changes, keeps other conditions', () => {
    const first = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Compliant', message: 'ok', observedGeneration: 1 }, at('2026-11-29T10:00:00Z'));
    const same = setCondition([...first, { type: 'Synced', status: 'True', reason: 'r', message: 'm', lastTransitionTime: '2026-11-01T00:00:00Z' }], { type: 'Ready', status: 'True', reason: 'Compliant', message: 'still ok', observedGeneration: 2 }, at('2026-11-29T11:00:00Z'));
    expect(same.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'True', reason: 'Compliant', message: 'still ok', observedGeneration: 2, lastTransitionTime: '2026-11-29T10:00:00.000Z' });
    expect(same.find((c) => c.type === 'Synced')?.lastTransitionTime).toBe('2026-11-01T00:00:00Z');
    const changed = setCondition(same, { type: 'Ready', status: 'False', reason: 'Conflict', message: 'x' }, at('2026-11-29T12:00:00Z'));
    expect(changed.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-11-29T12:00:00.000Z');
  });

  test('R-O3 statuses compare as JSON whatever the key order (the API server may reorder), undefined fields ignored', () => {
    expect(sameJson({ a: 1, b: { c: [1, { d: 2 }] } }, { b: { c: [1, { d: 2 }] }, a: 1, e: undefined })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
  });
});
