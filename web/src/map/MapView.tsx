/**
 * The map: the offline basemap, zones coloured by stage (feature state, so a new moment changes
 * colours without re-sending shapes), contested or overdue zones outlined, and incidents
 * clustered. A click on a zone opens its panel; a click on a cluster zooms in.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// The map's worker is its own file; Vite copies it beside the app and names its URL.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ZoneFeatures } from '../api/types';
import { term } from '../i18n/i18n';
import { ATTRIBUTION, basemapStyle, OVERLAY_LAYERS } from './basemap';
import { LocalityLabels, labelPoint } from './labels';
import { stageFillExpression } from './stages';

export interface ZoneLook {
  stage: string;
  flagged: boolean;
  changed: boolean;
}

interface Props {
  shapes: ZoneFeatures | null;
  looks: Record<string, ZoneLook>;
  incidents: GeoJSON.FeatureCollection;
  selected: string | null;
  onSelect: (zone: string) => void;
}

maplibregl.setWorkerUrl(workerUrl);

const FINDING_COLOURS = [
  'match',
  ['coalesce', ['get', 'finding'], 'none'],
  'confirmed-violation',
  '#b2182b',
  'not-a-violation',
  '#1a9850',
  'unfounded',
  '#7f7f7f',
  'inconclusive',
  '#8073ac',
  '#e08214',
];

export function MapView({ shapes, looks, incidents, selected, onSelect }: Props) {
  const { t, i18n } = useTranslation();
  const box = useRef<HTMLElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const ready = useRef<Promise<void> | null>(null);
  const zoneLabels = useRef<maplibregl.Marker[]>([]);
  const localities = useRef<LocalityLabels | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    const map = new maplibregl.Map({
      container: box.current!,
      style: basemapStyle(),
      bounds: [
        [35.05, 32.95],
        [35.95, 33.62],
      ],
      attributionControl: false,
      fadeDuration: 0,
    });
    map.addControl(
      new maplibregl.AttributionControl({ compact: false, customAttribution: ATTRIBUTION }),
      'bottom-left',
    );
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({}), 'bottom-right');
    mapRef.current = map;
    localities.current = new LocalityLabels(map);
    ready.current = new Promise((resolve) => map.on('load', () => resolve()));
    void ready.current.then(() => {
      map.addSource('zones', {
        type: 'geojson',
        data: { type: 'FeatureCollection', features: [] },
        promoteId: 'id',
      });
      map.addLayer({
        id: 'zones-fill',
        type: 'fill',
        source: 'zones',
        paint: { 'fill-color': stageFillExpression() as never, 'fill-opacity': 0.62 },
      });
      map.addLayer({
        id: 'zones-line',
        type: 'line',
        source: 'zones',
        paint: {
          'line-color': [
            'case',
            ['boolean', ['feature-state', 'selected'], false],
            '#111111',
            ['boolean', ['feature-state', 'flagged'], false],
            '#d94801',
            '#4d4d4d',
          ],
          'line-width': [
            'case',
            ['boolean', ['feature-state', 'selected'], false],
            3.5,
            ['boolean', ['feature-state', 'changed'], false],
            5,
            ['boolean', ['feature-state', 'flagged'], false],
            3,
            1,
          ],
        },
      });
      for (const l of OVERLAY_LAYERS) map.addLayer(l as maplibregl.AddLayerObject);
      map.addSource('incidents', {
        type: 'geojson',
        data: { type: 'FeatureCollection', features: [] },
        cluster: true,
        clusterRadius: 36,
        clusterMaxZoom: 12,
      });
      map.addLayer({
        id: 'incident-clusters',
        type: 'circle',
        source: 'incidents',
        filter: ['has', 'point_count'],
        paint: {
          'circle-color': '#5e3c99',
          'circle-opacity': 0.75,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1.5,
          'circle-radius': ['step', ['get', 'point_count'], 9, 10, 13, 100, 18, 1000, 24],
        },
      });
      map.addLayer({
        id: 'incident-points',
        type: 'circle',
        source: 'incidents',
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-color': FINDING_COLOURS as never,
          'circle-radius': 5,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
        },
      });
      map.on('click', 'zones-fill', (e) => {
        const id = e.features?.[0]?.properties?.id;
        if (typeof id === 'string') onSelectRef.current(id);
      });
      map.on('click', 'incident-clusters', async (e) => {
        const f = e.features?.[0];
        if (!f) return;
        const src = map.getSource('incidents') as maplibregl.GeoJSONSource;
        const zoom = await src.getClusterExpansionZoom(f.properties.cluster_id as number);
        map.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom });
      });
      map.on('click', 'incident-points', (e) => {
        const p = e.features?.[0]?.properties;
        if (!p) return;
        const el = document.createElement('div');
        const line = (text: string) => {
          const d = document.createElement('div');
          d.textContent = text;
          el.appendChild(d);
        };
        line(`${term(String(p.type))} — ${String(p.date).slice(0, 10)}`);
        if (p.actor) line(`${t('incidents.actor')}: ${term(String(p.actor))}`);
        line(`${t('incidents.finding')}: ${p.finding ? term(String(p.finding)) : t('incidents.none')}`);
        line(`#${p.entry} · ${p.grade}`);
        new maplibregl.Popup({ closeButton: true }).setLngLat(e.lngLat).setDOMContent(el).addTo(map);
      });
      for (const layer of ['zones-fill', 'incident-clusters', 'incident-points']) {
        map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
        map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
      }
    });
    return () => map.remove();
  }, [t]);

  // Zone shapes: once.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !shapes) return;
    void ready.current!.then(() => {
      (map.getSource('zones') as maplibregl.GeoJSONSource).setData(shapes as GeoJSON.FeatureCollection);
      for (const m of zoneLabels.current) m.remove();
      zoneLabels.current = [];
      for (const f of shapes.features) {
        const at = labelPoint(f.geometry);
        if (at === null) continue;
        const el = document.createElement('button');
        el.type = 'button';
        el.className = 'zone-label';
        el.dataset.zone = f.id;
        el.tabIndex = -1;
        el.textContent = f.properties.name;
        el.addEventListener('click', () => onSelectRef.current(f.id));
        zoneLabels.current.push(new maplibregl.Marker({ element: el }).setLngLat(at).addTo(map));
      }
      map.once('idle', () => {
        performance.mark('phaseline:zones-painted');
        document.body.dataset.mapReady = 'true';
      });
    });
  }, [shapes]);

  // Zone names follow the language.
  useEffect(() => {
    for (const m of zoneLabels.current) {
      const el = m.getElement();
      const f = shapes?.features.find((x) => x.id === el.dataset.zone);
      if (f) el.textContent = f.properties.name;
    }
    localities.current?.setLanguage(i18n.language);
  }, [shapes, i18n.language]);

  // Stages and flags: feature state only.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !shapes) return;
    void ready.current!.then(() => {
      for (const f of shapes.features) {
        const look = looks[f.id];
        map.setFeatureState(
          { source: 'zones', id: f.id },
          {
            stage: look?.stage ?? f.properties.stage ?? '',
            flagged: look?.flagged ?? false,
            changed: look?.changed ?? false,
            selected: f.id === selected,
          },
        );
      }
      map.triggerRepaint();
    });
  }, [shapes, looks, selected]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    void ready.current!.then(() =>
      (map.getSource('incidents') as maplibregl.GeoJSONSource).setData(incidents),
    );
  }, [incidents]);

  return <section ref={box} className="map" aria-label={t('app.map')} data-testid="map" />;
}
