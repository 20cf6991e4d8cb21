import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TESTBIN_MODULE, testbinDir, testbinPaths, testbinVersions } from '../../scripts/testbin';

const saved = { assets: process.env.KUBEBUILDER_ASSETS, cache: process.env.ACK_TESTBIN_CACHE };
afterEach(() => {
  for (const [name, value] of [['KUBEBUILDER_ASSETS', saved.assets], ['ACK_TESTBIN_CACHE', saved.cache]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('test binaries (issue 3)', () => {
  test('the Go module pins Kubernetes 1.35/1.36, the etcd it pins, and a go line this Go builds without a toolchain download', () => {
    const goMod = readFileSync(join(TESTBIN_MODULE, 'go.mod'), 'utf8');
    const { kubernetes, etcd, key } = testbinVersions();
    expect(kubernetes).toMatch(/^v1\.3[56]\.\d+$/);
    expect(etcd).toBe('v3.6.5');
    expect(key).toMatch(new RegExp(`^${kubernetes}-etcd${etcd}-[0-9a-f]{12}$`));
    expect(goMod).toMatch(/^go 1\.2[56]\.\d+$/m);
    expect(goMod).not.toMatch(/^toolchain /m);
    // Every staging module is pinned to the matching v0.x release.
    const staging = kubernetes.replace(/^v1\./, 'v0.');
    for (const module of ['api', 'apimachinery', 'apiserver', 'client-go', 'kubectl', 'kube-aggregator']) {
      expect(goMod).toContain(`replace k8s.io/${module} => k8s.io/${module} ${staging}`);
    }
  });

  test('the binaries are cached outside the repository, in a folder named after the pinned versions', () => {
    delete process.env.KUBEBUILDER_ASSETS;
    process.env.ACK_TESTBIN_CACHE = '/var/cache/testbin';
    expect(testbinDir()).toEqual({ dir: `/var/cache/testbin/${testbinVersions().key}`, fromEnvironment: false });
  });

  test('missing binaries fail with a message saying how to provide them', () => {
    process.env.KUBEBUILDER_ASSETS = mkdtempSync(join(tmpdir(), 'assets-'));
    writeFileSync(join(process.env.KUBEBUILDER_ASSETS, 'etcd'), '');
    expect(() => testbinPaths()).toThrow(
      /^kube-apiserver, kubectl not found in KUBEBUILDER_ASSETS \(.*\)\. Run `npm run testbin` .* or set KUBEBUILDER_ASSETS to a folder holding all three/,
    );
  });

  test('KUBEBUILDER_ASSETS with all three binaries is used as is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assets-'));
    for (const name of ['kube-apiserver', 'etcd', 'kubectl']) writeFileSync(join(dir, name), '');
    process.env.KUBEBUILDER_ASSETS = dir;
    expect(testbinPaths()).toEqual({ 'kube-apiserver': join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd'), kubectl: join(dir, 'kubectl') });
  });
});
