/**
 * A banner for ES-module bundles: bundled CommonJS dependencies call
 * `require()` for Node built-ins, and an ES module has none, so it gets one.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
