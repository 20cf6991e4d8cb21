/**
 * Synthesizes every system for every environment into
 * `dist/<environment>/<system>.k8s.yaml` (R-G11), and the operator's
 * deployment into `dist/operator/` (R-O4).
 *
 * Everything is rendered in memory first; only when all environments are valid
 * are the files written, into a sibling folder that then replaces `dist/`. A
 * bad config therefore leaves `dist/` exactly as it was.
 */
import { join, relative, resolve } from 'node:path';
import { App, Yaml } from 'cdk8s';
import { ACK_ROLE_ACCOUNT_MAP } from '../lib/ack-annotations';
import { loadEnvironments } from '../lib/config/load';
import { ConfigError, ValidationError, type ConfigProblem } from '../lib/errors';
import { REPO_ROOT } from '../lib/paths';
import type { EnvironmentConfig } from '../lib/config/environment';
import { collectWarnings, type Warning } from '../lib/warnings';
import { ACKNOWLEDGE_PREFIX, blocking, lint, type Finding } from '../lint/engine';
import type { LoadedDocument } from '../lint/load';
import { isAck, LintSet } from '../lint/objects';
import { ArgoCdHealthChart } from './gitops-health';
import type { Rule } from '../lint/rule';
import { RULES } from '../lint/rules/index';
import { GitOpsChart, systemManifestPath } from './gitops';
import { SYSTEM_CHARTS } from './index';
import { OutputFolderError, outputFolderProblem, replaceFolder } from './output-folder';
import { OPERATOR_MANIFESTS, OperatorChart, OperatorCrdsChart, OperatorMonitoringChart, type OperatorChartProps } from './operator';
import type { SystemChart } from './system-chart';

export interface RenderedEnvironment {
  readonly environment: string;
  /** File path below the output folder → YAML text. */
  readonly files: ReadonlyMap<string, string>;
  readonly warnings: readonly Warning[];
  /** What the lint rules found in the files (R-L3). */
  readonly findings: readonly Finding[];
  /** `<group>/<Kind>` of every ACK object rendered (DeferredObject templates included): Argo CD's health checks cover them. */
  readonly ackKinds: readonly string[];
}

/** Builds one cdk8s app holding every system chart of the environment. */
export function buildEnvironment(environment: EnvironmentConfig): App {
  const app = new App();
  for (const Chart of Object.values(SYSTEM_CHARTS)) new Chart(app, environment);
  return app;
}

export function renderEnvironment(environment: EnvironmentConfig, rules: readonly Rule[] = RULES): RenderedEnvironment {
  const app = buildEnvironment(environment);
  const systemCharts = app.charts as SystemChart[];
  const documents: LoadedDocument[] = [];
  const files = new Map(
    systemCharts.map((chart) => {
      const { path, file } = systemManifestPath(environment.name, chart.system);
      const target = join(relative('dist', path), file);
      const rendered = renderDocuments(chart.toJson(), join('dist', target));
      documents.push(...rendered.documents);
      return [target, rendered.text];
    }),
  );
  if (environment.gitops) {
    const namespaces = new Map(systemCharts.map((chart) => [chart.system as string, chart.namespaceName]));
    const gitops = new GitOpsChart(new App(), { ...environment, gitops: environment.gitops }, (system) => namespaces.get(system)!);
    files.set(join('argocd', `${environment.name}.k8s.yaml`), Yaml.stringify(...gitops.toJson()));
  }
  // The lint rules over what was rendered, as `npm run lint -- dist/<environment>` sees it (R-L3).
  const set = new LintSet(documents);
  const ackKinds = [...new Set(set.objects.filter((o) => isAck(o.kind)).map((o) => o.kind))].sort();
  return { environment: environment.name, files, warnings: collectWarnings(app), findings: lint(set, rules), ackKinds };
}

/** A file's YAML (as cdk8s writes it: documents joined by `---`) and each object with the line it starts on. */
function renderDocuments(objects: readonly Record<string, any>[], file: string): { text: string; documents: LoadedDocument[] } {
  const texts = objects.map((object) => Yaml.stringify(object));
  let line = 1;
  const documents = objects.map((manifest, i) => {
    const source = { file, line };
    line += texts[i].split('\n').length;
    return { manifest, source };
  });
  return { text: texts.join('---\n'), documents };
}

/** Where the accounts' role map is written, below the output folder. */
export const ACCOUNT_MAP_FILE = join('ack-system', `${ACK_ROLE_ACCOUNT_MAP.name}.k8s.yaml`);

/**
 * ACK's account-to-role map for every environment (one entry per account;
 * the schema makes environments sharing an account share its role). Apply it
 * in each cluster that runs the ACK controllers, into their namespace.
 */
