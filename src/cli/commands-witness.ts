/**
 * `phaseline witness serve|key|evidence`: a party's witness (C2SP tlog-witness), which cosigns
 * the log's checkpoints only when they extend what it saw, and keeps the evidence when they do
 * not. See docs/witness.md.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseVerifierKey } from '../statement/keys.js';
import { parseWitnessKey } from '../witness/cosignature.js';
import { checkEvidence, EvidenceError, type SplitViewEvidence } from '../witness/evidence.js';
import { openWitness, witnessKey, witnessPaths } from '../witness/witness-dir.js';
import { serveWitness } from '../witness/witness-server.js';
import { WitnessStore } from '../witness/witness-store.js';
import { UsageError } from './input.js';

const collect = (v: string, all: string[] = []) => [...all, v];

function portOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${v}: not a TCP port`);
  return n;
}

/** Evidence from a witness's directory (read beside a running witness) or its URL. */
async function readEvidence(opts: { data?: string; url?: string }): Promise<SplitViewEvidence[]> {
  if ((opts.data === undefined) === (opts.url === undefined))
    throw new UsageError('give the witness as --data DIR or --url URL');
  if (opts.url !== undefined) {
    const url = `${opts.url.replace(/\/+$/, '')}/evidence`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return (await res.json()) as SplitViewEvidence[];
  }
  const paths = witnessPaths(opts.data!);
  if (!existsSync(paths.dbPath))
    throw new UsageError(`${paths.dbPath} does not exist: no witness has run there`);
  const store = new WitnessStore(paths.dbPath);
  try {
    const all: SplitViewEvidence[] = [];
    for (let page = store.evidence(0); page.length > 0; page = store.evidence(page[page.length - 1]!.id))
      all.push(...page);
    return all;
  } finally {
    store.close();
  }
}

export function registerWitnessCommands(program: Command): void {
  const witness = program
    .command('witness')
    .description("a party's witness: cosigns the log's checkpoints only when they extend what it saw");

  witness
    .command('serve')
    .requiredOption('--data <dir>', 'the witness directory (its key and state; made on first use)')
    .requiredOption(
      '--log <vkey>',
      'verifier key of a log to watch (repeat for several); the origin is its name',
      collect,
    )
    .option('--name <name>', 'the witness name for a new key, e.g. witness.israel.example (default: random)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port (0: any free port)', portOption, 7380)
    .description('serve C2SP tlog-witness: POST /add-checkpoint, GET /evidence')
    .action(async (opts: { data: string; log: string[]; name?: string; host: string; port: number }) => {
      for (const k of opts.log) {
        try {
          parseVerifierKey(k);
        } catch (e) {
          throw new UsageError(`--log: ${(e as Error).message}`);
        }
      }
      const w = openWitness(opts.data, { logs: opts.log, ...(opts.name ? { name: opts.name } : {}) });
      const running = await serveWitness(w, opts.host, opts.port);
      process.stdout.write(
        `witness ${w.vkey}\nlistening on ${running.url} (POST /add-checkpoint, GET /evidence); watching ${w.origins.join(', ')}\n`,
      );
      const stop = () => {
        void running.close().then(() => {
          w.store.close();
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  witness
    .command('key')
    .requiredOption('--data <dir>', 'the witness directory')
    .option('--name <name>', 'make a key with this name when the directory has none')
    .description("print the witness's verifier key (cosignature/v1), for the agreement's witnesses section")
    .action((opts: { data: string; name?: string }) => {
      const paths = witnessPaths(opts.data);
      process.stdout.write(`${witnessKey(paths, opts.name ? { name: opts.name } : undefined).vkey}\n`);
    });

  witness
    .command('evidence')
    .option('--data <dir>', "the witness's directory (works while it runs)")
    .option('--url <url>', "the witness's address")
    .option('--log <vkey>', "check each record against this log's verifier key")
    .option('--witness <vkey>', "also check the witness's cosignature on the checkpoint it cosigned")
    .option('--json', 'print JSON')
    .description(
      'print the split-view evidence a witness kept: both checkpoints and what proves they conflict',
    )
    .action(async (opts: { data?: string; url?: string; log?: string; witness?: string; json?: boolean }) => {
      const records = await readEvidence(opts);
      const log = opts.log === undefined ? undefined : parseVerifierKey(opts.log);
      const w = opts.witness === undefined ? undefined : parseWitnessKey(opts.witness);
      const checked = records.map((e) => {
        if (log === undefined) return { evidence: e };
        try {
          const f = checkEvidence(e, log, w);
          return { evidence: e, proven: f.proven, summary: f.summary };
        } catch (err) {
          if (!(err instanceof EvidenceError)) throw err;
          return { evidence: e, invalid: err.message };
        }
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(checked)}\n`);
        return;
      }
      if (records.length === 0)
        process.stdout.write('no evidence: the witness refused nothing a log signed\n');
      for (const c of checked) {
        const e = c.evidence;
        process.stdout.write(`#${e.id} ${e.observed} ${e.origin} ${e.kind}\n`);
        if ('summary' in c)
          process.stdout.write(`  ${c.proven ? 'PROVEN FORK' : 'NOT A PROOF ON ITS OWN'}: ${c.summary}\n`);
        else if ('invalid' in c) process.stdout.write(`  INVALID EVIDENCE: ${c.invalid}\n`);
        process.stdout.write(`${indent(e.cosigned, 'cosigned')}${indent(e.refused, 'refused')}`);
        if (e.impliedRoot !== undefined)
          process.stdout.write(`  the refused tree's root at the cosigned size: ${e.impliedRoot}\n`);
      }
    });
}

function indent(note: string, label: string): string {
  return `  ${label}:\n${note
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `    ${l}\n`)
    .join('')}`;
}
