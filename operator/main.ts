/**
 * The operator's entry point: `npm run operator` (against the current
 * kubeconfig) or the container's command (in-cluster). Flags: see
 * `operator/flags.ts` or `--help`.
 *
 * SIGTERM and SIGINT shut down gracefully: in-flight work finishes, the Lease
 * is released.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { FlagError, OPERATOR_USAGE, parseOperatorFlags } from './flags';
import { assembleOperator } from './assemble';
import { createLogger } from './runtime/index';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(OPERATOR_USAGE);
  process.exit(0);
}
let flags;
try {
  flags = parseOperatorFlags(args);
} catch (error) {
  if (!(error instanceof FlagError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const logger = createLogger({ level: flags.logLevel, fields: { identity: flags.identity } });
const kubeConfig = new KubeConfig();
// In a pod: the ServiceAccount token; elsewhere: $KUBECONFIG or ~/.kube/config.
if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
else kubeConfig.loadFromDefault();

const { manager } = assembleOperator(kubeConfig, {
  logger,
  identity: flags.identity,
  port: flags.metricsPort,
  leaderElection: flags.leaderElection,
  concurrency: flags.concurrency,
});

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