export function renderAccountMap(environments: readonly EnvironmentConfig[]): string {
  const data = Object.fromEntries([...environments].sort((a, b) => a.awsAccountID.localeCompare(b.awsAccountID)).map((env) => [env.awsAccountID, env.ack.roleARN]));
  return Yaml.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ACK_ROLE_ACCOUNT_MAP.name, namespace: ACK_ROLE_ACCOUNT_MAP.namespace, labels: { 'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/part-of': 'ack-systems' } },
    data,
  });
}

/**
 * Renders every environment. A problem found only while a chart is built is
 * reported like a config problem, with its environment's file and the
 * construct it stopped in, for every environment at once.
 * @throws ConfigError
 */
export function renderEnvironments(configs: readonly EnvironmentConfig[], rules: readonly Rule[] = RULES): RenderedEnvironment[] {
  const problems: ConfigProblem[] = [];
  const rendered = configs.flatMap((env) => {
    try {
      return [renderEnvironment(env, rules)];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push({ file: env.file, path: `(chart ${error.constructPath ?? env.name})`, message: error.detail });
      return [];
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  // Errors of the lint rules fail synth like configuration problems: nothing is written (R-L3).
  const lintProblems = rendered.flatMap((env) =>
    blocking(env.findings).map((f) => ({
      file: `${f.object.source.file}:${f.object.source.line}`,
      path: `${f.object.kind.split('/').pop()} ${f.object.namespace}/${f.object.name}${f.path ? ` ${f.path}` : ''}`,
      message: `${f.ruleId}: ${f.message}. Fix: ${rules.find((r) => r.id === f.ruleId)?.fix ?? 'see docs/reference/lint-rules.md'} (or acknowledge it with a reason: ${ACKNOWLEDGE_PREFIX}${f.ruleId})`,
    })),
  );
  if (lintProblems.length > 0) throw new ConfigError(lintProblems, 'lint error');
  return rendered;
}

/** Where Argo CD's health checks are written, below the output folder. */
export const ARGOCD_HEALTH_FILE = join('argocd', 'argocd-cm.k8s.yaml');

/** Argo CD's health checks for these ACK kinds and the operator's kinds: keys of `argocd-cm`, applied server-side. */
export function renderArgoCdHealth(ackKinds: readonly string[]): string {
  return Yaml.stringify(...new ArgoCdHealthChart(new App(), ackKinds).toJson());
}

/** The operator's manifests: installed once per cluster, the same for every environment. */
export function renderOperator(props: OperatorChartProps = {}): ReadonlyMap<string, string> {
  const app = new App();
  return new Map([
    [OPERATOR_MANIFESTS.crds, Yaml.stringify(...new OperatorCrdsChart(app).toJson())],
    [OPERATOR_MANIFESTS.operator, Yaml.stringify(...new OperatorChart(app, props).toJson())],
    [OPERATOR_MANIFESTS.monitoring, Yaml.stringify(...new OperatorMonitoringChart(app).toJson())],
  ]);
}

export interface SynthOptions {
  readonly configDir: string;
  readonly outDir: string;
  readonly operator?: OperatorChartProps;
  /** The lint rules synth enforces. @default every rule (tests pass others) */
  readonly lintRules?: readonly Rule[];
  /** How the user named the folders, for messages. @default --config-dir, --out */
  readonly labels?: { readonly configDir: string; readonly outDir: string };
}

/**
 * Checks that `outDir` may be replaced, validates all configuration, renders
 * all environments, then replaces `outDir` with the result.
 * @throws OutputFolderError, ConfigError or ValidationError before anything is written.
 */
export function synthesize(options: SynthOptions): { environments: RenderedEnvironment[]; files: ReadonlyMap<string, string> } {
  const labels = options.labels ?? { configDir: '--config-dir', outDir: '--out' };
  const problem = outputFolderProblem(options.outDir, {
    label: labels.outDir,
    protectedFolders: [
      { path: REPO_ROOT, what: 'the repository' },
      { path: options.configDir, what: `the config folder (${labels.configDir})` },
    ],
  });
  if (problem) throw new OutputFolderError(problem);
  const configs = loadEnvironments(options.configDir, labels.configDir);
  const environments = renderEnvironments(configs, options.lintRules);
  const files = new Map([...environments.flatMap((env) => [...env.files]), [ACCOUNT_MAP_FILE, renderAccountMap(configs)], ...renderOperator(options.operator)]);
  if (configs.some((env) => env.gitops)) files.set(ARGOCD_HEALTH_FILE, renderArgoCdHealth(environments.flatMap((env) => env.ackKinds)));
  replaceFolder(resolve(options.outDir), files);
  return { environments, files };
}
