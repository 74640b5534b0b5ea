/**
 * The control room: header (view, language, report, settings), the map with incident filters, the
 * side panel (zones and what each waits for, or one zone; the truce; escrow), and the timeline.
 * Everything shown is read from the public API at the moment the timeline shows (`?at=`), with
 * the bearer token of a signed-in party when there is one.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { State, ZoneFeatures } from '../api/types';
import { SignIn } from '../auth/SignIn';
import { type Session, savedSession, saveSession } from '../auth/sign-in';
import { EscrowChart } from '../escrow/EscrowChart';
import { applyLanguage, formatNumber, LANGUAGES, type Lang, term } from '../i18n/i18n';
import { Filters } from '../incidents/Filters';
import { NO_FILTER, passes, toFeatures } from '../incidents/incidents';
import { useIncidents } from '../incidents/useIncidents';
import { useLive } from '../live/useLive';
import { MapView, type ZoneLook } from '../map/MapView';
import { STAGE_COLOURS } from '../map/stages';
import { ReportPage } from '../report/ReportPage';
import { Scrubber } from '../timeline/Scrubber';
import { TrucePanel } from '../truce/TrucePanel';
import { pinOnFirstUse } from '../verify/pinned-key';
import { Settings } from '../verify/Settings';
import { VerifyDialog } from '../verify/VerifyDialog';
import { overdueTexts, ZonePanel } from '../zone/ZonePanel';

type Route = { page: 'map'; zone: string | null } | { page: 'report'; date: string } | { page: 'settings' };

function parseRoute(hash: string): Route {
  const m = /^#\/report\/(\d{4}-\d{2}-\d{2})/.exec(hash);
  if (m) return { page: 'report', date: m[1]! };
  if (hash.startsWith('#/settings')) return { page: 'settings' };
  const z = /^#\/zone\/([^/?]+)/.exec(hash);
  return { page: 'map', zone: z ? decodeURIComponent(z[1]!) : null };
}

const FLAGGED_WITHDRAWAL = new Set(['contested', 'denied', 'refuted']);
export const settle_ms = 500;

export function App() {
  const { t, i18n } = useTranslation();
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [session, setSession] = useState<Session | null>(() => savedSession());
  api.token = session?.token ?? null;
  const [meta, setMeta] = useState<{
    origin: string;
    key: string;
    first: string | null;
    size: number;
  } | null>(null);
  const [keyMismatch, setKeyMismatch] = useState(false);
  const [at, setAt] = useState<string | null>(null);
  const [settledAt, setSettledAt] = useState<string | null>(null);
  const [state, setState] = useState<State | null>(null);
  const [shapes, setShapes] = useState<ZoneFeatures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState(NO_FILTER);
  const [verify, setVerify] = useState<number | null>(null);
  const [liveTick, setLiveTick] = useState(0);
  const [changed, setChanged] = useState<{ zones: string[]; note: string } | null>(null);
  const previousStages = useRef<Record<string, string>>({});

  useEffect(() => {
    const h = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', h);
    return () => removeEventListener('hashchange', h);
  }, []);
  useEffect(() => applyLanguage(i18n.language as Lang), [i18n.language]);

  useEffect(() => {
    void (async () => {
      try {
        const [k, h, first] = await Promise.all([
          api.logKey(),
          api.health(),
          api.statement(0).catch(() => null),
        ]);
        const pinned = pinOnFirstUse(k.key);
        setKeyMismatch(pinned !== k.key);
        setMeta({ origin: k.origin, key: k.key, first: first?.admitted ?? null, size: h.size });
      } catch (e) {
        setError((e as Error).message);
      }
    })();
    api.zoneShapes().then(setShapes, (e: Error) => setError(e.message));
  }, []);

  // The state at the moment shown: fetched on every move (an older request is aborted), again
  // when the reader signs in or out (the token changes what is shown) and when the log grows.
  // biome-ignore lint/correctness/useExhaustiveDependencies: session and liveTick are triggers, read by api
  useEffect(() => {
    const t0 = performance.now();
    api.state(at).then(
      (s) => {
        setState(s);
        setError(null);
        requestAnimationFrame(() => {
          document.body.dataset.moment = at ?? 'live';
          performance.measure('phaseline:moment', { start: t0 });
        });
      },
      (e: Error) => e.name !== 'AbortError' && setError(e.message),
    );
  }, [at, session, liveTick]);

  useEffect(() => {
    const h = setTimeout(() => setSettledAt(at), settle_ms);
    return () => clearTimeout(h);
  }, [at]);
  const loaded = useIncidents(settledAt, at === null ? liveTick : 0, session?.clearance ?? 'public');

  // Live: a new entry refreshes what the page shows now, and changes are highlighted.
  const onAppend = useCallback(
    (e: { first: number; count: number; size: number }) => {
      setMeta((m) => (m ? { ...m, size: e.size } : m));
      if (at === null) setLiveTick((n) => n + 1);
      setChanged((c) => ({
        zones: c?.zones ?? [],
        note: t('app.changed', { first: formatNumber(e.first), last: formatNumber(e.first + e.count - 1) }),
      }));
    },
    [at, t],
  );
  const onStage = useCallback(
    (e: { zone: string; from: string | null; to: string }) => {
      setChanged((c) => ({
        zones: [...(c?.zones ?? []), e.zone],
        note: t('app.stageChanged', { zone: e.zone, from: term(e.from ?? ''), to: term(e.to) }),
      }));
    },
    [t],
  );
  const handlers = useRef({ onAppend, onStage });
  handlers.current = { onAppend, onStage };
  useLive(
    session?.token ?? null,
    (e) => handlers.current.onAppend(e),
    (e) => handlers.current.onStage(e),
  );
  useEffect(() => {
    if (!changed) return;
    const h = setTimeout(() => setChanged(null), 8000);
    return () => clearTimeout(h);
  }, [changed]);

  const looks = useMemo(() => {
    const out: Record<string, ZoneLook> = {};
    for (const z of state?.zones ?? [])
      out[z.id] = {
        stage: z.stage,
        flagged: FLAGGED_WITHDRAWAL.has(z.withdrawal.status) || overdueTexts(z).length > 0,
        changed: changed?.zones.includes(z.id) ?? false,
      };
    if (state) previousStages.current = Object.fromEntries(state.zones.map((z) => [z.id, z.stage]));
    return out;
  }, [state, changed]);

  const shown = useMemo(
    () => loaded.incidents.filter((i) => passes(i, filter, at)),
    [loaded.incidents, filter, at],
  );
  const features = useMemo(() => toFeatures(shown), [shown]);

  const setSessionSaved = (s: Session | null) => {
    saveSession(s);
    setSession(s);
  };
  const selectZone = (id: string | null) => {
    location.hash = id === null ? '#/' : `#/zone/${encodeURIComponent(id)}`;
  };
  const zone = route.page === 'map' && route.zone ? state?.zones.find((z) => z.id === route.zone) : undefined;
  const today = new Date().toISOString().slice(0, 10);

  return (
    <>
      <a href="#zones" className="skip">
        {t('app.skip')}
      </a>
      <header className="top">
        <h1>
          <a href="#/">{t('app.title')}</a>
        </h1>
        <span className="log-size" data-testid="log-size">
          {meta ? t('app.logSize', { size: formatNumber(meta.size) }) : ''}
        </span>
        <nav aria-label={t('app.title')}>
          <a href="#/" aria-current={route.page === 'map' ? 'page' : undefined}>
            {t('app.map')}
          </a>
          <a
            href={`#/report/${route.page === 'report' ? route.date : (at ?? new Date().toISOString()).slice(0, 10)}`}
            aria-current={route.page === 'report' ? 'page' : undefined}
            data-testid="report-link"
          >
            {t('app.report')}
          </a>
          <a href="#/settings" aria-current={route.page === 'settings' ? 'page' : undefined}>
            {t('app.settings')}
          </a>
        </nav>
        {meta && state && (
          <SignIn
            session={session}
            agreement={state.agreement}
            origin={meta.origin}
            onSession={setSessionSaved}
          />
        )}
        <label className="lang">
          {t('app.language')}{' '}
          <select
            value={i18n.language}
            onChange={(e) => applyLanguage(e.target.value as Lang)}
            data-testid="language"
          >
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
      </header>
      {keyMismatch && (
        <p className="bad banner" role="alert">
          {t('settings.mismatch')}
        </p>
      )}
      {error && (
        <p className="bad banner" role="alert">
          {t('app.error', { message: error })}
        </p>
      )}
      {changed && (
        <p className="changed banner" role="status" data-testid="changed">
          {changed.note}
        </p>
      )}
      {route.page === 'report' ? (
        <ReportPage
          date={route.date > today ? today : route.date}
          onDate={(d) => (location.hash = `#/report/${d}`)}
          onVerify={setVerify}
          reload={`${session?.token ?? ''}|${liveTick}`}
        />
      ) : route.page === 'settings' ? (
        <main id="main">
          <Settings servedKey={meta?.key ?? null} onPinned={() => setKeyMismatch(false)} />
        </main>
      ) : (
        <main id="main" className="control-room">
          <div className="map-column">
            <Filters
              incidents={loaded.incidents}
              filter={filter}
              onChange={setFilter}
              shown={shown.length}
              total={loaded.total}
              loading={!loaded.done}
            />
            <div className="map-wrap">
              <MapView
                shapes={shapes}
                looks={looks}
                incidents={features}
                selected={route.zone}
                onSelect={selectZone}
              />
              <p className="map-note">{t('app.illustrative')}</p>
              <ul className="legend" aria-label={t('zones.stage')}>
                {Object.entries(STAGE_COLOURS)
                  .filter(([s]) => state?.zones.some((z) => z.stage === s))
                  .map(([s, c]) => (
                    <li key={s}>
                      <span className="swatch" style={{ background: c }} aria-hidden="true" /> {term(s)}
                    </li>
                  ))}
              </ul>
            </div>
          </div>
          <aside className="side" aria-label={t('zones.heading')}>
            {zone && state ? (
              <ZonePanel
                zone={zone}
                units={state.units}
                incidents={loaded.incidents.filter((i) => at === null || i.admitted <= at)}
                strikes={loaded.strikes}
                onVerify={setVerify}
                onClose={() => selectZone(null)}
              />
            ) : (
              <section id="zones" aria-labelledby="zones-title" tabIndex={-1}>
                <h2 id="zones-title">{t('zones.heading')}</h2>
                <ul className="zone-list" data-testid="zone-list">
                  {state?.zones.map((z) => (
                    <li key={z.id} className={looks[z.id]?.changed ? 'changed' : ''}>
                      <button
                        type="button"
                        onClick={() => selectZone(z.id)}
                        data-zone={z.id}
                        aria-label={t('zones.open', { name: z.name })}
                      >
                        <span
                          className="swatch"
                          style={{ background: STAGE_COLOURS[z.stage] ?? '#ccc' }}
                          aria-hidden="true"
                        />
                        <span className="zone-name">{z.name}</span>
                        <span className="zone-stage" data-stage={z.stage}>
                          {term(z.stage)}
                        </span>
                        {looks[z.id]?.flagged && (
                          <span className="flag">
                            {FLAGGED_WITHDRAWAL.has(z.withdrawal.status)
                              ? t('zones.contested')
                              : t('zones.overdue')}
                          </span>
                        )}
                      </button>
                      {z.next !== null && z.waitingFor[0] && (
                        <p className="wait">
                          {t('zones.waits')}: {z.waitingFor[0].text}
                        </p>
                      )}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {state && <TrucePanel truce={state.truce} live={at === null} onVerify={setVerify} />}
            {state && <EscrowChart escrow={state.escrow} onVerify={setVerify} />}
          </aside>
        </main>
      )}
      {route.page !== 'report' && route.page !== 'settings' && (
        <Scrubber first={meta?.first ?? null} at={at} onChange={setAt} />
      )}
      <footer className="notice">
        <p>{state?.notice ?? t('app.simulated')}</p>
      </footer>
      {verify !== null && <VerifyDialog index={verify} onClose={() => setVerify(null)} />}
    </>
  );
}
