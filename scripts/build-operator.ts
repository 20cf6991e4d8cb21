/**
 * `npm run build:operator`: bundles the operator and every dependency into
 * one file, `build/operator.mjs`, so that the container image needs Node and
 * nothing else: no node_modules, no npm, no package scripts at run time.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { ESM_REQUIRE_BANNER } from '../lib/esm';
import { OPERATOR_BUNDLE, REPO_ROOT } from '../lib/paths';

await build({
  entryPoints: [resolve(REPO_ROOT, 'operator', 'main.ts')],
  outfile: OPERATOR_BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  banner: { js: ESM_REQUIRE_BANNER },
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`bundled the operator into ${OPERATOR_BUNDLE}`);
