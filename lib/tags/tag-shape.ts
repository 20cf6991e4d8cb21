/**
 * Where and how an ACK kind stores its AWS tags, derived from the kind's CRD
 * schema. ACK controllers use three shapes (research: ack-crds.md §1):
 *
 * - `spec.tags: [{key, value}]` (most kinds), or KMS's `[{tagKey, tagValue}]`
 * - `spec.tags: {<key>: <value>}` (Lambda, API Gateway v2, Logs, SQS)
 * - `spec.tagging.tagSet: [{key, value}]` (S3 Bucket)
 *
 * The shape is read from the schema rather than from a list of kinds so that
 * a new controller release, or a CRD the operator discovers at run time, is
 * handled without code changes. Used by `scripts/import-crds.ts` (synth time)
 * and by the operator (run time).
 */
export type TagShape =
  | {
      /** Property path below `spec`. */
      readonly path: readonly string[];
      readonly form: 'map';
    }
  | {
      readonly path: readonly string[];
      readonly form: 'list';
      /** Item property holding the tag key, e.g. `key` or `tagKey`. */
      readonly keyField: string;
      /** Item property holding the tag value, e.g. `value` or `tagValue`. */
      readonly valueField: string;
    };

/** The subset of an OpenAPI v3 schema node that shape derivation reads. */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
}

/**
 * Derives the tag shape from a kind's `spec` schema.
 *
 * Resource tags live in a top-level `spec.tags`, or in a `tagSet` array of a
 * top-level object (S3's `spec.tagging`). Tags nested deeper (S3 lifecycle
 * filters, launch-template tag specifications) describe other things and are
 * never considered.
 *
 * @returns the shape, or `undefined` when the kind has no resource tags.
 * @throws when a tag field exists but has a shape no ACK controller uses, so
 *   that a new shape fails loudly instead of going untagged.
 */
export function deriveTagShape(spec: SchemaNode | undefined, kind = 'kind'): TagShape | undefined {
  const properties = spec?.properties ?? {};
  if (properties.tags) {
    return classify(['tags'], properties.tags, kind);
  }
  for (const [name, node] of Object.entries(properties)) {
    const tagSet = node.type === 'object' ? node.properties?.tagSet : undefined;
    if (tagSet) {
      return classify([name, 'tagSet'], tagSet, kind);
    }
  }
  return undefined;
}

function classify(path: string[], node: SchemaNode, kind: string): TagShape {
  const where = `${kind} spec.${path.join('.')}`;
  if (node.type === 'object' && isStringSchema(node.additionalProperties)) {
    return { path, form: 'map' };
  }
  if (node.type === 'array' && node.items?.type === 'object') {
    const fields = Object.entries(node.items.properties ?? {});
    const stringFields = fields.filter(([, schema]) => schema.type === 'string').map(([name]) => name);
    const keyField = stringFields.find((name) => /key$/i.test(name));
    const valueField = stringFields.find((name) => /value$/i.test(name));
    if (fields.length === 2 && keyField && valueField) {
      return { path, form: 'list', keyField, valueField };
    }
  }
  throw new Error(
    `${where} is not a tag shape ACK uses (expected a string map or a list of {key, value} objects); ` +
      'extend deriveTagShape in lib/tags/tag-shape.ts for it',
  );
}

function isStringSchema(node: SchemaNode | boolean | undefined): boolean {
  return typeof node === 'object' && node.type === 'string';
}

/** Key of the generated shape table: `<apiVersion>/<kind>`. */
export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}
