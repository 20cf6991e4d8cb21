/**
 * The documentation (R-D2): generated pages are what the code says now, every
 * relative link and anchor resolves, and every optional construct prop
 * documents its default (a literal, or `- <behaviour>`), the way aws-cdk-lib
 * requires: an undocumented default is a default nobody chose.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../../lib/paths';
import { architectureDot } from '../../scripts/docs/architecture';
import { configurationReference } from '../../scripts/docs/configuration';
import { coverageReference, requirementsOf, testNames } from '../../scripts/docs/coverage';
import { DOCS_DIR, generatedDocs, withGeneratedBlocks } from '../../scripts/docs/generate';

const CONSTRUCTS = join(REPO_ROOT, 'charts', 'constructs');

/** `file: prop` for every optional interface prop whose doc comment lacks `@default`. */
function undocumentedDefaults(file: string, text: string): string[] {
  const missing: string[] = [];
  const optionalProp = /^\s*readonly (\w+)\?:/;
  const lines = text.split('\n');
  let inInterface = false;
  lines.forEach((line, index) => {
    if (/^(export )?interface \w+/.test(line)) inInterface = true;
    if (line === '}') inInterface = false;
    const prop = inInterface ? optionalProp.exec(line)?.[1] : undefined;
    if (!prop) return;
    let start = index - 1;
    while (start >= 0 && !lines[start].includes('/**') && lines[start].trim().startsWith('*')) start--;
    const doc = start >= 0 && lines[start].includes('/**') ? lines.slice(start, index).join('\n') : '';
    if (!doc.includes('@default')) missing.push(`${file}: ${prop}`);
  });
  return missing;
}

describe('construct documentation', () => {
  test('every optional construct prop states its @default', () => {
    const files = readdirSync(CONSTRUCTS).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    expect(files.flatMap((name) => undocumentedDefaults(name, readFileSync(join(CONSTRUCTS, name), 'utf8')))).toEqual([]);
  });

  test('the check finds a missing @default', () => {
    const text = ['interface P {', '  /** Just words. */', '  readonly size?: number;', '  /** @default 3 */', '  readonly count?: number;', '  readonly bare?: string;', '}'].join('\n');
    expect(undocumentedDefaults('p.ts', text)).toEqual(['p.ts: size', 'p.ts: bare']);
  });
});

describe('generated documentation (R-D2)', () => {
  test('R-D2 every generated page, diagram and block under docs/ is current (regenerate with `npm run docs`)', async () => {
    const generated = await generatedDocs();
    expect(generated.size).toBeGreaterThanOrEqual(14);
    for (const [path, text] of generated) {
      const committed = existsSync(join(DOCS_DIR, path)) ? readFileSync(join(DOCS_DIR, path), 'utf8') : '(missing)';
      expect({ path, current: committed === text }).toEqual({ path, current: true });
    }
  }, 60_000);

  test('R-D2 the configuration reference lists every field with its default and description, from the schema', () => {
    const page = configurationReference();
    expect(page).toContain('| `deletionPolicy` | one of `retain`, `delete` |  | retain | ACK deletion policy');
    expect(page).toContain('| `service.containerPort` | whole number from 1024 to 65535 |  | 8080 |');
    expect(page).toContain('Application per system to dist/argocd/&lt;environment&gt;.k8s.yaml');
    expect(page).toContain('| `environmentSuffix` | text |  | the file name | Suffix of every AWS name');
    expect(page).toMatch(/\| `service\.image` \| text matching .* \| yes \|/);
  });

  test('R-D2 coverage comes from test names: an ID without a test is "none yet"', () => {
    const spec = ['## S1. `vpc-peering` — peering (seed x)', '- R-G1 Environments: one file each.', '- R-O2 DR failover: later.'].join('\n');
    const page = coverageReference(spec, [{ file: 'test/unit/a.test.ts', name: 'R-G1 S1 loads dev' }]);
    expect(requirementsOf(spec).map((r) => r.id)).toEqual(['R-G1', 'S1', 'R-O2']);
    expect(page).toContain('| [R-G1](#r-g1) | Environments | 1 | `unit/a.test.ts` |');
    expect(page).toContain('| R-O2 | DR failover | **none yet** |  |');
    expect(testNames().some((t) => t.name.startsWith('R-D2 coverage comes from test names'))).toBe(true);
  });

  test('R-D2 diagrams: a cluster per region, an edge per *Ref, unreferenced objects counted per kind', () => {
    const ack = (kind: string, name: string, region: string, spec: object = {}) => ({
      apiVersion: 'ec2.services.k8s.aws/v1alpha1',
      kind,
      metadata: { name, namespace: 'n', annotations: { 'services.k8s.aws/region': region } },
      spec,
    });
    const dot = architectureDot('t', [
      ack('VPC', 'main', 'us-east-1'),
      ack('Subnet', 'a', 'us-east-1', { vpcRef: { from: { name: 'main' } }, routeTableRefs: [{ from: { name: 'rt' } }] }),
      ack('RouteTable', 'rt', 'us-east-1'),
      ack('SecurityGroup', 'x', 'us-west-2'),
      ack('SecurityGroup', 'y', 'us-west-2'),
    ]);
    expect(dot).toContain('label="us-east-1"');
    expect(dot).toContain('label="us-west-2"');
    expect(dot).toContain('"Subnet/n/a" -> "VPC/n/main" [label="vpc"];');
    expect(dot).toContain('"Subnet/n/a" -> "RouteTable/n/rt" [label="routeTable"];');
    expect(dot).toContain('label="2 SecurityGroup"');
  });

  test('R-D2 a generated block with an unknown name is an error naming the file', () => {
    expect(() => withGeneratedBlocks('guide.md', '<!-- BEGIN GENERATED: nope -->\n<!-- END GENERATED: nope -->')).toThrow('guide.md: no generated block named "nope"');
  });
});

/** Relative links (and their #anchors) of a Markdown file that do not resolve. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    const [path, anchor] = target.split('#');
    const resolved = path ? resolve(dirname(file), path) : file;
    if (!existsSync(resolved)) broken.push(`${relative(REPO_ROOT, file)}: ${target} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) {
      broken.push(`${relative(REPO_ROOT, file)}: ${target} (no heading #${anchor})`);
    }
  }
  return broken;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function headingAnchors(markdown: string): Set<string> {
  const headings = markdown.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} (.+)$/gm);
  return new Set([...headings].map(([, heading]) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith('.md') ? [path] : [];
  });
}

describe('links (R-D2)', () => {
  test('R-D2 every relative link and anchor in README.md and docs/ resolves', () => {
    const files = [join(REPO_ROOT, 'README.md'), join(REPO_ROOT, 'operator', 'README.md'), ...markdownFiles(DOCS_DIR)];
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap(brokenLinks)).toEqual([]);
  });

  test('R-D2 the link check finds a missing file and a missing anchor', () => {
    const anchors = headingAnchors('# Getting started\n## 3. IAM: how ACK reaches `accounts`\n```\n# not a heading\n```');
    expect([...anchors]).toEqual(['getting-started', '3-iam-how-ack-reaches-accounts']);
    const broken = brokenLinks(join(REPO_ROOT, 'test', 'support', 'broken-links.md'));
    expect(broken).toEqual([
      'test/support/broken-links.md: missing.md (no such file)',
      'test/support/broken-links.md: #nowhere (no heading #nowhere)',
    ]);
  });
});
