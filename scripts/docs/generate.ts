/**
 * Everything under docs/ that the code knows: the references, the diagrams,
 * and the generated blocks inside written guides (between
 * `<!-- BEGIN GENERATED: <name> -->` and `<!-- END GENERATED: <name> -->`).
 * `npm run docs` writes them; `docs.test.ts` fails when a committed one is stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { App } from 'cdk8s';
import { writeBackTable } from '../../charts/ack-write-back';
import { buildEnvironment } from '../../charts/app';
import { OperatorMonitoringChart } from '../../charts/operator';
import type { SystemChart } from '../../charts/system-chart';
import { ACK_CONTROLLER_RELEASES } from '../../imports/ack-releases';
import { loadEnvironments } from '../../lib/config/load';
import { REPO_ROOT, specPath } from '../../lib/paths';
import { collectWarnings, WARNING_SUMMARIES, type Warning, type WarningId } from '../../lib/warnings';
import { architectureDot, DIAGRAM_LEGEND, type ManifestObject } from './architecture';
import { configurationReference } from './configuration';
import { coverageReference, testNames } from './coverage';
import { crdReference } from './crds';
import { lintRulesReference } from './lint-rules';

export const DOCS_DIR = join(REPO_ROOT, 'docs');
const CONFIG_DIR = join(REPO_ROOT, 'config');

interface RenderedSystems {
  readonly systems: readonly { environment: string; system: string; objects: ManifestObject[] }[];
  readonly warnings: readonly { environment: string; warnings: readonly Warning[] }[];
}

let rendered: RenderedSystems | undefined;

/** Every system of every committed environment, as synth renders it, and its warnings: built once for every page. */
function renderedSystems(): RenderedSystems {
  if (rendered) return rendered;
  const apps = loadEnvironments(CONFIG_DIR).map((environment) => ({ environment: environment.name, app: buildEnvironment(environment) }));
  rendered = {
    systems: apps.flatMap(({ environment, app }) => (app.charts as SystemChart[]).map((chart) => ({ environment, system: chart.system, objects: chart.toJson() as ManifestObject[] }))),
    warnings: apps.map(({ environment, app }) => ({ environment, warnings: collectWarnings(app) })),
  };
  return rendered;
}

/** `docs/diagrams/<env>/<system>.svg` for every system and environment. */
export async function diagrams(): Promise<Map<string, string>> {
  const graphviz = await Graphviz.load();
  return new Map(
    renderedSystems().systems.map(({ environment, system, objects }) => [
      join('diagrams', environment, `${system}.svg`),
      graphviz.dot(architectureDot(`${system} in ${environment}`, objects), 'svg'),
    ]),
  );
}

/** The ACK controllers the systems use, at the releases `imports/` was generated from, and how to install them. */
function ackControllersBlock(): string {
  const usedBy = new Map<string, Set<string>>();
  for (const { system, objects } of renderedSystems().systems) {
    for (const object of objects) {
      const group = object.apiVersion.split('/')[0];
      if (group.endsWith('.services.k8s.aws')) usedBy.set(group, (usedBy.get(group) ?? new Set()).add(system));
    }
  }
  const services = [...usedBy.keys()].sort().map((group) => ({ group, service: group.split('.')[0], ...ACK_CONTROLLER_RELEASES[group] }));
  return [
    '| controller | Helm chart version | used by |',
    '|---|---|---|',
    ...services.map(({ group, controller, release }) => `| \`${controller}\` | ${release.slice(1)} | ${[...usedBy.get(group)!].sort().join(', ')} |`),
    '',
    '```sh',
    'export ACK_SYSTEM_NAMESPACE=ack-system AWS_REGION=us-east-1',
    'aws ecr-public get-login-password --region us-east-1 | helm registry login --username AWS --password-stdin public.ecr.aws',
    `for chart in ${services.map(({ service, release }) => `${service}:${release.slice(1)}`).join(' ')}; do`,
    '  helm upgrade --install --create-namespace -n "$ACK_SYSTEM_NAMESPACE" "ack-${chart%%:*}-controller" \\',
    '    "oci://public.ecr.aws/aws-controllers-k8s/${chart%%:*}-chart" --version "${chart##*:}" --set aws.region="$AWS_REGION"',
    'done',
    '```',
  ].join('\n');
}

