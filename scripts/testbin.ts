/**
 * `npm run testbin`: provides kube-apiserver, etcd and kubectl for the
 * integration tests, built from the Go module in `hack/k8s-testbin/`.
 *
 * - KUBEBUILDER_ASSETS (the envtest convention, e.g. from `setup-envtest use`)
 *   names a folder holding the three binaries: it is used as is, nothing is built.
 * - It also provides the SARIF 2.1.0 schema the lint tests validate against (scripts/sarif-schema.ts).
 * - Otherwise the binaries live in
 *   `${ACK_TESTBIN_CACHE:-~/.cache/ack-systems/testbin}/<k8s>-etcd<etcd>-<hash of go.mod+go.sum>`,
 *   outside the repository, and are built only when that folder is missing,
 *   i.e. the first time and whenever the pinned versions change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../lib/paths';
import { ensureGoCache, goCacheDir, goCommand, isBuilt, type GoCache } from './go-cache';
import { ensureSarifSchema, sarifSchemaPath } from './sarif-schema';

export const TESTBIN_MODULE = join(REPO_ROOT, 'hack', 'k8s-testbin');
export const TESTBIN_BINARIES = ['kube-apiserver', 'etcd', 'kubectl'] as const;

export interface TestbinVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  /** Identifies the pinned module: changes whenever go.mod or go.sum do. */
  readonly key: string;
}

/** The Go cache of the binaries: named after the pinned Kubernetes and etcd. */
function testbinCache(): GoCache & { readonly kubernetes: string; readonly etcd: string } {
  const goMod = readFileSync(join(TESTBIN_MODULE, 'go.mod'), 'utf8');
  const required = (module: string) => {
    const version = new RegExp(`^\\s*${module.replaceAll('.', '\\.')} (v\\S+)`, 'm').exec(goMod)?.[1];
    if (!version) throw new Error(`hack/k8s-testbin/go.mod does not require ${module}`);
    return version;
  };
  const kubernetes = required('k8s.io/kubernetes');
  const etcd = required('go.etcd.io/etcd/server/v3');
  return { name: 'testbin', cacheEnv: 'ACK_TESTBIN_CACHE', module: TESTBIN_MODULE, version: `${kubernetes}-etcd${etcd}`, kubernetes, etcd };
}

export function testbinVersions(): TestbinVersions {
  const cache = testbinCache();
  return { kubernetes: cache.kubernetes, etcd: cache.etcd, key: basename(goCacheDir(cache)) };
}

/** Where the binaries are, and whether they come from KUBEBUILDER_ASSETS. */
export function testbinDir(): { dir: string; fromEnvironment: boolean } {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets) return { dir: assets, fromEnvironment: true };
  return { dir: goCacheDir(testbinCache()), fromEnvironment: false };
}

/** The binaries' paths; throws, saying how to provide them, when any is missing. */
export function testbinPaths(): Record<(typeof TESTBIN_BINARIES)[number], string> {
  const { dir, fromEnvironment } = testbinDir();
  const missing = TESTBIN_BINARIES.filter((name) => !existsSync(join(dir, name)));
  const incomplete = !fromEnvironment && !isBuilt(testbinCache());
  if (missing.length > 0 || incomplete) {
    const source = fromEnvironment ? `KUBEBUILDER_ASSETS (${dir})` : dir;
    throw new Error(
      `${missing.length > 0 ? missing.join(', ') : 'the test binaries'} not found in ${source}. ` +
        'Run `npm run testbin` (builds kube-apiserver, etcd and kubectl with Go; 10-20 minutes once, then cached), ' +
        'or set KUBEBUILDER_ASSETS to a folder holding all three (e.g. `setup-envtest use -p path` plus a kubectl).',
    );
  }
  return Object.fromEntries(TESTBIN_BINARIES.map((name) => [name, join(dir, name)])) as Record<(typeof TESTBIN_BINARIES)[number], string>;
}

/** `-X` flags so that the binaries report their real version (kubectl warns about skew otherwise). */
function versionFlags(kubernetes: string): string {
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => [`-X ${pkg}.gitVersion=${kubernetes}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`])
    .join(' ');
}

/** Builds the binaries unless they are already there; returns their folder. */
export async function ensureTestbin(): Promise<string> {
  const { dir, fromEnvironment } = testbinDir();
  if (fromEnvironment) {
    testbinPaths(); // verifies all three are there
    console.log(`testbin: using KUBEBUILDER_ASSETS=${dir}`);
    return dir;
  }
  const cache = testbinCache();
  const { kubernetes, etcd } = cache;
  return ensureGoCache(cache, async (goBuild, staging) => {
    await goBuild(`kube-apiserver + kubectl ${kubernetes}`, `${staging}/`, ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kubectl'], versionFlags(kubernetes));
    // The module root of etcd's server is its main package; name the output, or it is called "v3".
    await goBuild(`etcd ${etcd}`, join(staging, 'etcd'), ['go.etcd.io/etcd/server/v3']);
  }).catch((error: Error) => {
    throw new Error(`${error.message}\nOr set KUBEBUILDER_ASSETS to a folder holding kube-apiserver, etcd and kubectl.`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTestbin()
    .then(() => {
      // The lint tests validate SARIF against the official schema, which also comes through Go.
      const schema = existsSync(sarifSchemaPath()) ? sarifSchemaPath() : ensureSarifSchema(goCommand(TESTBIN_MODULE).go);
      console.log(`testbin: SARIF 2.1.0 schema in ${schema}`);
    })
    .catch((error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    });
}
