/**
 * Reads and validates every environment file in the config folder. Every
 * problem in every file is collected and reported together (ConfigError);
 * nothing is returned unless all environments are valid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors';
import { environmentNameProblem, environmentSchema, type EnvironmentConfig } from './environment';

const YAML_FILE = /\.ya?ml$/;

/**
 * @param label how the user named the folder (`--config-dir`, `CONFIG_DIR`), for messages
 */
export function loadEnvironments(configDir: string, label = '--config-dir'): EnvironmentConfig[] {
  const files = listFiles(configDir, label).filter((name) => YAML_FILE.test(name));
  const shown = (name: string) => relative(process.cwd(), join(configDir, name)) || name;
  if (files.length === 0) {
    throw new ConfigError([{ file: shown('.'), path: '', message: `no environment files (<environment>.yaml) found; point ${label} at the folder that holds them` }]);
  }
  const problems: ConfigProblem[] = [];
  const environments: EnvironmentConfig[] = [];
  for (const name of files) {
    const result = loadEnvironment(join(configDir, name), shown(name));
    if ('problems' in result) problems.push(...result.problems);
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

function loadEnvironment(path: string, file: string): { environment: EnvironmentConfig } | { problems: ConfigProblem[] } {
  const doc = parseDocument(readFileSync(path, 'utf8'), { prettyErrors: false });
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((error) => ({ file, path: '', message: `YAML syntax: ${error.message}` })) };
  }
  return parseEnvironment(doc.toJS() ?? {}, basename(path, extname(path)), file);
}

/**
 * Validates one environment's configuration.
 * @param name the environment name (the file name without extension)
 * @param file the file it came from, for messages
 */
export function parseEnvironment(raw: unknown, name: string, file: string): { environment: EnvironmentConfig } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const nameProblem = environmentNameProblem(name);
  if (nameProblem) problems.push({ file, path: '(file name)', message: `environment name ${nameProblem}; rename the file` });
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(file, raw, issue)));
  if (problems.length > 0 || !parsed.success) return { problems };
  return { environment: { ...parsed.data, name, file, environmentSuffix: parsed.data.environmentSuffix ?? name } };
}

/** Turns a schema issue into problems naming the field path and the bad value. */
function describeIssue(file: string, raw: unknown, issue: z.core.$ZodIssue): ConfigProblem[] {
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
  const message = `${issue.message} (got ${formatValue(value)})`;
  return [{ file, path: formatPath(issue.path), message }];
}

function formatValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** `systems.vpc-peering.payment.privateRouteTables[0].routeTableID` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

/** Two environments with one suffix would create the same AWS names. */
function crossEnvironmentProblems(environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const bySuffix = new Map<string, EnvironmentConfig>();
  return environments.flatMap((env) => {
    const other = bySuffix.get(env.environmentSuffix);
    bySuffix.set(env.environmentSuffix, env);
    return other
      ? [{ file: env.file, path: 'environmentSuffix', message: `"${env.environmentSuffix}" is also the suffix of ${other.file}; AWS names would collide` }]
      : [];
  });
}
