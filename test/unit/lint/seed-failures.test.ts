/**
 * The seed failure table (R-L1): every failure the seeds name is caught by a
 * rule that exists, or made impossible by a construct whose test exists.
 */
import { describe, expect, test } from '@jest/globals';
import { ALL_RULES } from '../../../lint/rules/index';
import { SEED_FAILURES } from '../../../lint/seed-failures';
import { testNames } from '../../../scripts/docs/coverage';

describe('seed failures (R-L1)', () => {
  const names = testNames();
  const ruleIds = new Set(ALL_RULES.map((r) => r.id));

  test('R-L1 every rule the table names exists, and every failure names a rule, a construct test or why it is not about manifests', () => {
    for (const failure of SEED_FAILURES) {
      expect({ seed: failure.seed, unknown: failure.rules.filter((id) => !ruleIds.has(id)) }).toEqual({ seed: failure.seed, unknown: [] });
      expect({ seed: failure.seed, answered: failure.rules.length > 0 || failure.construct !== undefined || failure.notAboutManifests !== undefined }).toEqual({ seed: failure.seed, answered: true });
    }
  });

  test('R-L1 every construct proof is a test that exists, named as the table says', () => {
    for (const { seed, construct } of SEED_FAILURES) {
      if (!construct) continue;
      const matches = names.filter((n) => n.file === construct.file && n.name.startsWith(construct.test));
      expect({ seed, test: construct.test, found: matches.length > 0 }).toEqual({ seed, test: construct.test, found: true });
    }
  });

  test('R-L1 all five seeds are covered', () => {
    expect([...new Set(SEED_FAILURES.map((f) => f.seed.slice(0, 3)))].sort()).toEqual(['000', '001', '002', '003', '004']);
  });
});
