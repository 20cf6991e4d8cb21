/**
 * The functions' deployment packages, built the same way by synth (which
 * needs their hashes) and by `npm run build:functions` (which writes them for
 * upload): each function bundled by esbuild into one `index.mjs` (the AWS SDK
 * stays out: the Node.js runtime has it), zipped with fixed timestamps and
 * permissions, so the same sources give the same bytes on every machine.
 *
 * The package is named by its content hash (`<function>/<sha256>.zip`), and
 * the chart also writes the hash into `code.sha256`: ACK's lambda-controller
 * never notices a new `s3Key` (the read copies it from the desired spec) and
 * updates the code only when `code.sha256` differs from what AWS reports
 * (lambda-controller v1.14.1 `pkg/resource/function/hooks.go:550-572`).
 */
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import { zipSync } from 'fflate';
import { ESM_REQUIRE_BANNER } from '../lib/esm';
import { REPO_ROOT } from '../lib/paths';

/** Each function's entry point, by the name its package carries. */
export const FUNCTION_SOURCES = {
  'payment-api': 'functions/payment-api/index.ts',
  'payment-migrations': 'functions/migrations/index.ts',
} as const;

export type FunctionName = keyof typeof FUNCTION_SOURCES;

/** The Lambda handler of every package: `index.mjs`, export `handler`. */
export const FUNCTION_HANDLER = 'index.handler';

/** The oldest time a zip can record: the same on every build. */
const ZIP_TIME = new Date('1980-01-01T00:00:00Z');
/** Unix `-rw-r--r--`, which Lambda needs to read the file. */
const READABLE_FILE = 0o100644 << 16;

export interface FunctionPackage {
  readonly name: FunctionName;
  readonly zip: Uint8Array;
  /** Base64 SHA-256 of the zip: how Lambda reports `CodeSha256`. */
  readonly sha256: string;
  /** Where the package is uploaded in the artifact bucket. */
  readonly s3Key: string;
}

const built = new Map<FunctionName, FunctionPackage>();

/** The function's package, built once per process. */
export function functionPackage(name: FunctionName): FunctionPackage {
  let result = built.get(name);
  if (!result) built.set(name, (result = buildPackage(name)));
  return result;
}

/** Bundles and zips the function (no cache). */
export function buildPackage(name: FunctionName): FunctionPackage {
  const { outputFiles } = buildSync({
    entryPoints: [FUNCTION_SOURCES[name]],
    absWorkingDir: REPO_ROOT,
    outfile: 'index.mjs',
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    external: ['@aws-sdk/*', 'pg-native'],
    banner: { js: ESM_REQUIRE_BANNER },
    legalComments: 'none',
    logLevel: 'error',
  });
  const zip = zipSync({ 'index.mjs': [outputFiles[0].contents, { mtime: ZIP_TIME, os: 3, attrs: READABLE_FILE, level: 9 }] });
  const digest = createHash('sha256').update(zip).digest();
  return { name, zip, sha256: digest.toString('base64'), s3Key: `${name}/${digest.toString('hex').slice(0, 16)}.zip` };
}
