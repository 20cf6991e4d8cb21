/**
 * The command-line grammar both commands (`npm run synth`, the operator)
 * share: `--flag value`, `--flag=value`, bare `--flag` for booleans
 * (`--flag=false` to turn one off), `-h`/`--help`. Anything else is a
 * UsageError with one line that names what the user typed; the command prints
 * it with its usage and exits 2.
 */

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
}

/** A command line that cannot be understood; the message is one line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedFlags<Name extends string> {
  readonly help: boolean;
  /** Strings as given; booleans as `true`/`false`. Only flags present on the command line. */
  readonly values: Partial<Record<Name, string | boolean>>;
  /** Arguments that are not options (only when the command takes them), in order; `-` is one. */
  readonly positionals: readonly string[];
}

export function parseFlags<Name extends string>(args: readonly string[], spec: Readonly<Record<Name, FlagSpec>>, options: { readonly positionals?: boolean } = {}): ParsedFlags<Name> {
  const values: Partial<Record<Name, string | boolean>> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') return { help: true, values, positionals };
    if (options.positionals && (arg === '-' || !arg.startsWith('-'))) {
      positionals.push(arg);
      continue;
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(arg.startsWith('-') ? `unknown option ${shown(arg)}` : `unexpected argument ${shown(arg)}; options start with --`);
    const [, name, inline] = match;
    if (!(name in spec)) throw new UsageError(`unknown option --${name}`);
    const flag = name as Name;
    if (flag in values) throw new UsageError(`--${name} is given twice`);
    if (spec[flag].type === 'boolean') {
      if (inline === undefined) values[flag] = true;
      else if (inline === 'true' || inline === 'false') values[flag] = inline === 'true';
      else throw new UsageError(`--${name} is true or false, got ${shown(inline)}`);
      continue;
    }
    const value = inline ?? args[i + 1];
    // A following option is not a value ("--out --verbose"); "-3" is (numbers are checked later, naming the flag).
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (value === '') throw new UsageError(`--${name} needs a value, got an empty one`);
    if (inline === undefined) i++;
    values[flag] = value;
  }
  return { help: false, values, positionals };
}

/** Characters a terminal would not show: controls, zero-width and direction marks, the BOM. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Quotes a value, escaping invisible and control characters so that the user sees them. */
export function shown(value: string): string {
  return escapeInvisible(JSON.stringify(value));
}

/** Writes characters a terminal would not show as `\\uXXXX`. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
