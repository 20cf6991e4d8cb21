/**
 * One source for an API type: its spec and status are zod schemas, from
 * which come both the TypeScript types (`z.infer`) and the CRD's OpenAPI
 * schema (zod's JSON Schema, made structural for Kubernetes). CEL rules and
 * Kubernetes-only keywords (`x-kubernetes-validations`, `maxProperties`,
 * `format: int64`) ride along as zod metadata: `.meta({ ... })`.
 *
 * A controller defines its type with `defineApiType` (and `ApiObject` for its
 * TypeScript type) and the operator chart installs `crd`; they cannot drift.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ResourceType } from './api-client';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  readonly jsonPath: string;
  /** 0 (default): shown by `kubectl get`; 1: only with `-o wide`. */
  readonly priority?: number;
}

export interface ApiTypeDefinition<Spec extends z.ZodType, Status extends z.ZodType> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly scope: 'Cluster' | 'Namespaced';
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly printerColumns?: readonly PrinterColumn[];
  readonly spec: Spec;
  readonly status: Status;
}

export interface ApiType {
  readonly type: ResourceType;
  /** The CustomResourceDefinition, as the operator chart writes it. */
  readonly crd: { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string }; readonly spec: Record<string, unknown> };
}

/** The TypeScript type of an API type's objects, from its spec and status schemas. */
export type ApiObject<Spec extends z.ZodType, Status extends z.ZodType> = KubernetesObject & { spec: z.infer<Spec>; status?: z.infer<Status> };

/** JSON Schema keywords Kubernetes structural schemas do not accept, or that zod adds for JavaScript's sake. */
const DROPPED = new Set(['$schema', 'propertyNames']);
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

type JsonSchema = Record<string, unknown>;

/**
 * Zod's JSON Schema as a Kubernetes structural schema: no `$schema` or
 * `propertyNames`, no `additionalProperties: false` (pruning does that job),
 * `const` as a one-value `enum`, integers without JavaScript's safe bounds,
 * and no regular expression zod derives for a `format` (the format says it).
 * @throws for constructs a structural schema cannot express, naming the path
 */
export function structuralSchema(schema: z.ZodType): JsonSchema {
  return structural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as JsonSchema, '');
}

function structural(node: JsonSchema, path: string): JsonSchema {
  const unsupported = ['$ref', 'anyOf', 'oneOf', 'allOf', 'not'].find((keyword) => keyword in node) ?? (Array.isArray(node.type) ? `type ${JSON.stringify(node.type)}` : undefined);
  if (unsupported) {
    throw new Error(`${path || '(root)'}: ${unsupported.startsWith('type') ? unsupported : `"${unsupported}"`} is not expressible in a Kubernetes structural schema; give the field one type (a z.union or a recursive type cannot be a CRD field)`);
  }
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (DROPPED.has(keyword)) continue;
    if (keyword === 'additionalProperties' && value === false) continue;
    // A loose object keeps what it does not declare: Kubernetes says so with x-kubernetes-preserve-unknown-fields.
    if (keyword === 'additionalProperties' && node['x-kubernetes-preserve-unknown-fields'] === true && Object.keys(value as object).length === 0) continue;
    if (keyword === 'const') {
      out.enum = [value];
      continue;
    }
    if ((keyword === 'minimum' && value === -SAFE_INTEGER) || (keyword === 'maximum' && value === SAFE_INTEGER)) continue;
    if (keyword === 'pattern' && node.format) continue;
    if (keyword === 'pattern') {
      // A JavaScript regex source escapes "/"; Kubernetes' RE2 needs no escape there.
      out.pattern = (value as string).replace(/(^|[^\\])((?:\\\\)*)\\\//g, '$1$2/');
      continue;
    }
    if (keyword === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [name, structural(child, `${path}.${name}`)]));
    } else if (keyword === 'items' || (keyword === 'additionalProperties' && typeof value === 'object')) {
      out[keyword] = structural(value as JsonSchema, `${path}${keyword === 'items' ? '[]' : '.*'}`);
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

export function defineApiType<Spec extends z.ZodType, Status extends z.ZodType>(definition: ApiTypeDefinition<Spec, Status>): ApiType {
  const { group, version, kind, plural, singular, scope, shortNames, categories, printerColumns } = definition;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { kind, listKind: `${kind}List`, plural, singular, ...(shortNames ? { shortNames } : {}), ...(categories ? { categories } : {}) },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          ...(printerColumns ? { additionalPrinterColumns: [...printerColumns, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }] } : {}),
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: structuralSchema(definition.spec),
                status: structuralSchema(definition.status),
              },
            },
          },
        },
      ],
    },
  };
  return { type: { group, version, plural, kind, namespaced: scope === 'Namespaced' }, crd };
}
