/**
 * Reads and validates every environment file in the config folder. Every
 * problem in every file is collected and reported together (ConfigError),
 * each with the file and the field (or line and column); nothing is returned
 * unless all environments are valid.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { isMap, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { escapeInvisible, shown as quoted } from '../cli';
import { ConfigError, type ConfigProblem } from '../errors';
import { environmentNameProblem, environmentSchema, type EnvironmentConfig } from './environment';
import { crossEnvironmentProblems } from './cross-environment';

/** Any spelling of a YAML extension, so that `.YAML` is reported rather than skipped. */
const YAML_LIKE = /\.ya?ml$/i;
const YAML_FILE = /\.ya?ml$/;
/** An environment file is a few KB; anything this large is not one, and is not parsed. */
const MAX_FILE_BYTES = 256 * 1024;
/** Problems shown per file; the rest are counted. */
export const MAX_PROBLEMS_PER_FILE = 20;
/** YAML aliases may repeat a node this often; more is a resource exhaustion attack ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/**
 * @param label how the user named the folder (`--config-dir`, `CONFIG_DIR`), for messages
 */
export function loadEnvironments(configDir: string, label = '--config-dir'): EnvironmentConfig[] {
  const names = listFiles(configDir, label).filter((name) => YAML_LIKE.test(name));
  const shown = (name: string) => relative(process.cwd(), join(configDir, name)) || name;
  if (names.length === 0) {
    throw new ConfigError([{ file: shown('.'), path: '', message: `no environment files (<environment>.yaml) found; point ${label} at the folder that holds them` }]);
  }
  const problems: ConfigProblem[] = [];
  const environments: EnvironmentConfig[] = [];
  for (const name of names) {
    const file = shown(name);
    const result = YAML_FILE.test(name)
      ? loadEnvironment(join(configDir, name), file)
      : { problems: [{ file, path: '(file name)', message: `rename it to ${basename(name, extname(name))}.yaml: environment files end in lowercase .yaml or .yml` }] };
    if ('problems' in result) problems.push(...capped(result.problems));
    else environments.push(result.environment);
  }
  problems.push(...crossEnvironmentProblems(environments));
  if (problems.length > 0) throw new ConfigError(problems);
  return environments;
}

function listFiles(dir: string, label: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    throw new ConfigError([{ file: dir, path: '', message: `cannot read the config folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); point ${label} at an existing folder` }]);
  }
}

/** The first problems of a file and a count of the rest: the first ones are what to fix. */
function capped(problems: readonly ConfigProblem[]): ConfigProblem[] {
  if (problems.length <= MAX_PROBLEMS_PER_FILE) return [...problems];
  const rest = problems.length - MAX_PROBLEMS_PER_FILE;
  return [...problems.slice(0, MAX_PROBLEMS_PER_FILE), { file: problems[0].file, path: '', message: `… and ${rest} more problem${rest === 1 ? '' : 's'} in this file` }];
}

function loadEnvironment(path: string, file: string): { environment: EnvironmentConfig } | { problems: ConfigProblem[] } {
  const fail = (message: string) => ({ problems: [{ file, path: '', message }] });
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return fail('is a folder, not an environment file; rename or move it');
    if (!stat.isFile()) return fail('is not a regular file');
    size = stat.size;
  } catch (error) {
    return fail((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is a broken link; remove it or point it at a file' : `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (size > MAX_FILE_BYTES) return fail(`is ${size} bytes; an environment file is a few KB, so this is not one and was not read`);
  const text = readFileSync(path, 'utf8');
  const documents = parseAllDocuments(text, { prettyErrors: true });
  if (documents.length > 1) return fail(`holds ${documents.length} YAML documents (separated by ---); an environment file holds one`);
  const doc = documents[0] as Document | undefined;
  if (doc && doc.errors.length > 0) return { problems: doc.errors.map((error) => ({ file, path: '', message: yamlErrorMessage(error, text) })) };
  let raw: unknown;
  try {
    raw = doc?.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch {
    return fail('its YAML aliases expand beyond any environment file (a resource exhaustion pattern); not read');
  }
  if (doc && doc.contents !== null && !isMap(doc.contents)) {
    return fail(`expected fields (awsAccountID: …, tier: …) at the top level, found ${raw === null ? 'nothing' : Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}; is this an environment file?`);
  }
  const sourceOf = (path: readonly PropertyKey[]) => {
    const node = doc?.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? text.slice(node.range[0], node.range[1]) : undefined;
  };
  return parseEnvironment(raw, basename(path, extname(path)), file, sourceOf);
}

/** "line 3, column 5: duplicate key "tier"…": one line, where the parser stopped. */
function yamlErrorMessage(error: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }, text: string): string {
  const position = error.linePos?.[0];
  const where = position ? `line ${position.line}, column ${position.col}` : 'YAML';
  if (error.code === 'DUPLICATE_KEY' && position) {
    const key = /^\s*([^:#]+?)\s*:/.exec(text.split('\n')[position.line - 1] ?? '')?.[1];
    return `${where}: the key ${quoted(key ?? '?')} appears twice in one mapping; keep one`;
  }
  const first = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return `${where}: YAML: ${first}`;
}

/**
 * Validates one environment's configuration.
 * @param name the environment name (the file name without extension)
 * @param file the file it came from, for messages
 * @param sourceOf the text a value was written as, where known (to explain how YAML read it)
 */
export function parseEnvironment(
  raw: unknown,
  name: string,
  file: string,
  sourceOf: (path: readonly PropertyKey[]) => string | undefined = () => undefined,
): { environment: EnvironmentConfig } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const nameProblem = environmentNameProblem(name);
  if (nameProblem) problems.push({ file, path: '(file name)', message: `environment name ${nameProblem}; rename the file` });
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(file, raw, issue, sourceOf)));
  if (problems.length > 0 || !parsed.success) return { problems };
  return { environment: { ...parsed.data, name, file, environmentSuffix: parsed.data.environmentSuffix ?? name } };
}

/** Turns a schema issue into problems naming the field path and the bad value. */
function describeIssue(file: string, raw: unknown, issue: z.core.$ZodIssue, sourceOf: (path: readonly PropertyKey[]) => string | undefined): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ file, path: formatPath([...issue.path, key]), message: issue.message }));
  }
  const value = valueAt(raw, issue.path);
  if (value === undefined) {
    // zod's own wording for a missing value is generic; keep the schema's hint if it has one.
    const hint = issue.code === 'invalid_type' && issue.message.startsWith('Invalid input') ? '' : `: ${issue.message}`;
    const message = issue.code === 'invalid_type' ? `required (${issue.expected})${hint}` : issue.message;
    return [{ file, path: formatPath(issue.path), message }];
  }
  if (issue.code === 'invalid_type' && issue.expected === 'string' && typeof value === 'number') {
    const source = sourceOf(issue.path) ?? String(value);
    const lost = source !== String(value) ? ` and loses what it does not keep in a number (${source} became ${value})` : '';
    return [{ file, path: formatPath(issue.path), message: `write it in quotes, "${source}": YAML reads an unquoted ${source} as a number${lost}` }];
  }
  return [{ file, path: formatPath(issue.path), message: `${issue.message} (got ${formatValue(value)})` }];
}

function formatValue(value: unknown): string {
  const text = escapeInvisible(JSON.stringify(value));
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** `systems.vpc-peering.payment.privateRouteTables[0].routeTableID`; a key with unusual characters is quoted and escaped. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const text = String(key);
      const plain = /^[A-Za-z0-9_.:/-]+$/.test(text) ? text : quoted(text);
      return `${i === 0 ? '' : '.'}${plain}`;
    })
    .join('');
}
