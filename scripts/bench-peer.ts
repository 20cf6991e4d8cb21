/**
 * `npm run bench:peer`: the controller-runtime yardstick of
 * `npm run bench:operator` (`bench/peer/`, its own Go module), built into
 * `${ACK_BENCH_PEER_CACHE:-~/.cache/ack-systems/bench-peer}/<controller-runtime version>-<hash>/`
 * once (about 3 minutes on two cores). `--cached` only says whether it is built.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths';
import { ensureGoCache, goCacheMain, type GoCache } from './go-cache';

export const BENCH_PEER_MODULE = join(REPO_ROOT, 'bench', 'peer');
const version = /sigs\.k8s\.io\/controller-runtime (v\S+)/.exec(readFileSync(join(BENCH_PEER_MODULE, 'go.mod'), 'utf8'))![1];
const BENCH_PEER_CACHE: GoCache = { name: 'bench-peer', cacheEnv: 'ACK_BENCH_PEER_CACHE', module: BENCH_PEER_MODULE, version: `controller-runtime-${version}`, sources: ['main.go'] };

/** Builds the peer unless cached; returns the binary's path. */
export async function ensureBenchPeer(): Promise<string> {
  const dir = await ensureGoCache(BENCH_PEER_CACHE, (goBuild, staging) => goBuild(`the controller-runtime ${version} peer`, join(staging, 'bench-peer'), ['.']));
  return join(dir, 'bench-peer');
}

if (import.meta.url === `file://${process.argv[1]}`) goCacheMain(BENCH_PEER_CACHE, ensureBenchPeer);
