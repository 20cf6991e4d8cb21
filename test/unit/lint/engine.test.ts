/**
 * The lint engine (R-L2, R-L3): acknowledgements, DeferredObject templates,
 * production detection, and the `npm run lint` command on files, folders and
 * standard input, in its three formats and with its exit codes.
 */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { sarifSchemaPath } from '../../../scripts/sarif-schema';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Log } from 'sarif';
import { REPO_ROOT } from '../../../lib/paths';
import { blocking, lint } from '../../../lint/engine';
import { loadManifests, parseManifests } from '../../../lint/load';
import { LintSet } from '../../../lint/objects';
import { sarifLog } from '../../../lint/report';
import { ALL_RULES, RULES } from '../../../lint/rules/index';
import { ack, lintManifests, ours } from '../../support/lint';

const byId = (id: string) => RULES.filter((r) => r.id === id);
const openSsh = (annotations: Record<string, string> = {}) =>
  ack('ec2', 'SecurityGroup', 'bastion', { name: 'bastion', description: 'd', ingressRules: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIP: '0.0.0.0/0' }] }] }, { annotations });

describe('acknowledgements (R-L2)', () => {
  test('R-L2 an acknowledgement with a reason keeps the finding in the report but out of the failures', () => {
    const findings = lintManifests([openSsh({ 'acknowledge.lint.ack-systems.io/ACKS-SG-003': 'break-glass bastion, closed by the on-call runbook after use' })], RULES);
    const finding = findings.find((f) => f.ruleId === 'ACKS-SG-003')!;
    expect(finding.acknowledged).toBe('break-glass bastion, closed by the on-call runbook after use');
    expect(blocking(findings).map((f) => f.ruleId)).not.toContain('ACKS-SG-003');
  });

  test('R-L2 an acknowledgement without a reason is itself an error, and acknowledges nothing', () => {
    const findings = lintManifests([openSsh({ 'acknowledge.lint.ack-systems.io/ACKS-SG-003': '' })], RULES);
    expect(blocking(findings).map((f) => f.ruleId).filter((id) => id !== 'ACKS-TAG-001').sort()).toEqual(['ACKS-LINT-001', 'ACKS-SG-003']);
    expect(findings.find((f) => f.ruleId === 'ACKS-LINT-001')!.message).toBe('acknowledges ACKS-SG-003 without a reason: write why the finding does not apply here (at least 10 characters)');
  });

  test('R-L2 an acknowledgement naming no rule is a warning (a typo acknowledges nothing)', () => {
    const findings = lintManifests([openSsh({ 'acknowledge.lint.ack-systems.io/ACKS-SG-03': 'break-glass bastion, closed after use' })], RULES);
    expect(findings.find((f) => f.ruleId === 'ACKS-LINT-002')).toMatchObject({ severity: 'warning', message: 'acknowledges ACKS-SG-03, which is not a rule (a typo, or a rule since renamed?)' });
    expect(findings.find((f) => f.ruleId === 'ACKS-SG-003')!.acknowledged).toBeUndefined();
  });
});

describe('what the engine reads (R-L1)', () => {
  test('R-L1 a DeferredObject\'s template is linted as the object the operator renders; its ${...} values are unknown, not wrong', () => {
    const deferred = ours('DeferredObject', 'loggroup-app', {
      inputs: [{ name: 'vpc', object: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', name: 'v' } }],
      template: { apiVersion: 'cloudwatchlogs.services.k8s.aws/v1alpha1', kind: 'LogGroup', metadata: { name: 'app', annotations: { 'services.k8s.aws/region': 'us-east-1' } }, spec: { name: '${vpc.status.vpcID}' } },
    });
    const findings = lintManifests([deferred], byId('ACKS-LOG-001'));
    expect(findings.map((f) => [f.object.name, f.object.deferredBy, f.message])).toEqual([['app', 'loggroup-app', 'no retention']]);
    const trail = ours('DeferredObject', 'trail-audit', {
      inputs: [],
      template: { apiVersion: 'cloudtrail.services.k8s.aws/v1alpha1', kind: 'Trail', metadata: { name: 'audit' }, spec: { kmsKeyID: '${key.status.ackResourceMetadata.arn}', isMultiRegionTrail: true, enableLogFileValidation: true } },
    });
    expect(lintManifests([trail], byId('ACKS-TRAIL-003'))).toEqual([]);
  });

  test('R-L1 production rules apply to objects (or namespaces) labelled ack-systems.io/tier: production', () => {
    const db = (labels: Record<string, string>) => ack('rds', 'DBInstance', 'db', { storageEncrypted: true, deletionProtection: false }, { labels });
    expect(lintManifests([db({ 'ack-systems.io/tier': 'production' })], byId('ACKS-RDS-005'))).toHaveLength(1);
    expect(lintManifests([db({ 'ack-systems.io/tier': 'non-production' })], byId('ACKS-RDS-005'))).toHaveLength(0);
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'ack-systems.io/tier': 'production' } } };
    expect(lintManifests([namespace, db({})], byId('ACKS-RDS-005'))).toHaveLength(1);
  });

  test('R-L3 a kubectl List (Kustomize and Helm output) is opened up; documents keep their line', () => {
    const text = `${stringify({ apiVersion: 'v1', kind: 'List', items: [openSsh(), openSsh()] })}---\n# comment\n${stringify(openSsh())}`;
    const documents = parseManifests(text, 'out.yaml');
    expect(documents).toHaveLength(3);
    expect(documents[2].source.line).toBeGreaterThan(documents[0].source.line);
  });
});