function diagramLegendBlock(): string {
  return ['| shape | what | ACK services |', '|---|---|---|', ...DIAGRAM_LEGEND.map(({ role, shape, services }) => `| ${shape} | ${role} | ${services.join(', ')} |`)].join('\n');
}

/** `{{ $labels.namespace }}` in an alert's text, as `NAMESPACE`. */
const labelsNamed = (text: string) => text.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, label: string) => label.toUpperCase());

/** The operator's alert rules, as `dist/operator/monitoring.k8s.yaml` holds them. */
function operatorAlertsBlock(): string {
  interface Rule {
    alert: string;
    for: string;
    labels: { severity: string };
    annotations: { summary: string; description: string };
  }
  const rules = new OperatorMonitoringChart(new App())
    .toJson()
    .filter((object) => object.kind === 'PrometheusRule')
    .flatMap((object) => (object.spec.groups as { rules: Rule[] }[]).flatMap((group) => group.rules));
  return rules
    .map((rule) => `### \`${rule.alert}\` (${rule.labels.severity}, after ${rule.for})\n\n${labelsNamed(rule.annotations.summary)}. ${labelsNamed(rule.annotations.description)}`)
    .join('\n\n');
}

/** Every synth warning and where the committed environments show it (which steps each still waits for). */
function warningsBlock(): string {
  const places = new Map<WarningId, Set<string>>();
  for (const { environment, warnings } of renderedSystems().warnings) {
    for (const warning of warnings) places.set(warning.id, (places.get(warning.id) ?? new Set()).add(`${environment}/${warning.path.split('/')[0]}`));
  }
  return [
    '| warning | meaning | in the committed environments |',
    '|---|---|---|',
    ...Object.entries(WARNING_SUMMARIES).map(([id, summary]) => `| \`${id}\` | ${summary} | ${[...(places.get(id as WarningId) ?? [])].sort().join(', ') || '—'} |`),
  ].join('\n');
}

/** Generated blocks by name, for the written guides that embed them. */
const BLOCKS: Readonly<Record<string, () => string>> = {
  'ack-controllers': ackControllersBlock,
  'ack-write-back': writeBackTable,
  'diagram-legend': diagramLegendBlock,
  'operator-alerts': operatorAlertsBlock,
  warnings: warningsBlock,
};

const BLOCK = /(<!-- BEGIN GENERATED: ([\w-]+) -->)[\s\S]*?(<!-- END GENERATED: \2 -->)/g;

/** `text` with every generated block it holds brought up to date. */
export function withGeneratedBlocks(file: string, text: string): string {
  return text.replace(BLOCK, (_, begin: string, name: string, end: string) => {
    const block = BLOCKS[name];
    if (!block) throw new Error(`${file}: no generated block named "${name}" (known: ${Object.keys(BLOCKS).join(', ')})`);
    return `${begin}\n${block()}\n${end}`;
  });
}

/** The written guides that hold generated blocks, relative to docs/. */
export const GUIDES_WITH_BLOCKS = ['getting-started.md', 'configuration.md', 'systems/README.md', 'operator.md', 'gitops.md'];

/** Every generated file's content, keyed by its path below docs/. */
export async function generatedDocs(): Promise<Map<string, string>> {
  const files = new Map<string, string>([
    [join('reference', 'configuration.md'), configurationReference()],
    [join('reference', 'crds.md'), crdReference()],
    [join('reference', 'lint-rules.md'), lintRulesReference()],
    [join('reference', 'coverage.md'), coverageReference(readFileSync(specPath(), 'utf8'), testNames())],
    ...(await diagrams()),
  ]);
  for (const guide of GUIDES_WITH_BLOCKS) files.set(guide, withGeneratedBlocks(guide, readFileSync(join(DOCS_DIR, guide), 'utf8')));
  return files;
}
