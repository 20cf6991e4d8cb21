/**
 * The official SARIF 2.1.0 JSON schema (OASIS, errata01), for the tests that
 * validate `npm run lint -- --format sarif` against it. It is not vendored:
 * the published Go module go-sarif embeds it, so it comes through the Go
 * module proxy like the test binaries' modules, pinned by version and
 * checksum, and is cached outside the repository
 * (`${XDG_CACHE_HOME:-~/.cache}/ack-systems/sarif/`). `npm run testbin` provides it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const SARIF_SCHEMA_SOURCE = {
  module: 'github.com/owenrumney/go-sarif/v3',
  version: 'v3.3.1',
  /** The module zip's checksum (go.sum `h1:`), so a different download is refused. */
  sum: 'h1:bKY8YnWcY8zYTiGVObC5wZLlfEvMkCxK9XMGXBbzEtQ=',
  /** The Go file holding the schema as a raw string constant. */
  file: 'pkg/report/v210/sarif/schema.go',
} as const;

export function sarifSchemaPath(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'ack-systems', 'sarif', `sarif-schema-2.1.0-${SARIF_SCHEMA_SOURCE.version}.json`);
}

/** Downloads the module (unless cached) and writes the schema; returns its path. */
export function ensureSarifSchema(go = 'go'): string {
  const target = sarifSchemaPath();
  if (existsSync(target)) return target;
  const { module, version, sum, file } = SARIF_SCHEMA_SOURCE;
  const download = spawnSync(go, ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' } });
  if (download.status !== 0) throw new Error(`sarif schema: go mod download ${module}@${version} failed: ${download.stderr || download.stdout}`);
  const info = JSON.parse(download.stdout) as { Dir: string; Sum: string };
  if (info.Sum !== sum) throw new Error(`sarif schema: ${module}@${version} has checksum ${info.Sum}, expected ${sum}`);
  const source = readFileSync(join(info.Dir, file), 'utf8');
  const text = /const schema = `([\s\S]*?)`/.exec(source)?.[1];
  if (!text) throw new Error(`sarif schema: no schema constant in ${module}@${version}/${file}`);
  const schema = JSON.parse(text) as { title?: string };
  if (!schema.title?.includes('2.1.0')) throw new Error(`sarif schema: ${module}@${version}/${file} holds "${schema.title}", not SARIF 2.1.0`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(`${target}.partial`, text);
  renameSync(`${target}.partial`, target);
  return target;
}
