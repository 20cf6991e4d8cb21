/**
 * A DeferredObject's template as a program (R-O6): every `${expr}` in its
 * strings, compiled once with a conformance-tested CEL implementation
 * (@bufbuild/cel, with the strings extension: split, substring, replace,
 * indexOf, join, lowerAscii …), then rendered against the inputs' values.
 * No I/O: the reconciler supplies the bindings.
 *
 * - A string that is exactly `${expr}` takes the expression's value, of any
 *   JSON type; `${expr}` inside a longer string is replaced by its value as
 *   text (strings, numbers and booleans only).
 * - An expression that reads a field not there yet (`status.vpcID` before
 *   ACK has written it), or that is null, is *waiting*, not wrong: the object
 *   is rendered once every expression resolves.
 * - An expression that does not parse, or names a variable that is no input,
 *   is *invalid*: reported, never retried until the spec changes.
 */
import { celEnv, isCelError, isCelList, isCelMap, isCelUint, parse, plan, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

const ENV = celEnv({ funcs: strings });

/** What a field not there yet looks like to the evaluator. */
const MISSING = /^(field not found|no such key|index \d+ out of bounds)/;

interface Expression {
  readonly source: string;
  readonly evaluate: (bindings: Record<string, unknown>) => unknown;
}

/** A template string: literal text and expressions, in order. */
type Part = string | Expression;

export type RenderResult =
  | { readonly kind: 'rendered'; readonly object: Record<string, unknown> }
  | { readonly kind: 'waiting'; readonly reasons: readonly string[] }
  | { readonly kind: 'invalid'; readonly reasons: readonly string[] };

export class TemplateProgram {
  private constructor(
    private readonly template: unknown,
    /** Compiled strings by their path in the template. */
    private readonly strings: ReadonlyMap<string, readonly Part[]>,
  ) {}

  /** Compiles every expression of `template`; the errors name each bad field and expression. */
  static compile(template: unknown, inputNames: readonly string[]): TemplateProgram | { readonly errors: readonly string[] } {
    const compiled = new Map<string, Part[]>();
    const errors: string[] = [];
    walk(template, 'template', (value, path) => {
      if (!value.includes('${')) return;
      try {
        compiled.set(path, splitParts(value).map((part) => (typeof part === 'string' ? part : compileExpression(part.source, inputNames))));
      } catch (error) {
        errors.push(`${path}: ${(error as Error).message}`);
      }
    });
    return errors.length > 0 ? { errors } : new TemplateProgram(template, compiled);
  }

  /** The rendered object, or what it waits for, or why an expression fails. */
  render(bindings: Record<string, unknown>): RenderResult {
    const waiting: string[] = [];
    const invalid: string[] = [];
    const rendered = map(this.template, 'template', (value, path) => {
      const parts = this.strings.get(path);
      if (!parts) return value;
      const values = parts.map((part) => {
        if (typeof part === 'string') return part;
        try {
          const result = part.evaluate(bindings);
          if (result === null || result === undefined) throw new Waiting('is null');
          return result;
        } catch (error) {
          (error instanceof Waiting ? waiting : invalid).push(`${path}: \${${part.source}} ${error instanceof Waiting ? error.message : `fails: ${(error as Error).message}`}`);
          return undefined;
        }
      });
      if (values.length === 1) return values[0];
      const composite = values.find((v) => v !== undefined && !['string', 'number', 'boolean'].includes(typeof v));
      if (composite !== undefined) invalid.push(`${path}: a list or map cannot be part of a longer string`);
      return values.join('');
    });
    if (invalid.length > 0) return { kind: 'invalid', reasons: invalid };
    if (waiting.length > 0) return { kind: 'waiting', reasons: waiting };
    return { kind: 'rendered', object: rendered as Record<string, unknown> };
  }
}

class Waiting extends Error {}

function compileExpression(source: string, inputNames: readonly string[]): Expression {
  const parsed = parse(source);
  const unknown = freeIdentifiers(parsed.expr).filter((name) => !inputNames.includes(name));
  if (unknown.length > 0) throw new Error(`\${${source}} reads ${unknown.map((n) => `"${n}"`).join(', ')}, which ${unknown.length > 1 ? 'are' : 'is'} not an input (inputs: ${inputNames.join(', ')})`);
  const program = plan(ENV, parsed);
  return {
    source,
    evaluate: (bindings) => {
      const result = program(bindings as never);
      if (isCelError(result)) {
        if (MISSING.test(result.message)) throw new Waiting(`waits: ${result.message}`);
        throw new Error(result.message);
      }
      return toJson(result);
    },
  };
}

/** Splits `a-${x}-b` into text and expressions; an expression ends at its own closing brace (CEL maps nest braces, strings may hold any). */
export function splitParts(value: string): (string | { source: string })[] {
  const parts: (string | { source: string })[] = [];
  let text = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$' || value[i + 1] !== '{') {
      text += value[i];
      continue;
    }
    let depth = 0;
    let quote: string | undefined;
    let end = -1;
    for (let j = i + 2; j < value.length; j++) {
      const c = value[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}' && depth-- === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) throw new Error(`"\${" at ${i} has no closing "}"`);
    const source = value.slice(i + 2, end).trim();
    if (!source) throw new Error('"${}" holds no expression');
    if (text) parts.push(text);
    text = '';
    parts.push({ source });
    i = end;
  }
  if (text) parts.push(text);
  return parts;
}

/** Names an expression reads that no comprehension binds. */
function freeIdentifiers(expr: unknown): string[] {
  const used = new Set<string>();
  const bound = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.$typeName === 'cel.expr.Expr.Ident') used.add(record.name as string);
    if (record.$typeName === 'cel.expr.Expr.Comprehension') for (const key of ['iterVar', 'iterVar2', 'accuVar']) if (record[key]) bound.add(record[key] as string);
    for (const value of Object.values(record)) visit(value);
  };
  visit(expr);
  return [...used].filter((name) => !bound.has(name) && !name.startsWith('@'));
}

/** A CEL value as plain JSON. */
function toJson(value: CelValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...value].map(toJson);
  if (isCelMap(value)) return Object.fromEntries([...value].map(([key, item]) => [String(isCelUint(key) ? key.value : key), toJson(item)]));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  throw new Error(`a ${typeof value === 'object' && value && '$typeName' in value ? (value as { $typeName: string }).$typeName : typeof value} value cannot go into an object`);
}

function walk(value: unknown, path: string, visit: (value: string, path: string) => void): void {
  map(value, path, (text, at) => (visit(text, at), text));
}

/** A copy of `value` with every string replaced by `replace(string, path)`. */
function map(value: unknown, path: string, replace: (value: string, path: string) => unknown): unknown {
  if (typeof value === 'string') return replace(value, path);
  if (Array.isArray(value)) return value.map((item, index) => map(item, `${path}[${index}]`, replace));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, map(item, `${path}.${key}`, replace)]));
  return value;
}
