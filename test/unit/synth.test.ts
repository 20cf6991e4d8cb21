/**
 * The main job: `npm run synth` over the committed config, and what it does with
 * bad config.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { ACCOUNT_MAP_FILE, ARGOCD_HEALTH_FILE, renderAccountMap, renderArgoCdHealth, renderEnvironment, renderOperator, synthesize } from '../../charts/app';
import { markerText, OutputFolderError, SYNTH_MARKER } from '../../charts/output-folder';
import { SYSTEM_NAMES } from '../../charts/index';
import { loadEnvironments } from '../../lib/config/load';
import { ConfigError } from '../../lib/errors';
import { rule } from '../../lint/rule';
import { REPO_ROOT } from '../../lib/paths';
import { rawEnvironment } from '../support/fixtures';

const CONFIG_DIR = join(REPO_ROOT, 'config');
const DIST = join(REPO_ROOT, 'dist');

/** Every file below `dir` → its text. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An output folder with content that must survive a failed synth. */
function existingDist(): string {
  const out = join(tempDir('dist-parent-'), 'dist');
  cpSync(DIST, out, { recursive: true });
  writeFileSync(join(out, 'KEEP.txt'), 'previous synth');
  return out;
}

function badConfigDir(): string {
  const dir = tempDir('config-');
  const raw = rawEnvironment();
  raw.systems['vpc-peering'].analytics.vpcCIDR = '10.0.0.0/16';
  raw.systems['vpc-peering'].payment.vpcID = 'vpc-pay123';
  writeFileSync(join(dir, 'prod.yaml'), stringify(raw));
  writeFileSync(join(dir, 'dev.yaml'), stringify({ ...rawEnvironment(), environmentSuffix: 'Dev!' }));
  return dir;
}

describe('synth of the committed configuration (R-G11)', () => {
  const environments = loadEnvironments(CONFIG_DIR);
  const rendered = environments.map((env) => renderEnvironment(env));

  test('R-G11 R-O4 the committed dist/ is exactly a fresh synth, systems and operator, marked as synth output (regenerate with `npm run synth`)', () => {
    const files = new Map([
      ...rendered.flatMap((env) => [...env.files]),
      [ACCOUNT_MAP_FILE, renderAccountMap(environments)],
      ...renderOperator(),
      [ARGOCD_HEALTH_FILE, renderArgoCdHealth(rendered.flatMap((env) => env.ackKinds))],
    ]);
    expect(snapshot(DIST)).toEqual({ ...Object.fromEntries(files), [SYNTH_MARKER]: markerText(files) });
  });

  test('R-G11 one file per system and environment: dist/<env>/<system>.k8s.yaml', () => {
    const expected = environments.flatMap((env) => SYSTEM_NAMES.map((system) => join(env.name, `${system}.k8s.yaml`))).sort();
    expect(rendered.flatMap((env) => [...env.files.keys()].filter((file) => !file.startsWith('argocd/'))).sort()).toEqual(expected);
    expect(environments.map((env) => env.name)).toEqual(['dev', 'prod', 'staging']);
  });

  test('R-G11 synth is deterministic byte for byte', () => {
    const again = loadEnvironments(CONFIG_DIR).map((env) => renderEnvironment(env));
    expect(again.map((env) => [...env.files])).toEqual(rendered.map((env) => [...env.files]));
  });

  test('R-G11 every system file starts with its namespace', () => {
    for (const env of rendered) {
      for (const [file, text] of env.files) {
        if (file.startsWith('argocd/')) continue;
        const docs = parseAllDocuments(text).map((doc) => doc.toJS());
        expect(docs[0].kind).toBe('Namespace');
        expect(docs.slice(1).every((doc) => doc.metadata.namespace === docs[0].metadata.name)).toBe(true);
      }
    }
  });

  test('R-G11 synthesize() writes the files into the output folder and replaces what was there', () => {
    const out = existingDist();
    synthesize({ configDir: CONFIG_DIR, outDir: out });
    expect(snapshot(out)).toEqual(snapshot(DIST));
    expect(existsSync(join(out, 'KEEP.txt'))).toBe(false);
    expect(readdirSync(join(out, '..'))).toEqual(['dist']);
  });
});

