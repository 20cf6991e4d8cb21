/**
 * `npm run lint -- [options] <files or folders | ->`: checks ACK manifests
 * (any, not only this project's) against the rules (docs/reference/lint-rules.md).
 *
 * Exit codes add up as cfn-lint's do: 0 clean; 2 errors; 4 warnings (6 both);
 * acknowledged findings count for neither. 1: the input could not be read;
 * 64: a command line it does not understand.
 */
import { readFileSync } from 'node:fs';
import { parseFlags, UsageError } from '../lib/cli';
import { blocking, lint } from './engine';
import { LoadError, loadManifests } from './load';
import { LintSet } from './objects';
import { jsonReport, sarifReport, textReport, type Format } from './report';
import { ALL_RULES, RULES } from './rules/index';

const USAGE = `Usage: npm run lint -- [options] <file or folder>... ('-' reads standard input)
  --format <text|json|sarif>  report format                                  (default text)
  --production                treat every object as production (default: objects or namespaces labelled ack-systems.io/tier: production)
  --required-tags <k,k,...>   tag keys every AWS resource must carry        (default the SPEC's R-G3 set)
  -h, --help                  this text
Exit codes: 0 clean, 2 errors, 4 warnings (6 both), 1 unreadable input, 64 bad command line.`;

const FLAGS = { format: { type: 'string' }, production: { type: 'boolean' }, 'required-tags': { type: 'string' } } as const;

let parsed;
try {
  parsed = parseFlags(process.argv.slice(2), FLAGS, { positionals: true });
  const format = parsed.values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format as string)) throw new UsageError(`--format ${format}: use text, json or sarif`);
  if (parsed.positionals.length === 0 && !parsed.help) throw new UsageError('name at least one file or folder (or - for standard input)');
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(64);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}

const format = (parsed.values.format ?? 'text') as Format;
let documents;
try {
  documents = loadManifests(parsed.positionals, () => readFileSync(0, 'utf8'));
} catch (error) {
  if (!(error instanceof LoadError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const requiredTags = (parsed.values['required-tags'] as string | undefined)?.split(',').map((t) => t.trim()).filter(Boolean);
const findings = lint(new LintSet(documents, { production: parsed.values.production ? true : undefined, requiredTags }), RULES);
console.log(format === 'json' ? jsonReport(findings) : format === 'sarif' ? sarifReport(findings, ALL_RULES) : textReport(findings));
const warnings = findings.some((f) => f.severity === 'warning' && !f.acknowledged);
process.exitCode = (blocking(findings).length > 0 ? 2 : 0) + (warnings ? 4 : 0);
