/**
 * A reference table from a JSON Schema (zod's output, or a CRD's
 * openAPIV3Schema): one row per field, nested fields as dotted paths.
 */
export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  default?: unknown;
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

export interface SchemaRow {
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultText?: string;
  readonly description: string;
}

/** A table cell: pipes escaped, and `<…>` outside code spans shown rather than read as HTML. */
const cell = (text: string) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .split('`')
    .map((part, index) => (index % 2 === 0 ? part.replace(/</g, '&lt;').replace(/>/g, '&gt;') : part))
    .join('`');
const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `exactly ${code(schema.const)}`;
  if (schema.anyOf) return `one of ${schema.anyOf.map((option) => (option.const !== undefined ? code(option.const) : typeOf(option))).join(', ')}`;
  if (schema.enum) return `one of ${schema.enum.map(code).join(', ')}`;
  const bounds =
    schema.minimum !== undefined && schema.maximum !== undefined
      ? ` from ${schema.minimum} to ${schema.maximum}`
      : schema.minItems !== undefined || schema.maxItems !== undefined
        ? ` (${[schema.minItems !== undefined ? `at least ${schema.minItems}` : '', schema.maxItems !== undefined ? `at most ${schema.maxItems}` : ''].filter(Boolean).join(', ')})`
        : '';
  switch (schema.type) {
    case 'array':
      return `list${bounds} of ${schema.items?.type === 'object' && schema.items.properties ? 'objects (below)' : typeOf(schema.items ?? {})}`;
    case 'object':
      if (schema.properties) return 'object (below)';
      return typeof schema.additionalProperties === 'object' ? `map of ${typeOf(schema.additionalProperties)}` : 'object';
    case 'integer':
      return `whole number${bounds}`;
    case 'number':
      return `number${bounds}`;
    case 'string':
      return schema.format ? schema.format : schema.pattern ? `text matching \`${schema.pattern}\`` : 'text';
    default:
      return schema.type ?? 'any';
  }
}

export function schemaRows(schema: JsonSchema, prefix: string): SchemaRow[] {
  const rows: SchemaRow[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const field = `${prefix}${name}`;
    const described = property.description ?? '';
    const stated = /@default (.*)$/.exec(described);
    rows.push({
      field,
      type: typeOf(property),
      required: (schema.required ?? []).includes(name) && property.default === undefined,
      defaultText: stated ? stated[1] : property.default !== undefined ? code(property.default) : undefined,
      description: [described.replace(/\s*@default .*$/, ''), ...(property['x-kubernetes-validations'] ?? []).map((rule) => `Rule: ${rule.message}.`)].filter(Boolean).join(' '),
    });
    if (property.type === 'object' && property.properties) rows.push(...schemaRows(property, `${field}.`));
    if (property.type === 'array' && property.items?.type === 'object' && property.items.properties) rows.push(...schemaRows(property.items, `${field}[].`));
  }
  return rows;
}

export function schemaTable(rows: readonly SchemaRow[]): string {
  const lines = ['| field | type | required | default | description |', '|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| \`${row.field}\` | ${cell(row.type)} | ${row.required ? 'yes' : ''} | ${cell(row.defaultText ?? '')} | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}

