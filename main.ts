/**
 * `npm run synth`: writes `dist/<environment>/<system>.k8s.yaml` for every
 * environment in the config folder.
 *
 *   --config-dir <dir>  (or CONFIG_DIR)  environment files; default `config`
 *   --out <dir>         (or OUT_DIR)     output folder; default `dist`
 *   --operator-image <ref> (or OPERATOR_IMAGE) the operator's image in
 *                       `dist/operator/`; default DEFAULT_OPERATOR_IMAGE
 *
 * Exit code 1, with every problem listed and `dist/` untouched, on bad config.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesize } from './charts/app';
import { ConfigError, ValidationError } from './lib/errors';
import { REPO_ROOT } from './lib/paths';

const { values } = parseArgs({ options: { 'config-dir': { type: 'string' }, out: { type: 'string' }, 'operator-image': { type: 'string' } } });
const configDir = resolve(values['config-dir'] ?? process.env.CONFIG_DIR ?? resolve(REPO_ROOT, 'config'));
const outDir = resolve(values.out ?? process.env.OUT_DIR ?? resolve(REPO_ROOT, 'dist'));

try {
  const { environments, files } = synthesize({ configDir, outDir, operator: { image: values['operator-image'] ?? process.env.OPERATOR_IMAGE } });
  for (const env of environments) {
    for (const warning of env.warnings) console.warn(`warning ${warning.id} [${env.environment}] ${warning.path}: ${warning.message}`);
  }
  console.log(`synthesized ${files.size} files for ${environments.length} environments and the operator into ${outDir}`);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof ValidationError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
