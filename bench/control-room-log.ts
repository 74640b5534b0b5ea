/**
 * A data directory for the control room's benchmark: the embedded demo (its SIMULATED history and
 * the real records shipped with the scenario, a few hundred incidents) plus `incidents` more
 * incident reports. The extra
 * reports are really signed by the monitors' key and admitted through the door at their own
 * times, spread evenly over the demo's four months, each at a point inside a zone (uniform in
 * the zone's bounding box, kept when the zone's polygon holds it), with a type, a source grade
 * and sometimes an attributed actor drawn from a seeded generator.
 */
import { join } from 'node:path';
import { loadAgreement } from '../src/agreement/load.js';
import { dataDirPaths, readSignerKey } from '../src/datadir/data-dir.js';
import { SIMULATED_NONCE_PREFIX, SIMULATED_NOTE_PREFIX } from '../src/demo/demo-history.js';
import { DEFAULT_DEMO_MONTHS, type SeedDemoResult, seedDemo } from '../src/demo/seed-demo.js';
import { INCIDENT_TYPES } from '../src/engine/index.js';
import { zoneBbox, zoneLocator } from '../src/interop/zones.js';
import { initDataDir } from '../src/mechanism/mechanism.js';
import { mulberry32 } from '../src/sim/prng.js';
import { signStatement } from '../src/statement/envelope.js';
import type { Envelope } from '../src/statement/types.js';

/** Extra reports are admitted on a 10-minute grid: one door call per group, as seedDemo admits them. */
const admission_grid_ms = 10 * 60_000;

/** Initializes `dir` and seeds it with the demo plus `incidents` signed incident reports. */
export function buildControlRoomLog(
  dir: string,
  incidents: number,
  onProgress?: (line: string) => void,
): SeedDemoResult & { extraIncidents: number } {
  initDataDir(dir);
  const paths = dataDirPaths(dir);
  const agreement = loadAgreement(paths.agreementPath);
  const signer = readSignerKey(join(paths.keysDir, 'monitors.key'));
  const extra = incidents;
  const rnd = mulberry32(100_000);
  const start = Date.parse(agreement.signedAt ?? '2026-06-26T16:00:00.000Z') + 3 * 3_600_000;
  const endDate = new Date(start);
  endDate.setUTCMonth(endDate.getUTCMonth() + DEFAULT_DEMO_MONTHS);
  const span = endDate.getTime() - start - 3_600_000;
  const locate = zoneLocator(agreement);
  const zones = agreement.zones.filter((z) => z.geometry !== undefined).map((z) => z.id);
  const actors = [...agreement.actors.map((a) => a.id), 'israel', 'unknown'];
  const pointIn = (zone: string): [number, number] => {
    const [w, s, e, n] = zoneBbox(agreement, zone);
    for (let tries = 0; tries < 10_000; tries++) {
      const lon = w + (e - w) * rnd();
      const lat = s + (n - s) * rnd();
      if (locate(lon, lat) === zone) return [Math.round(lon * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5];
    }
    throw new Error(`no point found inside zone ${zone}`);
  };
  const envelopes: Envelope[] = [];
  for (let i = 0; i < extra; i++) {
    const at = start + Math.floor(((i + rnd()) / extra) * span);
    const admitted = new Date(Math.ceil(at / admission_grid_ms) * admission_grid_ms).toISOString();
    const happened = at - Math.floor(rnd() * 6 * 3_600_000);
    const zone = zones[Math.floor(rnd() * zones.length)]!;
    const [longitude, latitude] = pointIn(zone);
    const actor = rnd() < 0.6 ? actors[Math.floor(rnd() * actors.length)] : undefined;
    envelopes.push(
      signStatement(
        {
          kind: 'incident.report',
          agreement: agreement.id,
          issuer: 'monitors',
          key: signer.vkey,
          at: admitted,
          nonce: `${SIMULATED_NONCE_PREFIX}bench-${i}`,
          classification: 'public',
          subject: `bench-inc-${String(i).padStart(6, '0')}`,
          body: {
            date_start: new Date(happened).toISOString(),
            date_end: new Date(happened + 20 * 60_000).toISOString(),
            zone,
            latitude,
            longitude,
            type: INCIDENT_TYPES[Math.floor(rnd() * INCIDENT_TYPES.length)]!,
            ...(actor !== undefined ? { actor } : {}),
            source_grade: `${'ABCDEF'[Math.floor(rnd() * 6)]}${1 + Math.floor(rnd() * 6)}`,
            note: `${SIMULATED_NOTE_PREFIX}benchmark load`,
          },
        },
        signer,
      ),
    );
    if ((i + 1) % 10_000 === 0) onProgress?.(`signed ${i + 1} / ${extra} extra incident reports`);
  }
  let reported = 0;
  const result = seedDemo(dir, {
    extra: envelopes,
    onProgress: (p) => {
      if (p.phase !== 'ingest' || p.done - reported < 5000) return;
      reported = p.done;
      onProgress?.(`admitted ${p.done} / ${p.total}`);
    },
  });
  if (result.rejected.length > 0)
    throw new Error(
      `the benchmark's log: ${result.rejected.length} statements rejected, the first: ${JSON.stringify(result.rejected[0])}`,
    );
  return { ...result, extraIncidents: extra };
}
