import { describe, expect, it } from 'vitest';
import { parseLimits, settable_limits } from '../../src/cli/commands-serve.js';
import { UsageError } from '../../src/cli/input.js';
import { server_defaults } from '../../src/server/options.js';

describe('serve --limit NAME=VALUE', () => {
  it('sets the numeric server limits by name, the last one given winning', () => {
    expect(
      parseLimits(['rate_key_statements_per_second=5000', 'body_bytes_max=2048', 'body_bytes_max=4096']),
    ).toEqual({ rate_key_statements_per_second: 5000, body_bytes_max: 4096 });
    expect(parseLimits([])).toEqual({});
    // Every numeric option is settable, and nothing else (the clock, CORS, the logger).
    for (const k of settable_limits) expect(typeof server_defaults[k]).toBe('number');
    expect(settable_limits).toContain('rate_address_requests_max');
    expect(settable_limits).not.toContain('now');
    expect(settable_limits).not.toContain('cors_origins');
  });

  it('refuses, in words that name the fix, an unknown name, a value that is not a number, and a bare word', () => {
    const refuse = (spec: string) => {
      try {
        parseLimits([spec]);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error(`--limit ${spec} was accepted`);
    };
    expect(refuse('rate_per_fortnight=3')).toMatch(
      /no limit named rate_per_fortnight; the limits are .*body_bytes_max/,
    );
    expect(refuse('now=3')).toMatch(/no limit named now/);
    expect(refuse('body_bytes_max=lots')).toMatch(/lots is not a non-negative number/);
    expect(refuse('body_bytes_max=-1')).toMatch(/-1 is not a non-negative number/);
    expect(refuse('body_bytes_max')).toMatch(/write NAME=VALUE/);
  });
});
