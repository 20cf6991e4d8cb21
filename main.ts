/**
 * `npm run synth`: writes `dist/<environment>/<system>.k8s.yaml` for every
 * environment in the config folder, and the operator's `dist/operator/`.
 * Usage: `npm run synth -- --help`.
 *
 * Exit codes: 0 written; 1 bad configuration or output folder (every problem
 * listed, nothing written); 2 a command line it does not understand.
 */
import { resolve } from 'node:path';
import { synthesize } from './charts/app';
import { DEFAULT_OPERATOR_IMAGE } from './charts/operator';
import { OutputFolderError } from './charts/output-folder';
import { parseFlags, UsageError } from './lib/cli';
import { ConfigError, ValidationError } from './lib/errors';
import { REPO_ROOT } from './lib/paths';
import { groupWarnings } from './lib/warnings';

const USAGE = `Usage: npm run synth -- [options]
  --config-dir <dir>      environment files, one <environment>.yaml each  (env CONFIG_DIR; default config/)
  --out <dir>             output folder, replaced whole on every run      (env OUT_DIR; default dist/)
  --operator-image <ref>  the operator image in dist/operator/            (env OPERATOR_IMAGE; default ${DEFAULT_OPERATOR_IMAGE})
  --verbose               every warning in full, not one line per kind
  -h, --help              this text`;

const FLAGS = { 'config-dir': { type: 'string' }, out: { type: 'string' }, 'operator-image': { type: 'string' }, verbose: { type: 'boolean' } } as const;

/** A value from its flag, else its environment variable, else the default; with how the user named it. */
function setting(flag: string | undefined, name: string, variable: string, fallback?: string): { value?: string; label: string } {
  if (flag !== undefined) return { value: flag, label: `--${name}` };
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, label: variable };
  return { value: fallback, label: `--${name}` };
}

let parsed;
try {
  parsed = parseFlags(process.argv.slice(2), FLAGS);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}

const { values } = parsed;
const configDir = setting(values['config-dir'] as string | undefined, 'config-dir', 'CONFIG_DIR', resolve(REPO_ROOT, 'config'));
const outDir = setting(values.out as string | undefined, 'out', 'OUT_DIR', resolve(REPO_ROOT, 'dist'));
const image = setting(values['operator-image'] as string | undefined, 'operator-image', 'OPERATOR_IMAGE');

try {
  const { environments, files } = synthesize({
    configDir: configDir.value!,
    outDir: outDir.value!,
    operator: { image: image.value },
    labels: { configDir: configDir.label, outDir: outDir.label },
  });
  if (values.verbose) {
    for (const env of environments) for (const warning of env.warnings) console.warn(`warning ${warning.id} [${env.environment}] ${warning.path}: ${warning.message}`);
  } else {
    const lines = groupWarnings(environments);
    for (const line of lines) console.warn(line);
    if (lines.length > 0) console.warn('(--verbose for every warning in full)');
  }
  const findings = environments.flatMap((env) => env.findings);
  const warned = findings.filter((f) => f.severity === 'warning' && !f.acknowledged).length;
  const acknowledged = findings.filter((f) => f.acknowledged).length;
  if (warned + acknowledged > 0) console.warn(`lint: ${warned} warnings, ${acknowledged} acknowledged (npm run lint -- ${outDir.value === resolve(REPO_ROOT, 'dist') ? 'dist/' : outDir.value} lists them)`);
  console.log(`synthesized ${files.size} files for ${environments.length} environments and the operator into ${resolve(outDir.value!)}`);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof ValidationError || error instanceof OutputFolderError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
