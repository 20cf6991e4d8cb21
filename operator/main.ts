/**
 * The operator's entry point: `npm run operator` (against the current
 * kubeconfig) or the container's command (in-cluster). Flags: see
 * `operator/flags.ts` or `--help`.
 *
 * Exit codes: 2 a command line it does not understand; 1 no usable kubeconfig
 * or no reachable cluster at start (one line, not a retry loop), or a failed
 * shutdown. SIGTERM and SIGINT shut down gracefully: in-flight work
 * finishes, the Lease is released.
 */
import { UsageError } from '../lib/cli';
import { OPERATOR_USAGE, parseOperatorFlags } from './flags';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { assembleOperator } from './assemble';
import { CrossRegionLease } from './aws/cross-region-lease';
import { createLogger } from './runtime/index';
import { checkApiReachable, loadKubeConfig, StartupError } from './startup';

let flags;
try {
  flags = parseOperatorFlags(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${OPERATOR_USAGE}`);
  process.exit(2);
}
if (!flags) {
  console.log(OPERATOR_USAGE);
  process.exit(0);
}

const logger = createLogger({ level: flags.logLevel, fields: { identity: flags.identity } });
let assembled;
try {
  const kubeConfig = loadKubeConfig();
  assembled = assembleOperator(kubeConfig, {
    logger,
    identity: flags.identity,
    port: flags.metricsPort,
    leaderElection: flags.leaderElection,
    concurrency: flags.concurrency,
    failover: flags.failoverLease && {
      crossRegionLease: {
        lease: new CrossRegionLease(new DynamoDBClient({ region: flags.failoverLease.region, maxAttempts: 2 }), flags.failoverLease.table, 'failover', flags.failoverLease.holder, {
          durationMs: 30_000,
          renewDeadlineMs: 20_000,
        }),
        retryMs: 5_000,
      },
    },
  });
  await checkApiReachable(assembled.api);
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  logger.error(error.message);
  process.exit(1);
}
const { manager } = assembled;

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('signal received; shutting down', { signal });
    manager.shutdown().then(
      () => process.exit(0),
      (error) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  });
}

await manager.start();
logger.info('operator running', { metricsPort: manager.port, leaderElection: flags.leaderElection !== undefined });
