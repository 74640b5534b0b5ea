// The strict JSON reader (I-JSON, RFC 7493) and RFC 3339 times, read exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, decodeUtf8Lines, parseStrictJson } from '../../src/statement/strict-json.js';
import { isStatementTime, parseRfc3339, parseTimeArgument } from '../../src/statement/time.js';

describe('parseStrictJson', () => {
  it('reads every JSON text without repeated names as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const p = parseStrictJson(text, 'the text');
        expect(p).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every text in which some object repeats a name, wherever it is', () => {
    const key = fc.string({ maxLength: 6 }).filter((s) => s.isWellFormed());
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
        fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 6, maxLength: 6 }),
        fc.nat(),
        fc.array(fc.constantFrom('array', 'object'), { maxLength: 3 }),
        (names, values, pick, wrappers) => {
          const members = names.map((n, i) => `${JSON.stringify(n)}:${JSON.stringify(values[i])}`);
          const repeated = names[pick % names.length]!;
          members.splice(
            pick % (members.length + 1),
            0,
            `${JSON.stringify(repeated)}:${JSON.stringify(values[5])}`,
          );
          let text = `{${members.join(',')}}`;
          for (const w of wrappers) text = w === 'array' ? `[1,${text},"x:y"]` : `{"a:\\"b":${text}}`;
          const p = parseStrictJson(text, 'the text');
          expect(p).toMatchObject({ ok: false, code: 'duplicate-member' });
          expect(p.ok || p.message).toContain(`repeats the member name ${JSON.stringify(repeated)}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('names the path and the line of a repeated name', () => {
    const p = parseStrictJson('{"statement": {\n  "body": {"a": 1, "a": 2}}}', 'stdin:4');
    expect(p).toEqual({
      ok: false,
      code: 'duplicate-member',
      message: expect.stringContaining(
        'stdin:4 repeats the member name "a" in statement.body (line 2, column 20)',
      ),
    });
  });

  it('refuses lone surrogates and text that is not JSON', () => {
    expect(parseStrictJson('{"a":["\\ud800"]}', 'x')).toMatchObject({
      ok: false,
      code: 'malformed-json',
      message: expect.stringContaining('.a[0]'),
    });
    expect(parseStrictJson('{"a":1,}', 'line 3')).toMatchObject({
      code: 'malformed-json',
      message: expect.stringMatching(/^line 3 is not JSON: /),
    });
  });
});

describe('decodeUtf8', () => {
  it('decodes UTF-8 and refuses any byte sequence that is not, as the WHATWG decoder does', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        let expected: string | undefined;
        try {
          expected = strict.decode(bytes);
        } catch {}
        const d = decodeUtf8(bytes, 'the body');
        if (expected === undefined) expect(d).toMatchObject({ ok: false, code: 'invalid-utf8' });
        else expect(d).toEqual({ ok: true, text: expected });
      }),
      { numRuns: 2000 },
    );
  });

  it('names the offending byte and its offset', () => {
    const d = decodeUtf8(Buffer.from([0x7b, 0x22, 0xe2, 0x82, 0xff]), 'the body');
    expect(d.ok || d.message).toMatch(/^the body is not UTF-8: byte 0xe2 at offset 2 does not begin/);
    const lines = decodeUtf8Lines(Buffer.from('{"a":1}\n\n{"b":"\xff"}\n', 'latin1'), (n) => `line ${n}`);
    expect(lines).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 3, rejection: expect.objectContaining({ code: 'invalid-utf8' }) },
    ]);
  });
});

describe('RFC 3339 times', () => {
  it('every instant toISOString writes is a statement time, and parses back to itself', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const s = d.toISOString();
          expect(isStatementTime(s)).toBe(true);
          expect(parseRfc3339(s)).toBe(d.getTime());
        },
      ),
    );
  });

  it('refuses hour 24, minute or second 60, and days a month does not have', () => {
    for (const s of [
      '2026-12-06T24:00:00.000Z',
      '2026-12-06T23:60:00.000Z',
      '2016-12-31T23:59:60.000Z',
      '2026-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
    ]) {
      expect(isStatementTime(s), s).toBe(false);
      expect(parseRfc3339(s), s).toBeUndefined();
      expect(parseTimeArgument(s), s).toBeUndefined();
    }
    expect(isStatementTime('2024-02-29T00:00:00.000Z')).toBe(true);
    expect(parseRfc3339('2026-07-01T12:00:00+24:00')).toBeUndefined();
  });

  it('reads offsets and fractions as Go does', () => {
    expect(parseTimeArgument('2026-07-01T12:00:00+02:30')).toBe('2026-07-01T09:30:00.000Z');
    expect(parseTimeArgument('2026-07-01T12:00:00.123456789Z')).toBe('2026-07-01T12:00:00.123Z');
    expect(parseTimeArgument('2026-07-01')).toBe('2026-07-01T00:00:00.000Z');
    expect(parseTimeArgument('July 1, 2026')).toBeUndefined();
    expect(parseTimeArgument('2026-07-01 12:00:00Z')).toBeUndefined();
  });
});

describe('nesting', () => {
  it('refuses text nested past json_depth_max before anything recurses over it', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseStrictJson(deep, 'the body')).toMatchObject({
      ok: false,
      code: 'malformed-json',
      message: expect.stringContaining('more than 1000 levels deep'),
    });
    expect(parseStrictJson(`${'['.repeat(999)}${']'.repeat(999)}`, 'x').ok).toBe(true);
  });
});
