/**
 * The API the control room (web/) needs beside the state routes, each one call to the public
 * service interface: the log's verifier key (what the page pins to check checkpoints) and the
 * daily report of a day (src/report), at the reader's clearance. Registered with the static app
 * by {@link registerControlRoom}.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { buildDailyReport, dayBounds } from '../report/build-daily.js';
import type { DailyReport } from '../report/model.js';
import type { MechanismService } from '../service/mechanism-service.js';
import { ApiError, type Reader } from './auth.js';
import { registerWebApp } from './web-app.js';

/** The daily report of UTC day `date` as `reader` may see it, as of `now` for today. */
export async function dailyReport(
  service: MechanismService,
  date: string,
  clearance: Reader['clearance'],
  now: string,
): Promise<DailyReport> {
  const { from, to } = dayBounds(date);
  if (from > now)
    throw new ApiError('bad-time', `${date} has not begun yet; a report covers a past day or today`);
  const asOf = to < now ? new Date(Date.parse(to) - 1).toISOString() : now;
  const [start, end, size, checkpoint] = [
    await service.stateAt(new Date(Date.parse(from) - 1).toISOString(), clearance),
    await service.stateAt(asOf, clearance),
    await service.size(),
    await service.checkpoint(),
  ];
  return buildDailyReport({
    agreement: service.agreement,
    date,
    start,
    end,
    asOf,
    clearance,
    checkpoint: checkpoint ?? null,
    size,
  });
}

const anyObject = (description: string) => ({ description, type: 'object', additionalProperties: true });

export async function registerControlRoom(
  app: FastifyInstance,
  service: MechanismService,
  readerOf: (req: FastifyRequest) => Promise<Reader>,
): Promise<void> {
  app.get(
    '/v1/log-key',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['log'],
        summary:
          'The log’s origin and its C2SP signed-note verifier key (pin it to check checkpoints and receipts)',
        response: { 200: anyObject('`{origin, key}`') },
      },
    },
    async () => ({ origin: service.origin, key: service.logKey }),
  );
  app.get(
    '/v1/reports/daily/:date',
    {
      schema: {
        tags: ['state'],
        summary:
          'The daily report of a UTC day (YYYY-MM-DD) at the reader’s clearance: stage changes, what each zone waits for, incidents, strikes, findings, contested claims, overdue obligations, truce, escrow movements, and the checkpoint it was made from; every fact cites log indexes',
        security: [{ bearer: [] }, {}],
        params: { type: 'object', properties: { date: { type: 'string' } }, required: ['date'] },
        response: { 200: anyObject('The report (src/report/model.ts)'), 400: anyObject('bad date') },
      },
    },
    async (req) => {
      const reader = await readerOf(req);
      const { date } = req.params as { date: string };
      try {
        dayBounds(date);
      } catch (e) {
        throw new ApiError('bad-time', (e as Error).message);
      }
      return dailyReport(service, date, reader.clearance, app.phaseline.options.now());
    },
  );
  await registerWebApp(app);
}
