/**
 * `npm run build:functions`: writes every function's deployment package to
 * `build/functions/<function>/<hash>.zip`, the key the charts reference.
 * Upload before applying: `aws s3 sync build/functions/ s3://<artifact bucket>/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FUNCTION_SOURCES, functionPackage, type FunctionName } from '../functions/build';
import { REPO_ROOT } from '../lib/paths';

const out = join(REPO_ROOT, 'build', 'functions');
for (const name of Object.keys(FUNCTION_SOURCES) as FunctionName[]) {
  const { zip, s3Key, sha256 } = functionPackage(name);
  const file = join(out, s3Key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, zip);
  console.log(`${s3Key}  ${zip.length} bytes  sha256 ${sha256}`);
}
