/** POST /v1/statements (one as JSON, a batch as NDJSON) and GET /v1/statements/:idOrIndex. */
import type { FastifyInstance } from 'fastify';
import { isSimulated } from '../../demo/demo-history.js';
import type { IngestResult, SubmitGate } from '../../ingest/ingest.js';
import { opensCommitment } from '../../statement/commitment.js';
import { EnvelopeText } from '../../statement/envelope.js';
import { decodeEntry } from '../../statement/log-entry.js';
import { decodeUtf8Lines } from '../../statement/strict-json.js';
import { CLASSIFICATION_RANK, type Classification } from '../../statement/types.js';
import { ApiError, KeyRateLimiter } from '../auth.js';
import type { ServerContext } from '../context.js';
import { NdjsonBody } from '../request-body.js';
import { anyObject, errorSchema } from '../schemas.js';
import { STATUS_BY_CODE, statusFor } from '../status-codes.js';

/** Where statements are submitted (one as JSON, a batch as NDJSON). */
export const statements_route = '/v1/statements';

export function statementRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { service, options, metrics } = ctx;
  // The per-key statement limit is taken once a statement's signatures verified (a gate of
  // `submit`): a forged statement that names someone's key cannot use up that key's allowance.
  const keyLimiter = new KeyRateLimiter(
    options.rate_key_statements_per_second,
    options.rate_key_statements_burst,
  );
  const keyGate =
    (sentence: string): SubmitGate =>
    (envelope) =>
      keyLimiter.take(envelope.statement.key, 1)
        ? undefined
        : {
            code: 'rate-limited',
            message: `this key submits more than ${options.rate_key_statements_per_second} statements per second; ${sentence}`,
          };
  const oneGate = keyGate('slow down');
  const batchGate = keyGate('resubmit this line later');

  const submitOne = async (value: unknown): Promise<{ status: number; body: unknown }> => {
    let r: IngestResult;
    try {
      [r] = (await service.submit([value], options.now(), oneGate)) as [IngestResult];
    } catch (e) {
      return { status: 503, body: { code: 'unavailable', message: (e as Error).message } };
    }
    metrics.submissions.inc({ result: r.ok ? 'admitted' : r.code });
    if (!r.ok) return { status: statusFor(r.code), body: r };
    return { status: 201, body: { index: r.index, id: r.id, receipt: await service.receipt(r.index) } };
  };

  const submitBatch = async (body: NdjsonBody, withReceipts: boolean): Promise<string> => {
    // Lines go to the service as texts: they are parsed where their signatures are checked
    // (the verification workers), not on the thread that sequences the log. A line whose bytes
    // are not UTF-8 is answered here and goes nowhere.
    const lines = decodeUtf8Lines(body.bytes, (line) => `line ${line}`);
    if (lines.length > options.batch_statements_max)
      throw new ApiError(
        'body-too-large',
        `the batch has more than ${options.batch_statements_max} statements (batch_statements_max); split it`,
      );
    const items: { line: number; text: EnvelopeText }[] = [];
    for (const l of lines)
      if ('text' in l) items.push({ line: l.line, text: new EnvelopeText(l.text, `line ${l.line}`) });
    let results: IngestResult[];
    try {
      results = await service.submit(
        items.map((it) => it.text),
        options.now(),
        batchGate,
      );
    } catch (e) {
      throw new ApiError('unavailable', (e as Error).message);
    }
    const out: string[] = new Array(lines.length);
    let answered = 0;
    for (const [k, it] of lines.entries()) {
      const r = 'rejection' in it ? it.rejection : results[answered++]!;
      metrics.submissions.inc({ result: r.ok ? 'admitted' : r.code });
      out[k] = JSON.stringify(
        r.ok
          ? withReceipts
            ? { line: it.line, index: r.index, id: r.id, receipt: await service.receipt(r.index) }
            : { line: it.line, index: r.index, id: r.id }
          : { line: it.line, ...r, ok: undefined },
      );
    }
    return out.join('\n') + (lines.length > 0 ? '\n' : '');
  };

  app.post(
    statements_route,
    {
      schema: {
        tags: ['statements'],
        summary: 'Submit one signed statement (JSON) or a batch (NDJSON)',
        description: [
          'With `Content-Type: application/json`: one envelope `{statement, signatures}`; 201 with `{index, id, receipt}` once the statement is durable and covered by a signed checkpoint (`receipt` is a C2SP tlog-proof), or a rejection `{code, message}` with the status from the table in the API description.',
          '',
          'With `Content-Type: application/x-ndjson`: one envelope per line; 200 with one NDJSON line per non-blank input line, in order, each `{line, index, id, receipt}` or `{line, code, message}`. `?receipts=false` leaves the receipts out.',
          '',
          'Statements are rate-limited per signing key, counted once their signatures verify (a forgery naming a key uses none of its allowance); the body is limited per content type.',
        ].join('\n'),
        consumes: ['application/json', 'application/x-ndjson'],
        querystring: {
          type: 'object',
          properties: {
            receipts: { type: 'boolean', default: true, description: 'NDJSON batches: include receipts' },
          },
        },
        response: {
          200: { description: 'NDJSON batch: one result line per input line', type: 'string' },
          201: anyObject('Admitted: `{index, id, receipt}`'),
          ...Object.fromEntries([...new Set(Object.values(STATUS_BY_CODE))].map((s) => [s, errorSchema])),
        },
      },
    },
    async (req, reply) => {
      if (req.body instanceof NdjsonBody) {
        const out = await submitBatch(req.body, (req.query as { receipts?: boolean }).receipts !== false);
        return reply.status(200).header('content-type', 'application/x-ndjson').send(out);
      }
      const r = await submitOne(req.body);
      return reply.status(r.status as 201).send(r.body);
    },
  );

  app.get(
    '/v1/statements/:idOrIndex',
    {
      schema: {
        tags: ['statements'],
        summary:
          'A statement by id (64 hex) or log index: its leaf, receipt and, for cleared readers, its content',
        description:
          'For a restricted statement the leaf is its commitment; the `disclosure` (envelope and salt, which open the commitment) is included only for a reader whose clearance covers its classification. Looking a restricted statement up by id without that clearance answers 404, so ids cannot be confirmed.',
        security: [{ bearer: [] }, {}],
        params: { type: 'object', properties: { idOrIndex: { type: 'string' } }, required: ['idOrIndex'] },
        response: { 200: anyObject('The entry'), 400: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const reader = await ctx.readerOf(req);
      const p = (req.params as { idOrIndex: string }).idOrIndex;
      let index: number | undefined;
      const byId = /^[0-9a-f]{64}$/.test(p);
      if (byId) index = await service.indexOfStatement(p);
      else if (/^(0|[1-9][0-9]{0,15})$/.test(p)) index = Number(p);
      else
        throw new ApiError(
          'bad-request',
          `${p} is neither a statement id (64 lowercase hex) nor a log index`,
        );
      const notFound = new ApiError('not-found', `no statement ${p} in the log`);
      if (index === undefined) throw notFound;
      const stored = await service.entry(index, true);
      if (stored === undefined) throw notFound;
      const leaf = decodeEntry(stored.bytes, `entry ${index}`);
      const classification: Classification = 'commitment' in leaf ? leaf.commitment.classification : 'public';
      const cleared = CLASSIFICATION_RANK[reader.clearance] >= CLASSIFICATION_RANK[classification];
      if (byId && !cleared) throw notFound;
      const envelope = 'envelope' in leaf ? leaf.envelope : cleared ? stored.disclosure?.envelope : undefined;
      const body: Record<string, unknown> = {
        index,
        classification,
        admitted: leaf.admitted,
        leaf,
        receipt: await service.receipt(index),
      };
      if (envelope !== undefined) {
        body.statement = envelope.statement;
        body.simulated = isSimulated(envelope.statement);
      }
      if (cleared && 'commitment' in leaf && stored.disclosure !== undefined) {
        body.disclosure = stored.disclosure;
        body.opensCommitment = opensCommitment(leaf.commitment, stored.disclosure);
      }
      return reply.send(body);
    },
  );
}
