/** AWS SDK clients made per region that remember the regions asked for, to assert where an adapter sends its calls. */
export function regional<T>(make: (region: string) => T): { clientFor: (region: string) => T; regions: string[] } {
  const regions: string[] = [];
  return { regions, clientFor: (region) => (regions.push(region), make(region)) };
}
