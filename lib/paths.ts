import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in `<root>/lib`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Folder with the ACK CRDs, read only by `npm run import` and by tests, never
 * by synth. Override with ACK_CRDS_DIR.
 */
export function ackCrdsDir(): string {
  return resolve(process.env.ACK_CRDS_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'ack-crds'));
}

/**
 * The requirement catalogue the coverage reference is built from (requirement
 * IDs and their text). Override with SPEC_PATH.
 */
export function specPath(): string {
  return resolve(process.env.SPEC_PATH ?? resolve(REPO_ROOT, '..', 'shared', 'SPEC.md'));
}

/** The operator bundled into one file by `npm run build:operator`: what the image runs. */
export const OPERATOR_BUNDLE = resolve(REPO_ROOT, 'build', 'operator.mjs');