describe('lint on every synth (R-L3)', () => {
  /** A rule no committed object passes: every VPC must be named "nowhere". */
  const strict = rule({
    id: 'ACKS-TEST-001',
    severity: 'error',
    kinds: ['ec2.services.k8s.aws/VPC'],
    description: 'test rule',
    rationale: 'a rule the committed charts break, to see synth stop',
    fix: 'name the VPC nowhere',
    pci: [],
    fsbp: [],
    *check(object) {
      if (object.name !== 'nowhere') yield { path: 'metadata.name', message: `${object.name} is not nowhere` };
    },
  });

  test('R-L3 an error of the lint rules fails synth like a configuration problem: every one listed with file, object and fix, nothing written', () => {
    const out = existingDist();
    const before = snapshot(out);
    let thrown: unknown;
    try {
      synthesize({ configDir: CONFIG_DIR, outDir: out, lintRules: [strict] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const { problems, message } = thrown as ConfigError;
    expect(message).toMatch(/^\d+ lint errors; nothing was written:/);
    expect(problems.length).toBeGreaterThan(10);
    expect(problems).toContainEqual({
      file: expect.stringMatching(/^dist\/prod\/multi-region-app\.k8s\.yaml:\d+$/),
      path: 'VPC multi-region-app-prod/primary-vpc metadata.name',
      message: 'ACKS-TEST-001: primary-vpc is not nowhere. Fix: name the VPC nowhere (or acknowledge it with a reason: acknowledge.lint.ack-systems.io/ACKS-TEST-001)',
    });
    expect(snapshot(out)).toEqual(before);
  });

  test('R-L3 R-L2 the committed charts pass every rule: their few findings are warnings or acknowledged with a reason', () => {
    const findings = loadEnvironments(CONFIG_DIR).flatMap((env) => renderEnvironment(env).findings);
    expect(findings.filter((f) => f.severity === 'error' && !f.acknowledged)).toEqual([]);
    expect(findings.filter((f) => f.acknowledged).map((f) => f.ruleId).sort()).toEqual(expect.arrayContaining(['ACKS-CONV-010', 'ACKS-REF-002']));
  });
});

describe('bad configuration (R-G1)', () => {
  test('R-G1 synthesize() throws every problem and leaves dist/ exactly as it was', () => {
    const out = existingDist();
    const before = snapshot(out);
    const configDir = badConfigDir();
    expect(() => synthesize({ configDir, outDir: out })).toThrow(ConfigError);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(join(out, '..'))).toEqual(['dist']);
  });

  test('R-G1 the CLI exits 1, lists every problem with file, field, value and fix, and leaves dist/ untouched', () => {
    const out = existingDist();
    const before = snapshot(out);
    const configDir = badConfigDir();
    const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CONFIG_DIR: configDir, OUT_DIR: out },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    const shown = (name: string) => relative(REPO_ROOT, join(configDir, name));
    expect(result.stderr).toBe(
      [
        '4 configuration problems; nothing was written:',
        `  ${shown('dev.yaml')}: environmentSuffix: "Dev!" is not allowed; allowed: lowercase letters, digits and dashes, starting and ending with a letter or digit, at most 16 characters (got "Dev!")`,
        `  ${shown('prod.yaml')}: systems.vpc-peering.payment.vpcID: expected a VPC ID: "vpc-" followed by 8 or 17 lowercase hex digits, e.g. vpc-0123456789abcdef0 (got "vpc-pay123")`,
        `  ${shown('prod.yaml')}: systems.vpc-peering.analytics.vpcCIDR: overlaps payment.vpcCIDR 10.0.0.0/16; peered VPCs need disjoint CIDR blocks (got "10.0.0.0/16")`,
        `  ${shown('prod.yaml')}: systems.vpc-peering.analytics.apiSubnetCIDR: must lie inside analytics.vpcCIDR 10.0.0.0/16 (got "10.1.2.0/24")`,
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe('');
    expect(snapshot(out)).toEqual(before);
  }, 30_000);

  test('R-G1 the CLI takes --config-dir and --out, prints warnings and writes the files', () => {
    const out = join(tempDir('cli-'), 'dist');
    const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts', '--config-dir', CONFIG_DIR, '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^warning TARGET-GROUP-PENDING: nothing registers targets \(ECS service, Auto Scaling group\) until the target group ARN is in config — staging\/payment-processing, staging\/multi-region-app \(2\)$/m);
    expect(result.stderr).toMatch(/^warning ROUTE-TABLE-OWNED: .* — dev\/vpc-peering \(2\), prod\/vpc-peering \(4\), staging\/vpc-peering \(2\)$/m);
    expect(result.stdout).toBe(`synthesized ${Object.keys(snapshot(DIST)).length - 1} files for 3 environments and the operator into ${out}\n`);
    expect(snapshot(out)).toEqual(snapshot(DIST));
  }, 30_000);

  test('R-O4 the CLI takes --operator-image for dist/operator/ and rejects a malformed one, writing nothing', () => {
    const out = existingDist();
    const before = snapshot(out);
    const cli = (image: string) => spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts', '--out', out, '--operator-image', image], { cwd: REPO_ROOT, encoding: 'utf8' });
    const bad = cli('operator:latest');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('operator: image "operator:latest" must be <registry>/<repository>:<tag> or @sha256:<digest>');
    expect(snapshot(out)).toEqual(before);
    expect(cli('registry.example.com/platform/ack-operator:1.2.3').status).toBe(0);
    expect(readFileSync(join(out, 'operator', 'operator.k8s.yaml'), 'utf8')).toContain('image: registry.example.com/platform/ack-operator:1.2.3');
  }, 30_000);
});

describe('each kind of bad configuration leaves dist/ untouched (R-G1)', () => {
  test.each([
    ['overlapping CIDRs', (raw: any) => (raw.systems['vpc-peering'].analytics.vpcCIDR = '10.0.0.0/16'), 'systems.vpc-peering.analytics.vpcCIDR: overlaps payment.vpcCIDR'],
    ['a malformed VPC ID', (raw: any) => (raw.systems['vpc-peering'].payment.vpcID = 'vpc-pay123'), 'systems.vpc-peering.payment.vpcID: expected a VPC ID'],
    ['an illegal environment suffix', (raw: any) => (raw.environmentSuffix = 'Prod_1'), 'environmentSuffix: "Prod_1" is not allowed'],
    ['a missing required field', (raw: any) => delete raw.awsAccountID, 'awsAccountID: required (string)'],
  ])('R-G1 %s: a clear error, and dist/ as it was', (_case, edit, message) => {
    const out = existingDist();
    const before = snapshot(out);
    const configDir = tempDir('config-');
    const raw = rawEnvironment();
    edit(raw);
    writeFileSync(join(configDir, 'prod.yaml'), stringify(raw));
    expect(() => synthesize({ configDir, outDir: out })).toThrow(message);
    expect(snapshot(out)).toEqual(before);
  });
});

describe('the output folder is never something else (data loss)', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

  test.each([
    ['the repository', () => REPO_ROOT, '--out', 'is the repository'],
    ['a folder containing the repository', () => join(REPO_ROOT, '..'), '--out', 'contains the repository'],
    ['the config folder', () => CONFIG_DIR, '--out', 'is the config folder (--config-dir)'],
  ])('--out %s is refused before anything is read or written', (_case, target, label, message) => {
    const out = target();
    const before = snapshot(CONFIG_DIR);
    expect(() => synthesize({ configDir: CONFIG_DIR, outDir: out })).toThrow(new RegExp(`^${label} .* ${message.replace(/[()]/g, '\\$&')}`));
    expect(snapshot(CONFIG_DIR)).toEqual(before);
    expect(existsSync(join(REPO_ROOT, '.git'))).toBe(true);
  });

  test('a non-empty folder synth did not write is refused; an empty one, a new one and a previous output are fine', () => {
    const foreign = tempDir('foreign-');
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expect(() => synthesize({ configDir: CONFIG_DIR, outDir: foreign })).toThrow(OutputFolderError);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    const fresh = join(tempDir('new-'), 'dist');
    synthesize({ configDir: CONFIG_DIR, outDir: fresh });
    expect(existsSync(join(fresh, SYNTH_MARKER))).toBe(true);
    synthesize({ configDir: CONFIG_DIR, outDir: fresh });
    const empty = tempDir('empty-');
    expect(() => synthesize({ configDir: CONFIG_DIR, outDir: empty })).not.toThrow();
  });

  test('the CLI names the flag or variable the user gave, exits 1 and writes nothing', () => {
    const byFlag = cli(['--out', '.']);
    expect(byFlag.status).toBe(1);
    expect(byFlag.stderr).toBe(`--out . is the repository; synth replaces its output folder whole: choose another folder, e.g. dist\n`);
    const byEnv = cli([], { OUT_DIR: CONFIG_DIR });
    expect(byEnv.stderr).toMatch(/^OUT_DIR .*config is the config folder \(--config-dir\)/);
    expect(existsSync(join(REPO_ROOT, '.git'))).toBe(true);
  }, 60_000);
});

describe('the synth command line', () => {
  const cli = (...args: string[]) => spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  test('--help and -h print the usage and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const result = cli(flag);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: npm run synth -- \[options\]\n  --config-dir <dir>/);
    }
  }, 60_000);

  test.each([
    [['--ouput', 'x'], 'unknown option --ouput'],
    [['--out'], '--out needs a value'],
    [['dist'], 'unexpected argument "dist"; options start with --'],
  ])('%p: one line and the usage, exit 2, no stack trace', (args, message) => {
    const result = cli(...args);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stderr).toContain('Usage: npm run synth');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
