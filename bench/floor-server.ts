/**
 * The floor under `phaseline serve`'s batch ingestion: a server that does only what no design of
 * it can leave out, and nothing of the mechanism. Started by bench/ingest-floor.ts, not by users.
 *
 * It has the real server's parts in the real server's arrangement: Fastify with the same NDJSON
 * body parser, the same verification pool (each line parsed, canonicalized and its signature
 * checked in a worker thread, as `EnvelopeText`), and the same durable log (`TransparencyLog` on
 * the SQLite store, synchronous=FULL: tree, tiles and a signed checkpoint per commit). What it
 * leaves out is everything that makes a log the mechanism's: the engine's door (keys, roles,
 * subjects, time, duplicates), the three clearance views and their folds, the record store,
 * receipts, rate limits, metrics and live updates. Each request is one group commit.
 *
 * Run by the benchmark as: node --import tsx bench/floor-server.ts DATA_DIR (it prints
 * `{"url": …}` once it listens). It loads the compiled code from dist/ (`npm run build` first),
 * as `phaseline serve` does; only this file runs through tsx.
 */
import Fastify from 'fastify';

type Dist<T> = Promise<T>;
const { dataDirPaths, readSignerKey } = await (import('../dist/datadir/data-dir.js' as string) as Dist<
  typeof import('../src/datadir/data-dir.js')
>);
const { TransparencyLog } = await (import('../dist/log/transparency-log.js' as string) as Dist<
  typeof import('../src/log/transparency-log.js')
>);
const { SqliteLogStore } = await (import('../dist/store/sqlite/sqlite-log-store.js' as string) as Dist<
  typeof import('../src/store/sqlite/sqlite-log-store.js')
>);
const { VerifyPool } = await (import('../dist/statement/verify-pool.js' as string) as Dist<
  typeof import('../src/statement/verify-pool.js')
>);
const { CheckedEnvelope, EnvelopeText } = await (import('../dist/statement/envelope.js' as string) as Dist<
  typeof import('../src/statement/envelope.js')
>);
const { ingest } = await (import('../dist/ingest/ingest.js' as string) as Dist<
  typeof import('../src/ingest/ingest.js')
>);

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: node --import tsx bench/floor-server.ts DATA_DIR');
const paths = dataDirPaths(dir);
const signer = readSignerKey(paths.logKeyPath);
const log = new TransparencyLog(new SqliteLogStore(paths.dbPath), { origin: signer.name, signer });
const pool = new VerifyPool();

const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) =>
  done(null, body),
);
app.post('/v1/statements', async (req, reply) => {
  const lines = (req.body as string).split('\n');
  const items: { line: number; text: InstanceType<typeof EnvelopeText> }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l !== '') items.push({ line: i + 1, text: new EnvelopeText(l, `line ${i + 1}`) });
  }
  const verdicts = await pool.verify(items.map((it) => it.text));
  const checked = verdicts.filter((v) => v instanceof CheckedEnvelope);
  const results = ingest(log, checked, {
    now: new Date().toISOString(),
    // The door, reduced to the signature checks the pool made.
    admit: (_envelope, _at, verified) => ({ ok: true, id: verified!.id }),
    admitRejectsLoggedIds: true,
  });
  let next = 0;
  const out = items.map((it, k) => {
    const v = verdicts[k]!;
    const r = v instanceof CheckedEnvelope ? results[next++]! : v;
    return JSON.stringify(
      r.ok ? { line: it.line, index: r.index, id: r.id } : { line: it.line, ...r, ok: undefined },
    );
  });
  return reply.header('content-type', 'application/x-ndjson').send(`${out.join('\n')}\n`);
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url }));
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
