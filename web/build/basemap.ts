/**
 * Writes the control room's offline basemap into the built app (dist/web/basemap/): countries,
 * governorates, districts, Israeli districts, rivers, the Blue Line proxy and localities, from the
 * geometry the scenario ships (scenarios/lebanon-2026/geo, origins and licences in its
 * SOURCES.md). Localities become GeoJSON points with their English, Arabic and Hebrew names; only
 * those near the zones are kept (latitude 32.9–33.75), which is what the map shows.
 *
 * Run by `npm run build:web` after Vite (which empties dist/web first).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const geo = join(root, 'scenarios/lebanon-2026/geo');
const out = join(root, 'dist/web/basemap');
mkdirSync(out, { recursive: true });

interface Feature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: unknown;
}

const read = (file: string) => JSON.parse(readFileSync(join(geo, file), 'utf8')) as { features: Feature[] };
const write = (name: string, features: Feature[], attribution: string) =>
  writeFileSync(
    join(out, `${name}.geojson`),
    JSON.stringify({ type: 'FeatureCollection', attribution, features }),
  );
const pick = (f: Feature, keys: Record<string, string>): Feature => ({
  type: 'Feature',
  geometry: f.geometry,
  properties: Object.fromEntries(Object.entries(keys).map(([to, from]) => [to, f.properties[from] ?? null])),
});

write(
  'countries',
  read('source/ne10m_countries_levant.geojson').features.map((f) => pick(f, { name: 'name', iso: 'iso_a2' })),
  'Natural Earth (public domain)',
);
write(
  'governorates',
  read('source/lbn_adm1_governorates_wof.geojson').features.map((f) =>
    pick(f, { name: 'name_eng', name_ar: 'name_ara', name_he: 'name_heb' }),
  ),
  "Data from Who's On First",
);
write(
  'districts',
  read('source/lbn_adm2_cazas_wof.geojson').features.map((f) =>
    pick(f, { name: 'name_eng', name_ar: 'name_ara', name_he: 'name_heb' }),
  ),
  "Data from Who's On First",
);
write(
  'israel-districts',
  read('source/ne10m_admin1_lbn_isr.geojson')
    .features.filter((f) => f.properties.adm0_a3 === 'ISR')
    .map((f) => pick(f, { name: 'name_en', name_ar: 'name_ar', name_he: 'name_he' })),
  'Natural Earth (public domain)',
);
write(
  'rivers',
  [
    ...read('litani.geojson').features.map((f) => ({ ...f, properties: { name: 'Litani' } })),
    ...read('source/river_zahrani_osm.geojson').features.map((f) => ({
      ...f,
      properties: { name: 'Zahrani' },
    })),
    ...read('source/river_awali_osm.geojson').features.map((f) => ({ ...f, properties: { name: 'Awali' } })),
  ],
  '© OpenStreetMap contributors, ODbL 1.0',
);
write(
  'blue-line-proxy',
  read('blue-line-proxy.geojson').features,
  'Natural Earth (public domain); a proxy, not the UN Blue Line',
);

/** A minimal CSV reader: the WOF exports quote fields that hold commas. */
function csvRows(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((h, k) => [h, r[k] ?? ''])));
}

const localities: Feature[] = [];
const near = (lat: number) => lat > 32.9 && lat < 33.75;
for (const r of csvRows(readFileSync(join(geo, 'source/lbn_localities_wof.csv'), 'utf8'))) {
  const lat = Number(r.lat);
  if (r.placetype !== 'locality' || !near(lat)) continue;
  localities.push({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [Number(r.lon), lat] },
    properties: { name: r.name, name_ar: r.name_ara || null, name_he: null, country: 'LB' },
  });
}
for (const r of csvRows(readFileSync(join(geo, 'source/isr_north_localities_wof.csv'), 'utf8'))) {
  const lat = Number(r.lat);
  if (!near(lat) || r.county === '') continue;
  localities.push({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [Number(r.lon), lat] },
    properties: { name: r.name, name_ar: r.name_ara || null, name_he: r.name_heb || null, country: 'IL' },
  });
}
write('localities', localities, "Data from Who's On First");
process.stdout.write(`basemap: ${localities.length} localities written to ${out}\n`);
