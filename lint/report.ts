/**
 * The three ways a run is reported: text for people, JSON for tools, and
 * SARIF 2.1.0 for code scanning (GitHub shows each result on its file and
 * line). Acknowledged findings are listed with their reason, never hidden.
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import packageJson from '../package.json' with { type: 'json' };
import type { Finding } from './engine';
import type { Rule } from './rule';

export type Format = 'text' | 'json' | 'sarif';

const label = (f: Finding) => `${f.object.kind.split('/').pop()}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}${f.object.deferredBy ? ` (rendered by DeferredObject ${f.object.deferredBy})` : ''}`;

export function textReport(findings: readonly Finding[]): string {
  const lines = findings.map(
    (f) =>
      `${f.object.source.file}:${f.object.source.line}: ${f.acknowledged ? 'acknowledged' : f.severity} ${f.ruleId} ${label(f)}${f.path ? ` ${f.path}` : ''}: ${f.message}${f.acknowledged ? ` — reason: ${f.acknowledged}` : ''}`,
  );
  const count = (severity: string) => findings.filter((f) => f.severity === severity && !f.acknowledged).length;
  const acknowledged = findings.filter((f) => f.acknowledged).length;
  return [...lines, `${count('error')} errors, ${count('warning')} warnings, ${acknowledged} acknowledged`].join('\n');
}

export function jsonReport(findings: readonly Finding[]): string {
  return JSON.stringify(
    findings.map((f) => ({
      rule: f.ruleId,
      severity: f.severity,
      acknowledged: f.acknowledged ?? null,
      file: f.object.source.file,
      line: f.object.source.line,
      kind: f.object.kind,
      namespace: f.object.namespace ?? null,
      name: f.object.name,
      renderedBy: f.object.deferredBy ?? null,
      path: f.path ?? null,
      message: f.message,
    })),
    null,
    2,
  );
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * SARIF 2.1.0: one run, the rules as the tool's driver rules, each finding a
 * result at its file and line; acknowledged findings carry an in-source
 * suppression with the reason. Typed with `@types/sarif` (the schema's types).
 */
export function sarifLog(findings: readonly Finding[], rules: readonly Rule[]): Log {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ack-systems-lint',
            version: packageJson.version,
            informationUri: 'https://github.com/ack-systems/ack-systems/blob/main/docs/reference/lint-rules.md',
            rules: rules.map((r): ReportingDescriptor => ({
              id: r.id,
              name: r.id.replace(/-/g, ''),
              shortDescription: { text: r.description },
              fullDescription: { text: r.rationale },
              help: { text: `Fix: ${r.fix}` },
              defaultConfiguration: { level: r.severity },
              properties: { tags: [...r.pci.map((p) => `PCI-DSS-4.0.1/${p}`), ...r.fsbp.map((c) => `FSBP/${c}`)], ...(r.source ? { source: r.source } : {}) },
            })),
          },
        },
        results: findings.map((f): Result => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: f.severity,
          message: { text: `${label(f)}${f.path ? ` ${f.path}` : ''}: ${f.message}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.object.source.file.replace(/^\.\//, '') }, region: { startLine: f.object.source.line } } }],
          ...(f.acknowledged ? { suppressions: [{ kind: 'inSource', justification: f.acknowledged }] } : {}),
        })),
      },
    ],
  };
}

export function sarifReport(findings: readonly Finding[], rules: readonly Rule[]): string {
  return JSON.stringify(sarifLog(findings, rules), null, 2);
}
