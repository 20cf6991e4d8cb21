import type { IConstruct } from 'constructs';

/**
 * Bad input to a construct. The message names the prop, the value received and
 * the fix; the construct path tells which of several instances is wrong.
 */
export class ValidationError extends Error {
  /** Where in the construct tree, e.g. `payment-processing/LoadBalancer`. */
  readonly constructPath?: string;
  /** The message without the path. */
  readonly detail: string;

  constructor(message: string, scope?: IConstruct) {
    super(scope ? `${scope.node.path}: ${message}` : message);
    this.name = 'ValidationError';
    this.constructPath = scope?.node.path;
    this.detail = message;
  }
}

/** One problem found in a configuration file. */
export interface ConfigProblem {
  readonly file: string;
  /** Dotted field path, e.g. `systems.vpc-peering.requester.cidr`. */
  readonly path: string;
  readonly message: string;
}

/** Every problem found in the configuration, reported together. */
export class ConfigError extends Error {
  /** @param what what each problem is, in the headline. @default configuration problem */
  constructor(
    readonly problems: readonly ConfigProblem[],
    what = 'configuration problem',
  ) {
    super(formatProblems(problems, what));
    this.name = 'ConfigError';
  }
}

function formatProblems(problems: readonly ConfigProblem[], what: string): string {
  const count = `${problems.length} ${what}${problems.length === 1 ? '' : 's'}`;
  const lines = problems.map((p) => `  ${p.file}: ${p.path || '(file)'}: ${p.message}`);
  return [`${count}; nothing was written:`, ...lines].join('\n');
}
