/**
 * Reads manifests the way kubectl does: YAML files (several documents each),
 * folders (every .yaml, .yml and .json below, sorted), or standard input
 * (Kustomize or Helm output piped in). `List` kinds are opened up. Each
 * object keeps its file and line for the report.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Json, Source } from './objects';

export interface LoadedDocument {
  readonly manifest: Json;
  readonly source: Source;
}

export class LoadError extends Error {}

const MANIFEST = /\.(ya?ml|json)$/i;

/** Every manifest file under `path` (itself, when it is a file). */
function filesOf(path: string): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new LoadError(`${path}: no such file or folder`);
  }
  if (!stats.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? filesOf(join(path, entry.name)) : MANIFEST.test(entry.name) ? [join(path, entry.name)] : []));
}

/** The Kubernetes objects in one YAML (or JSON) text. */
export function parseManifests(text: string, file: string): LoadedDocument[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(documents)) throw new LoadError(`${file}: not YAML`);
  return documents.flatMap((document) => {
    if (document.errors.length) throw new LoadError(`${file}:${lines.linePos(document.errors[0].pos[0]).line}: ${document.errors[0].message.split('\n')[0]}`);
    const value = document.toJS();
    const line = document.contents?.range ? lines.linePos(document.contents.range[0]).line : 1;
    const objects: Json[] = value && typeof value === 'object' && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    return objects.filter((o) => o && typeof o === 'object' && typeof o.kind === 'string' && typeof o.apiVersion === 'string').map((manifest) => ({ manifest, source: { file, line } }));
  });
}

/** The objects in the given files and folders; `-` reads standard input (`stdin` is its text). */
export function loadManifests(paths: readonly string[], stdin?: () => string): LoadedDocument[] {
  return paths.flatMap((path) => (path === '-' ? parseManifests(stdin?.() ?? '', '<stdin>') : filesOf(path).flatMap((file) => parseManifests(readFileSync(file, 'utf8'), file))));
}
