/**
 * Validates manifests against the ACK CRDs' `openAPIV3Schema`, the way the API
 * server would, except that unknown fields are errors: Kubernetes silently
 * prunes them, which would make a typo in a chart vanish without a trace.
 * (CEL rules are checked by the real API server in the integration tests.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { ackCrdsDir } from '../../lib/paths';

type Schema = Record<string, any>;

/**
 * A copy of a structural schema in which every object that declares its
 * properties rejects others, and int-or-string fields accept both.
 */
export function strictSchema(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (copy['x-kubernetes-int-or-string']) {
    delete copy.type;
    copy.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([key, value]) => [key, strictSchema(value as Schema)]));
    if (copy.additionalProperties === undefined && !copy['x-kubernetes-preserve-unknown-fields']) copy.additionalProperties = false;
  }
  if (copy.items) copy.items = strictSchema(copy.items);
  if (copy.additionalProperties && typeof copy.additionalProperties === 'object') {
    copy.additionalProperties = strictSchema(copy.additionalProperties);
  }
  return copy;
}

export interface CrdSchemas {
  /** Validator for `<apiVersion>/<kind>`, or undefined for an unknown kind. */
  validator(apiVersion: string, kind: string): ValidateFunction | undefined;
  /** Every `<apiVersion>/<kind>` with its `spec` schema. */
  readonly kinds: ReadonlyMap<string, Schema>;
}

export function loadCrdSchemas(dir = ackCrdsDir()): CrdSchemas {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const rootSchemas = new Map<string, Schema>();
  for (const file of yamlFiles(dir)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        rootSchemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
      }
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  return {
    kinds: new Map([...rootSchemas].map(([key, schema]) => [key, schema.properties?.spec ?? {}])),
    validator(apiVersion, kind) {
      const key = `${apiVersion}/${kind}`;
      const schema = rootSchemas.get(key);
      if (!schema) return undefined;
      if (!compiled.has(key)) compiled.set(key, ajv.compile(strictSchema(schema)));
      return compiled.get(key);
    },
  };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Problems of `manifest` against its CRD, as readable strings; [] when valid. */
export function schemaProblems(schemas: CrdSchemas, manifest: any): string[] {
  const validate = schemas.validator(manifest.apiVersion, manifest.kind);
  if (!validate) return [`no CRD for ${manifest.apiVersion} ${manifest.kind}`];
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${manifest.kind}/${manifest.metadata?.name} ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${e.params.additionalProperty}` : ''}`);
}

/**
 * A minimal object satisfying `schema`'s required fields, for tests that need
 * a valid instance of any kind.
 */
export function minimalInstance(schema: Schema): unknown {
  if (schema['x-kubernetes-int-or-string']) return 1;
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key: string) => [key, minimalInstance(schema.properties?.[key] ?? {})]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      return schema.enum?.[0] ?? 'x';
    default:
      return {};
  }
}
