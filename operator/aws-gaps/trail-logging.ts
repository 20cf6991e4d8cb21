/**
 * TrailLogging: makes a CloudTrail trail record. ACK's cloudtrail-controller
 * creates trails but never calls StartLogging, and AWS creates a trail
 * stopped: a silent audit hole (research ack-behaviour.md §0.2, §6).
 */
import type { TrailLogging as TrailLoggingApi } from '../aws/trail-logging';
import { ACK_TYPES, TRAIL_LOGGING, type TrailLogging } from './crd';
import type { GapKind } from './gap';

const NOT_FOUND = 'TrailNotFoundException';

export function trailLoggingKind(trails: TrailLoggingApi): GapKind<TrailLogging, 'trail'> {
  return {
    type: TRAIL_LOGGING.type,
    refTypes: { trail: ACK_TYPES.trail },
    refs: (object) => ({ trail: object.spec.trailRef.name }),
    async converge(object, { trail }) {
      const done: string[] = [];
      const before = object.status;
      const sameTrail = before?.trailARN === trail.arn;
      // The object now names another trail: stop the one before, if this operator started it.
      if (before?.trailARN && !sameTrail && before.startedLogging && (await stopIfPresent(trails, before.trailARN))) done.push(`stopped logging of ${before.trailARN}`);
      if (await trails.isLogging(trail.arn)) {
        return { status: { trailARN: trail.arn, isLogging: true, startedLogging: sameTrail ? (before?.startedLogging ?? false) : false }, changed: done.join('; ') || undefined };
      }
      await trails.start(trail.arn);
      done.push(`started logging of trail ${trail.arn}`);
      return { status: { trailARN: trail.arn, isLogging: true, startedLogging: true }, changed: done.join('; ') };
    },
    async undo(object) {
      const { trailARN, startedLogging } = object.status ?? {};
      if (!trailARN || !startedLogging) return undefined;
      return (await stopIfPresent(trails, trailARN)) ? `stopped logging of trail ${trailARN}` : undefined;
    },
  };
}

async function stopIfPresent(trails: TrailLoggingApi, trailArn: string): Promise<boolean> {
  try {
    await trails.stop(trailArn);
    return true;
  } catch (error) {
    if ((error as Error).name === NOT_FOUND) return false;
    throw error;
  }
}
