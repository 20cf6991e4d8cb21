/** Retry timing (R-O3): client-go's default controller rate limiter. */
import { describe, expect, test } from '@jest/globals';
import { defaultControllerRateLimiter, ExponentialBackoffRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter } from '../../../operator/runtime/rate-limiter';

describe('rate limiters (R-O3)', () => {
  test('R-O3 per-key exponential backoff: 5 ms doubling, capped, independent per key, reset by forget()', () => {
    const limiter = new ExponentialBackoffRateLimiter(5, 1000);
    expect([1, 2, 3, 4, 5].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.when('b')).toBe(5);
    for (let i = 0; i < 20; i++) limiter.when('a');
    expect(limiter.when('a')).toBe(1000);
    expect(limiter.numRequeues('a')).toBe(26);
    limiter.forget('a');
    expect(limiter.when('a')).toBe(5);
  });

  test('R-O3 the overall token bucket allows a burst, then spaces retries at its rate, and refills with time', () => {
    let now = 0;
    const bucket = new TokenBucketRateLimiter(10, 3, () => now);
    expect([bucket.when(), bucket.when(), bucket.when()]).toEqual([0, 0, 0]);
    expect(bucket.when()).toBe(100);
    expect(bucket.when()).toBe(200);
    now = 10_000;
    expect(bucket.when()).toBe(0);
  });

  test('R-O3 the default limiter takes the slower of the two', () => {
    const limiter = new MaxOfRateLimiter(new ExponentialBackoffRateLimiter(5, 1000), new TokenBucketRateLimiter(10, 1, () => 0));
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('b')).toBe(100);
    expect(defaultControllerRateLimiter().when('x')).toBe(5);
  });
});