/** The official SARIF 2.1.0 schema (draft-04: its `id` and `$schema` are not ajv's dialect) as a validator. */
function sarifValidator() {
  const path = sarifSchemaPath();
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run testbin (it provides the SARIF schema)`);
  const { $schema: _, id: __, ...schema } = JSON.parse(readFileSync(path, 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addFormat('uri-reference', /^\S*$/);
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(schema);
}

describe('SARIF (R-L3)', () => {
  test('R-L3 the report of all of dist/ (findings, acknowledgements, every rule) is valid against the official SARIF 2.1.0 schema; a broken one is not', () => {
    const validate = sarifValidator();
    const log = sarifLog(lint(new LintSet(loadManifests([join(REPO_ROOT, 'dist')])), RULES), ALL_RULES);
    expect(log.runs[0].results!.some((r) => r.suppressions)).toBe(true);
    expect({ valid: validate(log), errors: validate.errors }).toEqual({ valid: true, errors: null });
    const broken = structuredClone(log) as any;
    broken.runs[0].results[0].level = 'fatal';
    delete broken.runs[0].tool.driver.name;
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath).sort()).toEqual(['/runs/0/results/0/level', '/runs/0/tool/driver']);
  });

  test('R-L3 one run whose driver lists every rule with its PCI and FSBP tags; results point at file and line; acknowledged ones carry their reason as a suppression', () => {
    const acknowledged = openSsh({ 'acknowledge.lint.ack-systems.io/ACKS-SG-003': 'break-glass bastion, closed after use' });
    const findings = lintManifests([openSsh(), { ...acknowledged, metadata: { ...acknowledged.metadata, name: 'other' } }], RULES);
    const log: Log = sarifLog(findings, ALL_RULES);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.rules!.map((r) => r.id)).toEqual(ALL_RULES.map((r) => r.id));
    expect(run.tool.driver.rules!.find((r) => r.id === 'ACKS-SG-003')!.properties!.tags).toEqual(['PCI-DSS-4.0.1/1.3.1', 'PCI-DSS-4.0.1/1.4.2', 'FSBP/EC2.18', 'FSBP/EC2.19']);
    const results = run.results!.filter((r) => r.ruleId === 'ACKS-SG-003');
    expect(results.map((r) => [r.level, r.locations![0].physicalLocation!.artifactLocation!.uri, r.locations![0].physicalLocation!.region!.startLine, r.suppressions?.[0]?.justification])).toEqual([
      ['error', 'test.yaml', 1, undefined],
      ['error', 'test.yaml', 2, 'break-glass bastion, closed after use'],
    ]);
    for (const result of run.results!) {
      expect(run.tool.driver.rules![result.ruleIndex!].id).toBe(result.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(result.level);
      expect(result.message.text).not.toBe('');
    }
  });
});

/** Runs `npm run lint` (its script) with `args`, feeding `input`; waits for `close` before reading output. */
function runLint(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['lint/main.ts', ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

describe('npm run lint (R-L3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-'));
  const clean = ack('ec2', 'SecurityGroup', 'web', { name: 'web', description: 'd', ingressRules: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: [{ cidrIP: '0.0.0.0/0' }] }], tags: [] });
  mkdirSync(join(dir, 'nested'));
  // A VPC without a flow log: a warning.
  const vpc = ack('ec2', 'VPC', 'v', { cidrBlocks: ['10.0.0.0/16'], tags: [{ key: 'Owner', value: 'me' }] });
  writeFileSync(join(dir, 'nested', 'bad.yaml'), `${stringify(openSsh())}---\n${stringify(clean)}---\n${stringify(vpc)}`);
  writeFileSync(join(dir, 'notes.txt'), 'not a manifest');

  test('R-L3 a folder is read recursively (YAML files only); errors exit 2, warnings add 4; text names file, line, rule and object', async () => {
    const { code, stdout } = await runLint([dir, '--required-tags', 'Owner']);
    expect(code).toBe(2 + 4);
    expect(stdout).toContain(`${join(dir, 'nested', 'bad.yaml')}:1: error ACKS-SG-003 SecurityGroup/shop/bastion spec.ingressRules[0]: admits 0.0.0.0/0 on tcp 22-22`);
    expect(stdout).toContain('error ACKS-TAG-001 SecurityGroup/shop/web spec.tags: missing Owner');
    expect(stdout).toContain('warning ACKS-NET-001 VPC/shop/v: no FlowLog of type VPC for it in its namespace and region');
    expect(stdout.trim().split('\n').pop()).toMatch(/^\d+ errors, \d+ warnings, 0 acknowledged$/);
  }, 60_000);

  test('R-L3 standard input (a pipe from kustomize build or helm template) as JSON', async () => {
    const { code, stdout } = await runLint(['--format', 'json', '-', '--required-tags', 'Owner'], stringify({ apiVersion: 'v1', kind: 'List', items: [openSsh(), vpc] }));
    const findings = JSON.parse(stdout);
    expect(findings.find((f: any) => f.rule === 'ACKS-SG-003')).toMatchObject({ file: '<stdin>', line: 1, kind: 'ec2.services.k8s.aws/SecurityGroup', name: 'bastion', severity: 'error', acknowledged: null });
    expect(code).toBe(6);
  }, 60_000);

  test('R-L3 SARIF on stdout; clean input exits 0; a bad command line exits 64 with the usage', async () => {
    const sarif = await runLint(['--format=sarif', '-', '--required-tags', 'Owner'], stringify({ ...clean, spec: { ...clean.spec, tags: [{ key: 'Owner', value: 'me' }] } }));
    expect(JSON.parse(sarif.stdout).runs[0].results).toEqual([]);
    expect(sarif.code).toBe(0);
    const bad = await runLint(['--format', 'xml', dir]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--format xml: use text, json or sarif');
    const missing = await runLint([join(dir, 'absent.yaml')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, `${join(dir, 'absent.yaml')}: no such file or folder`]);
  }, 60_000);
});
