/** The cache's store and its indexes (R-O3): kept in step with every upsert and removal. */
import { describe, expect, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Store } from '../../../operator/runtime/store';

const object = (namespace: string, name: string, team?: string): KubernetesObject => ({ metadata: { namespace, name, labels: team ? { team } : {} } });
const names = (objects: KubernetesObject[]) => objects.map((o) => `${o.metadata!.namespace}/${o.metadata!.name}`).sort();
const byTeam = (o: KubernetesObject) => (o.metadata?.labels?.team ? [o.metadata.labels.team] : []);

describe('store (R-O3)', () => {
  test('R-O3 objects by namespace/name, listed by namespace', () => {
    const store = new Store();
    store.upsert(object('shop', 'a'));
    store.upsert(object('shop', 'b'));
    store.upsert(object('lab', 'a'));
    expect(store.get('shop/a')?.metadata?.name).toBe('a');
    expect(names(store.listInNamespace('shop'))).toEqual(['shop/a', 'shop/b']);
    expect(store.remove(object('shop', 'a'))?.metadata?.name).toBe('a');
    expect(names(store.listInNamespace('shop'))).toEqual(['shop/b']);
    expect(store.remove(object('shop', 'a'))).toBeUndefined();
    expect(store.size).toBe(2);
  });

  test('R-O3 a custom index follows updates that move an object to another value, and drops emptied values', () => {
    const store = new Store();
    store.upsert(object('shop', 'a', 'payments'));
    store.addIndex('team', byTeam);
    store.upsert(object('shop', 'b', 'payments'));
    expect(names(store.byIndex('team', 'payments'))).toEqual(['shop/a', 'shop/b']);
    store.upsert(object('shop', 'a', 'risk'));
    expect(names(store.byIndex('team', 'payments'))).toEqual(['shop/b']);
    expect(names(store.byIndex('team', 'risk'))).toEqual(['shop/a']);
    store.remove(object('shop', 'b'));
    expect(store.byIndex('team', 'payments')).toEqual([]);
    expect((store as any).indexes.get('team').keysByValue.has('payments')).toBe(false);
  });

  test('R-O3 an unknown or duplicate index is an error naming it', () => {
    const store = new Store();
    expect(() => store.byIndex('team', 'x')).toThrow('the store has no index named team; add it with addIndex');
    store.addIndex('team', byTeam);
    expect(() => store.addIndex('team', byTeam)).toThrow('the store already has an index named team');
  });
});
