/**
 * The shared command-line grammar (issue 9: one line per mistake, naming what the user typed).
 */
import { describe, expect, test } from '@jest/globals';
import { parseFlags, UsageError } from '../../lib/cli';

const spec = { out: { type: 'string' }, verbose: { type: 'boolean' }, concurrency: { type: 'string' } } as const;
const parse = (...args: string[]) => parseFlags(args, spec);

describe('command lines', () => {
  test('--flag value, --flag=value, bare and explicit booleans', () => {
    expect(parse('--out', 'dist', '--verbose', '--concurrency=3').values).toEqual({ out: 'dist', verbose: true, concurrency: '3' });
    expect(parse('--verbose=false').values).toEqual({ verbose: false });
    expect(parse().values).toEqual({});
  });

  test('-h and --help ask for the usage', () => {
    expect(parse('-h').help).toBe(true);
    expect(parse('--out', 'x', '--help').help).toBe(true);
  });

  test('a negative number is a value, left for the flag\'s own check', () => {
    expect(parse('--concurrency', '-3').values).toEqual({ concurrency: '-3' });
  });

  test.each([
    [['--outt', 'x'], 'unknown option --outt'],
    [['-o', 'x'], 'unknown option "-o"'],
    [['dist'], 'unexpected argument "dist"; options start with --'],
    [['--out'], '--out needs a value'],
    [['--out', '--verbose'], '--out needs a value'],
    [['--out='], '--out needs a value, got an empty one'],
    [['--verbose=yes'], '--verbose is true or false, got "yes"'],
    [['--out', 'a', '--out', 'b'], '--out is given twice'],
    [['--out\u200b', 'x'], 'unknown option "--out\\u200b"'],
  ])('%p is refused with one line: %s', (args, message) => {
    expect(() => parse(...args)).toThrow(new UsageError(message));
  });
});
