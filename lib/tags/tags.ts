/**
 * `Tags.of(scope).add(key, value)`: AWS tags for every ACK object below a scope,
 * like AWS CDK's tag aspect. Tags are only recorded here; `SystemChart` writes
 * them into each object's own tag shape when the chart is synthesized, so
 * objects added after the call are tagged too. A tag set on a nearer scope
 * overrides the same key set further up.
 */
import type { IConstruct } from 'constructs';
import { ValidationError } from '../errors';
import { tagKeyProblem, tagValueProblem } from './tag-rules';

const tagsByScope = new WeakMap<IConstruct, Map<string, string>>();

export class Tags {
  static of(scope: IConstruct): Tags {
    return new Tags(scope);
  }

  /** The tags that apply to `construct`: its scopes' tags, outermost first, nearer scopes winning. */
  static effective(construct: IConstruct): ReadonlyMap<string, string> {
    const result = new Map<string, string>();
    for (const scope of construct.node.scopes) {
      for (const [key, value] of tagsByScope.get(scope) ?? []) result.set(key, value);
    }
    return result;
  }

  private constructor(private readonly scope: IConstruct) {}

  /** @throws ValidationError when AWS would reject the key or value. */
  add(key: string, value: string): void {
    const problem = tagKeyProblem(key) ?? tagValueProblem(key, value);
    if (problem) throw new ValidationError(problem, this.scope);
    const tags = tagsByScope.get(this.scope) ?? new Map<string, string>();
    tags.set(key, value);
    tagsByScope.set(this.scope, tags);
  }
}
