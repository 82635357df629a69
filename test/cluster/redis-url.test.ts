// Redis URLs in cluster mode: which are accepted, and that a password never survives into a message.
import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl, redactSecret, RedisUrlError } from '../../server/cluster/redis-url.js';

describe('Redis URLs', () => {
  it('accepts redis:// and rediss:// URLs with a password, user and database number', () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://:s3cret@host:6379', 'rediss://initlab:s3cret@redis.example:6380/2']) {
      expect(parseRedisUrl(url)).toBe(url);
    }
  });

  it('refuses other schemes and paths, naming the field, without echoing the password', () => {
    expect(() => parseRedisUrl('http://host:6379', 'INITLAB_REDIS')).toThrow(/^INITLAB_REDIS must start with redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('redis://:pw@host/queue')).toThrow(RedisUrlError);
    expect(() => parseRedisUrl('redis//:hunter2@host')).toThrow(/^--redis must be a URL like redis:\/\/host:6379/);
    expect(() => parseRedisUrl('redis://:hunter2@host:6379/x')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('redacts the user and password of every Redis URL in a text, and the bare password too', () => {
    expect(redactRedisUrl('connect to redis://:s3cret@10.0.0.5:6379 failed')).toBe('connect to redis://***@10.0.0.5:6379 failed');
    expect(redactRedisUrl('rediss://initlab:s3cret@host:6380/1')).toBe('rediss://***@host:6380/1');
    expect(redactSecret('WRONGPASS for s3cret at redis://:s3cret@host', 'redis://:s3cret@host')).toBe('WRONGPASS for *** at redis://***@host');
    expect(redactSecret('AUTH p@ss', 'redis://:p%40ss@host')).toBe('AUTH ***');
  });
});
