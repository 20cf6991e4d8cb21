import { describe, expect, test } from '@jest/globals';
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { readTags, withTags } from '../../lib/tags/apply';
import { deriveTagShape, type TagShape } from '../../lib/tags/tag-shape';
import { Tags } from '../../lib/tags/tags';

const LIST: TagShape = { path: ['tags'], form: 'list', keyField: 'key', valueField: 'value' };
const KMS: TagShape = { path: ['tags'], form: 'list', keyField: 'tagKey', valueField: 'tagValue' };
const MAP: TagShape = { path: ['tags'], form: 'map' };
const S3: TagShape = { path: ['tagging', 'tagSet'], form: 'list', keyField: 'key', valueField: 'value' };

const kv = (key: string, value: string) => ({ type: 'object', properties: { [key]: { type: 'string' }, [value]: { type: 'string' } } });

describe('tag shape derived from the CRD schema (R-G3)', () => {
  test('R-G3 spec.tags list of {key, value}', () => {
    expect(deriveTagShape({ properties: { tags: { type: 'array', items: kv('key', 'value') } } })).toEqual(LIST);
  });

  test('R-G3 KMS list of {tagKey, tagValue}', () => {
    expect(deriveTagShape({ properties: { tags: { type: 'array', items: kv('tagKey', 'tagValue') } } })).toEqual(KMS);
  });

  test('R-G3 string map', () => {
    expect(deriveTagShape({ properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } } })).toEqual(MAP);
  });

  test('R-G3 S3 tagging.tagSet', () => {
    const spec = { properties: { name: { type: 'string' }, tagging: { type: 'object', properties: { tagSet: { type: 'array', items: kv('key', 'value') } } } } };
    expect(deriveTagShape(spec)).toEqual(S3);
  });

  test('R-G3 a kind without tags has no shape', () => {
    expect(deriveTagShape({ properties: { name: { type: 'string' } } })).toBeUndefined();
    expect(deriveTagShape(undefined)).toBeUndefined();
  });

  test('R-G3 tags nested below the top level (S3 filters) are not resource tags', () => {
    const spec = { properties: { lifecycle: { type: 'object', properties: { rules: { type: 'array', items: { type: 'object', properties: { tags: { type: 'array', items: kv('key', 'value') } } } } } } } };
    expect(deriveTagShape(spec)).toBeUndefined();
  });

  test('R-G3 an unknown tag shape fails loudly, naming the kind and the field', () => {
    expect(() => deriveTagShape({ properties: { tags: { type: 'array', items: { type: 'string' } } } }, 'Widget')).toThrow(
      /Widget spec\.tags is not a tag shape ACK uses/,
    );
  });
});

describe('writing tags into a spec (R-G3)', () => {
  const tags = new Map([
    ['Environment', 'prod'],
    ['Owner', 'platform'],
  ]);

  test('R-G3 list shape: appended after existing tags, existing values of the same key replaced', () => {
    const spec = { name: 'x', tags: [{ key: 'Team', value: 'a' }, { key: 'Owner', value: 'someone-else' }] };
    expect(withTags(LIST, spec, tags)).toEqual({
      name: 'x',
      tags: [
        { key: 'Team', value: 'a' },
        { key: 'Owner', value: 'platform' },
        { key: 'Environment', value: 'prod' },
      ],
    });
  });

  test('R-G3 KMS shape uses tagKey/tagValue', () => {
    expect(withTags(KMS, {}, tags)).toEqual({ tags: [{ tagKey: 'Environment', tagValue: 'prod' }, { tagKey: 'Owner', tagValue: 'platform' }] });
  });

  test('R-G3 map shape keeps other keys', () => {
    expect(withTags(MAP, { tags: { Team: 'a' } }, tags)).toEqual({ tags: { Team: 'a', Environment: 'prod', Owner: 'platform' } });
  });

  test('R-G3 S3 shape creates tagging.tagSet and keeps siblings', () => {
    expect(withTags(S3, { name: 'b', tagging: {} }, tags)).toEqual({
      name: 'b',
      tagging: { tagSet: [{ key: 'Environment', value: 'prod' }, { key: 'Owner', value: 'platform' }] },
    });
  });

  test('R-G3 an absent spec gets one', () => {
    expect(withTags(LIST, undefined, tags)).toEqual({ tags: [{ key: 'Environment', value: 'prod' }, { key: 'Owner', value: 'platform' }] });
  });

  test('R-G3 the input spec is not modified', () => {
    const spec = { tags: [{ key: 'Team', value: 'a' }] };
    withTags(LIST, spec, tags);
    expect(spec).toEqual({ tags: [{ key: 'Team', value: 'a' }] });
  });

  test('R-G3 readTags reads every shape', () => {
    expect([...readTags(S3, { tagging: { tagSet: [{ key: 'a', value: '1' }] } })]).toEqual([['a', '1']]);
    expect([...readTags(KMS, { tags: [{ tagKey: 'a', tagValue: '1' }] })]).toEqual([['a', '1']]);
    expect([...readTags(MAP, { tags: { a: '1' } })]).toEqual([['a', '1']]);
    expect([...readTags(LIST, {})]).toEqual([]);
  });
});

describe('Tags.of(scope) (R-G3)', () => {
  test('R-G3 a nearer scope overrides the same key and inherits the rest', () => {
    const chart = Testing.chart();
    const inner = new Construct(chart, 'Inner');
    const leaf = new Construct(inner, 'Leaf');
    Tags.of(chart).add('Environment', 'prod');
    Tags.of(chart).add('Owner', 'platform');
    Tags.of(inner).add('Owner', 'payments');
    expect([...Tags.effective(leaf)]).toEqual([
      ['Environment', 'prod'],
      ['Owner', 'payments'],
    ]);
    expect([...Tags.effective(chart)]).toEqual([
      ['Environment', 'prod'],
      ['Owner', 'platform'],
    ]);
  });

  test.each([
    ['aws:createdBy', 'x', /reserved "aws:" prefix/],
    ['services.k8s.aws/namespace', 'x', /ACK's reserved/],
    ['', 'x', /1-128 characters/],
    ['Owner', 'v'.repeat(257), /257 characters/],
    ['Owner', 'semi;colon', /characters AWS rejects/],
  ])('R-G3 tag %p = %p is rejected', (key, value, message) => {
    expect(() => Tags.of(Testing.chart()).add(key, value)).toThrow(message);
  });
});
