// Standard input, read as a user feeds it (finding 6 of the hardening issue): the README's own
// pipeline `phaseline sign | phaseline log append` failed with EAGAIN in most runs, and a slow
// producer always, and the statement was lost. These run the compiled command in a real shell.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distCli, tempDir } from '../helpers/cli.js';

let dir: string;
let data: string;

function sh(script: string, input?: string) {
  const r = spawnSync('bash', ['-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PL: `node ${distCli}` },
    ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let reports = 0;
/** A statement payload the monitors may sign: an incident report with a fresh id. */
const note = (text: string) =>
  JSON.stringify({
    kind: 'incident.report',
    agreement: 'lebanon-2026',
    subject: `stdin-${reports++}`,
    body: {
      date_start: '2026-12-01T10:00:00Z',
      date_end: '2026-12-01T10:00:00Z',
      type: 'armed-presence',
      latitude: 33.2,
      longitude: 35.4,
      source_grade: 'B2',
      note: text,
    },
  });

beforeAll(() => {
  dir = tempDir('phaseline-stdin-');
  data = join(dir, 'office');
  expect(sh(`$PL init --data ${data}`).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('standard input', () => {
  it('phaseline sign | phaseline log append admits every statement, run after run', () => {
    const runs = 4;
    for (let i = 0; i < runs; i++) {
      const r = sh(
        `echo '${note(`pipe ${i}`)}' | $PL sign --key ${data}/keys/monitors.key | $PL log append --data ${data}`,
      );
      expect(r.stderr).not.toContain('EAGAIN');
      expect([r.code, r.stdout.trim()]).toEqual([0, `appended 1, rejected 0; log size ${i + 1}`]);
    }
  }, 180_000);

  it('reads a slow producer to its end', () => {
    const r = sh(
      `(sleep 1; echo '${note('slow 1')}'; sleep 1; echo '${note('slow 2')}') | $PL sign --key ${data}/keys/monitors.key | (sleep 1; cat) | $PL log append --data ${data} --json`,
    );
    expect(r.stderr).toBe('');
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('reads a file given as an argument, as "-", or redirected', () => {
    writeFileSync(join(dir, 'payload.json'), `${note('from a file')}\n`);
    const signed = sh(`$PL sign --key ${data}/keys/monitors.key payload.json > signed.ndjson`);
    expect(signed.code).toBe(0);
    const r = sh(`$PL log append --data ${data} --json - < signed.ndjson`);
    expect(JSON.parse(r.stdout)).toMatchObject({ line: 1, ok: true });
  });

  it('reads a terminal until Ctrl-D', () => {
    // `script` gives the command a pseudo-terminal as standard input; what we write reaches it as typed.
    const r = spawnSync(
      'script',
      ['-qec', `node ${distCli} sign --key ${data}/keys/monitors.key > typed.ndjson`, '/dev/null'],
      { cwd: dir, encoding: 'utf8', input: `${note('typed')}\n\x04`, timeout: 30_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('end the input with Ctrl-D');
    const appended = sh(`$PL log append --data ${data} --json typed.ndjson`);
    expect(JSON.parse(appended.stdout)).toMatchObject({ line: 1, ok: true });
  });

  it('refuses input that is not I-JSON, naming the input, line and what is wrong', () => {
    const dup = '{"kind":"observation.note","kind":"zone.stage.sign","agreement":"lebanon-2026","body":{}}';
    const r = sh(`$PL sign --key ${data}/keys/monitors.key`, `${note('fine')}\n${dup}\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'stdin:2 repeats the member name "kind" in the top-level object (line 1, column 28)',
    );
    expect(r.stderr).toContain('(duplicate-member)');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const late = sh(
      `$PL sign --key ${data}/keys/monitors.key`,
      note('x').replace('"body"', '"at":"2026-12-06T24:00:00.000Z","body"'),
    );
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/stdin:1: schema: malformed envelope: statement\.at: .*hours 00–23/);
    const latin1 = spawnSync('node', [distCli, 'log', 'append', '--data', data], {
      input: Buffer.from(`${note('caf\xe9')}\n`, 'latin1'),
      encoding: 'utf8',
    });
    expect(latin1.status).toBe(1);
    expect(latin1.stderr).toContain('stdin:1 is not UTF-8: byte 0xe9 at offset');
  });
});
