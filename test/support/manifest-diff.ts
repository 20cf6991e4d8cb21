/**
 * Where a live object differs from what was applied: every field of the
 * applied manifest must be present in the live object with the same value
 * (the server may add fields: defaults, status, metadata).
 */
export function differences(applied: unknown, live: unknown, path = ''): string[] {
  if (Array.isArray(applied)) {
    if (!Array.isArray(live) || live.length !== applied.length) return [`${path}: applied ${JSON.stringify(applied)}, live ${JSON.stringify(live)}`];
    return applied.flatMap((item, i) => differences(item, live[i], `${path}[${i}]`));
  }
  if (applied !== null && typeof applied === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [`${path}: applied an object, live ${JSON.stringify(live)}`];
    return Object.entries(applied).flatMap(([key, value]) => differences(value, (live as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return applied === live ? [] : [`${path}: applied ${JSON.stringify(applied)}, live ${JSON.stringify(live)}`];
}
