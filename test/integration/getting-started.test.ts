/**
 * The getting-started guide, followed (R-D2): every `sh doc-test` block of
 * docs/getting-started.md runs, in order, against a real kube-apiserver with
 * the ACK CRDs installed, as a user would type it: `kubectl` is the test
 * server's, and synth writes into a scratch folder (`OUT_DIR`, a documented
 * option) that is the working directory of every later command, so that
 * `dist/…` there is what this run synthesized. The Helm step is stood in for
 * by what its charts do here: the ACK CRDs and the `ack-system` namespace.
 */
import { afterAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { SYNTH_MARKER } from '../../charts/output-folder';
import { ackCrdsDir, REPO_ROOT } from '../../lib/paths';
import { kubectl, useControlPlane } from '../support/shared-control-plane';

const controlPlane = useControlPlane({ crdPaths: [ackCrdsDir()] });
const GUIDE = join(REPO_ROOT, 'docs', 'getting-started.md');

/** The guide's runnable blocks, in order. */
function docTestBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh doc-test\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

const workDir = mkdtempSync(join(tmpdir(), 'getting-started-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function run(block: string): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', block], {
    cwd: workDir,
    env: { ...process.env, OUT_DIR: join(workDir, 'dist'), KUBECONFIG: controlPlane().admin.kubeconfigPath, PATH: `${dirname(controlPlane().kubectl)}${delimiter}${process.env.PATH}` },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

test('R-D2 R-G11 every doc-test command of the getting-started guide runs, in order, and succeeds', async () => {
  const blocks = docTestBlocks(readFileSync(GUIDE, 'utf8'));
  expect(blocks.join('')).toContain('npm run synth');
  expect(blocks.join('')).toContain('kubectl apply --server-side -f dist/dev/');
  // The Helm step, as its charts would have done it here.
  expect(kubectl(controlPlane(), ['create', 'namespace', 'ack-system']).status).toBe(0);
  // What npm needs to find the project from the scratch folder.
  for (const entry of ['package.json', 'main.ts', 'node_modules']) symlinkSync(join(REPO_ROOT, entry), join(workDir, entry));

  for (const block of blocks) {
    const { code, output } = await run(block);
    expect({ block, code, output }).toEqual({ block, code: 0, output: expect.any(String) });
  }
  // Synth wrote this run's dist/ (not the repository's), and the system is in the cluster.
  expect(existsSync(join(workDir, 'dist', SYNTH_MARKER))).toBe(true);
  const namespaces = kubectl(controlPlane(), ['get', 'namespace', 'payment-processing-dev', '-o', 'name']);
  expect(namespaces.stdout.trim()).toBe('namespace/payment-processing-dev');
}, 300_000);

test('R-D2 the block finder sees only sh doc-test blocks', () => {
  const markdown = ['```sh', 'helm install x', '```', '```sh doc-test', 'kubectl get ns', 'echo ok', '```', '```yaml', 'a: 1', '```'].join('\n');
  expect(docTestBlocks(markdown)).toEqual(['kubectl get ns\necho ok\n']);
});
