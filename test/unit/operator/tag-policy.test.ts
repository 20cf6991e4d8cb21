/**
 * TagPolicy logic without an API server (R-O1): which policies cover an
 * object, what they require together, conflicts, the status they produce.
 * The same behaviour against a real API server: test/integration/operator-tags.
 */
import { describe, expect, test } from '@jest/globals';
import type { TagPolicy, TagPolicySpec } from '../../../operator/tag-policy/crd';
import { ownedTagKeys } from '../../../operator/tag-policy/enforcer';
import { ComplianceLedger } from '../../../operator/tag-policy/ledger';
import { policyCovers, requiredTags, selectorMatches } from '../../../operator/tag-policy/matching';
import { desiredStatus } from '../../../operator/tag-policy/status';

const policy = (name: string, spec: Partial<TagPolicySpec>, generation = 1): TagPolicy => ({ apiVersion: 'ack-systems.io/v1alpha1', kind: 'TagPolicy', metadata: { name, generation }, spec: { tags: {}, ...spec } });
const object = (namespace: string, labels?: Record<string, string>, apiVersion = 'ec2.services.k8s.aws/v1alpha1', kind = 'SecurityGroup') => ({ apiVersion, kind, metadata: { name: 'x', namespace, labels } });

describe('policy coverage (R-O1)', () => {
  test('R-O1 label selectors: matchLabels and every matchExpressions operator', () => {
    const labels = { tier: 'production', team: 'payments' };
    expect(selectorMatches(undefined, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { tier: 'production' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { tier: 'sandbox' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'In', values: ['payments', 'risk'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['payments'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'owner', operator: 'NotIn', values: ['x'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });

  test('R-O1 namespaces, namespace labels, object labels and kinds all narrow a policy', () => {
    expect(policyCovers(policy('all', {}), object('shop'), {})).toBe(true);
    expect(policyCovers(policy('ns', { namespaces: ['shop'] }), object('lab'), {})).toBe(false);
    expect(policyCovers(policy('nsSel', { namespaceSelector: { matchLabels: { tier: 'production' } } }), object('shop'), { tier: 'production' })).toBe(true);
    expect(policyCovers(policy('nsSel', { namespaceSelector: { matchLabels: { tier: 'production' } } }), object('shop'), undefined)).toBe(false);
    expect(policyCovers(policy('sel', { selector: { matchLabels: { app: 'api' } } }), object('shop', { app: 'web' }), {})).toBe(false);
    expect(policyCovers(policy('kind', { kinds: ['ec2.services.k8s.aws/SecurityGroup'] }), object('shop'), {})).toBe(true);
    expect(policyCovers(policy('group', { kinds: ['ec2.services.k8s.aws/*'] }), object('shop'), {})).toBe(true);
    expect(policyCovers(policy('other', { kinds: ['rds.services.k8s.aws/*'] }), object('shop'), {})).toBe(false);
  });

  test('R-O1 policies that agree are merged; a key they disagree on is a conflict and applied by neither', () => {
    const { tags, conflicts } = requiredTags(
      [policy('b', { tags: { CostCenter: 'cc-2', Team: 'payments' } }), policy('a', { tags: { CostCenter: 'cc-1', Team: 'payments', Env: 'prod' } })],
      'shop/x',
    );
    expect(Object.fromEntries(tags)).toEqual({ Team: 'payments', Env: 'prod' });
    expect(conflicts).toEqual([{ key: 'CostCenter', object: 'shop/x', policies: ['a', 'b'] }]);
  });
});

describe('policy status (R-O1)', () => {
  const ledger = () => {
    const l = new ComplianceLedger();
    l.set('sg|shop/a', { kind: 'ec2.services.k8s.aws/SecurityGroup', policies: ['p'], state: 'compliant', conflicts: [] });
    l.set('route|shop/r', { kind: 'apigatewayv2.services.k8s.aws/Route', policies: ['p'], state: 'untaggable', conflicts: [] });
    l.set('sg|lab/b', { kind: 'ec2.services.k8s.aws/SecurityGroup', policies: ['other'], state: 'compliant', conflicts: [] });
    l.countCorrection('p');
    return l;
  };

  test('R-O1 counts covered, compliant, corrected and untaggable objects of one policy only', () => {
    expect(ledger().summarize('p')).toEqual({
      covered: 2,
      compliant: 1,
      pending: 0,
      corrected: 1,
      lastError: undefined,
      untaggable: { objects: 1, kinds: ['apigatewayv2.services.k8s.aws/Route'] },
      conflicts: [],
    });
  });

  test('R-O1 Ready is True when compliant, False while correcting (with the last error) or in conflict', () => {
    const l = ledger();
    const ready = (p: TagPolicy) => desiredStatus(p, l.summarize('p')).conditions![0];
    expect(ready(policy('p', {}))).toMatchObject({ type: 'Ready', status: 'True', reason: 'Compliant', observedGeneration: 1 });
    l.set('sg|shop/c', { kind: 'ec2.services.k8s.aws/SecurityGroup', policies: ['p'], state: 'pending', conflicts: [] });
    l.recordError(['p'], 'shop/c: forbidden');
    expect(desiredStatus(policy('p', {}), l.summarize('p'))).toMatchObject({ lastError: 'shop/c: forbidden', conditions: [{ status: 'False', reason: 'Correcting' }] });
    l.set('sg|shop/c', { kind: 'ec2.services.k8s.aws/SecurityGroup', policies: ['p'], state: 'compliant', conflicts: [{ key: 'CostCenter', object: 'shop/c', policies: ['p', 'q'] }] });
    const status = desiredStatus(policy('p', {}), l.summarize('p'));
    expect(status.lastError).toBeUndefined();
    expect(status.conditions![0]).toMatchObject({ status: 'False', reason: 'Conflict', message: 'another policy requires a different value for CostCenter; neither is applied' });
  });

  test('R-O1 the Ready transition time holds while its status holds, so a converged policy needs no status writes', () => {
    const l = ledger();
    const first = desiredStatus(policy('p', {}, 3), l.summarize('p'));
    const again = desiredStatus({ ...policy('p', {}, 3), status: first }, l.summarize('p'));
    expect(again).toEqual(first);
    expect(first.observedGeneration).toBe(3);
  });
});

describe('owned tag keys (R-O1)', () => {
  const object = {
    metadata: {
      name: 'fn',
      managedFields: [
        { manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:tags': { 'f:Owner': {} } } } },
        { manager: 'ack-systems-tag-operator', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:tags': { 'f:CostCenter': {}, 'f:Tier': {}, '.': {} } } } },
        { manager: 'ack-systems-tag-operator', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': {} } },
      ],
    },
  };

  test('R-O1 the map keys the operator applied are read from managedFields, and only those', () => {
    expect(ownedTagKeys(object, { path: ['tags'], form: 'map' }, 'ack-systems-tag-operator')).toEqual(['CostCenter', 'Tier']);
    expect(ownedTagKeys(object, { path: ['tags'], form: 'map' }, 'someone-else')).toEqual([]);
  });

  test('R-O1 list-shaped tag fields are atomic: no per-key ownership', () => {
    expect(ownedTagKeys(object, { path: ['tags'], form: 'list', keyField: 'key', valueField: 'value' }, 'ack-systems-tag-operator')).toEqual([]);
  });
});
