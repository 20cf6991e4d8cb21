/**
 * The folder synth writes (`dist/` by default), replaced whole on every run,
 * and the guard that keeps that from destroying anything else: synth replaces
 * only an empty or missing folder, or one that a previous synth wrote (it
 * carries the marker file, written last), and never the config folder, the
 * repository, or a folder containing either.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** Written last into every synth output; its presence says "synth may replace this folder". */
export const SYNTH_MARKER = '.ack-systems-synth';

/** The folder to write is not one synth may replace; nothing was written. */
export class OutputFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFolderError';
  }
}

export interface OutputFolderGuard {
  /** How the user named the output folder, for messages (`--out`, `OUT_DIR`). */
  readonly label: string;
  /** Folders the output may be neither nor contain, each with what it is. */
  readonly protectedFolders: readonly { readonly path: string; readonly what: string }[];
}

/** Why synth may not replace `outDir`, or undefined when it may. */
export function outputFolderProblem(outDir: string, guard: OutputFolderGuard): string | undefined {
  const out = canonical(outDir);
  for (const { path, what } of guard.protectedFolders) {
    const protectedPath = canonical(path);
    if (protectedPath === out) return `${guard.label} ${outDir} is ${what}; synth replaces its output folder whole: choose another folder, e.g. dist`;
    if (isInside(protectedPath, out)) return `${guard.label} ${outDir} contains ${what} (${relative(out, protectedPath)}); synth replaces its output folder whole: choose another folder, e.g. dist`;
  }
  if (!existsSync(out)) return undefined;
  if (!lstatSync(out).isDirectory()) return `${guard.label} ${outDir} is a file, not a folder`;
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(SYNTH_MARKER)) {
    return `${guard.label} ${outDir} holds files synth did not write (no ${SYNTH_MARKER} marker) and would be replaced whole: choose an empty or new folder, or a previous synth output`;
  }
  return undefined;
}

/**
 * Writes `files` into a sibling folder, the marker last, then swaps it into
 * place, so that `outDir` is either the old output or the whole new one.
 */
export function replaceFolder(outDir: string, files: ReadonlyMap<string, string>): void {
  const staging = join(dirname(outDir), `.${basename(outDir)}-new-${process.pid}`);
  const previous = join(dirname(outDir), `.${basename(outDir)}-old-${process.pid}`);
  try {
    for (const [path, text] of files) {
      mkdirSync(dirname(join(staging, path)), { recursive: true });
      writeFileSync(join(staging, path), text);
    }
    writeFileSync(join(staging, SYNTH_MARKER), markerText(files));
    const hadOutput = existsSync(outDir);
    if (hadOutput) renameSync(outDir, previous);
    try {
      renameSync(staging, outDir);
    } catch (error) {
      if (hadOutput) renameSync(previous, outDir);
      throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(previous, { recursive: true, force: true });
  }
}

/** What the marker says: who wrote the folder, and the files it holds (no timestamp: dist/ stays reproducible). */
export function markerText(files: ReadonlyMap<string, string>): string {
  return ['Written by `npm run synth`, which replaces this whole folder on every run. Files:', ...[...files.keys()].sort().map((path) => `  ${path}`), ''].join('\n');
}

/** The absolute path with symbolic links resolved, as far as the path exists. */
function canonical(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return join(realpathSync(existing), relative(existing, absolute));
}

function isInside(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}
