/**
 * Synth-time warnings: things that are legal but probably not intended (the
 * SPEC asks for "a warning, not silence"). Each has a stable ID so that tests,
 * CI and people can recognise it.
 */
import type { IConstruct } from 'constructs';

const WARNING = 'ack-systems:warning';

export interface Warning {
  readonly id: string;
  readonly path: string;
  readonly message: string;
}

export function addWarning(scope: IConstruct, id: string, message: string): void {
  scope.node.addMetadata(WARNING, { id, message });
}

/** Every warning recorded below `root`, in tree order. */
export function collectWarnings(root: IConstruct): Warning[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === WARNING)
      .map((entry) => ({ ...(entry.data as { id: string; message: string }), path: construct.node.path })),
  );
}
