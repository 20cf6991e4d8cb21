/**
 * Starts a control plane and keeps it running until this process ends; prints
 * one JSON line with its process groups and folder. Used by the test that
 * kills this process and checks that nothing outlives it.
 */
import { startControlPlane } from './control-plane';

const controlPlane = await startControlPlane();
process.stdout.write(`${JSON.stringify({ processGroups: controlPlane.processGroups, dir: controlPlane.dir })}\n`);
setInterval(() => undefined, 1 << 30);
