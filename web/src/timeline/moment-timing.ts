/**
 * When the reader moved the timeline and when the page had drawn that moment, as Performance API
 * entries that bench/control-room.ts reads, and data attributes on <body> that the browser tests
 * wait on. A moment is drawn in three steps, each measured from the timeline's input event:
 * - `state` (`phaseline:moment`, `data-moment`): the frame with the moment's zones (the map's
 *   colours, the list), truce and escrow;
 * - `incidents` (`phaseline:moment-incidents`, `data-moment-incidents`): the frame with the map's
 *   incidents cut to those admitted by then (from the incidents loaded for a later moment);
 * - `exact` (`phaseline:moment-exact`, `data-moment-exact`): the frame with the incidents as they
 *   were then (their findings and responses of that moment), loaded once the timeline rests.
 * The page's first load marks `phaseline:map-painted` (the basemap and the zones coloured by
 * their stage: the first meaningful paint) and `phaseline:incidents-painted` (every incident of
 * the live moment on the map). `data-moment*` hold `live` or the moment's time.
 */
export type MomentStep = 'state' | 'incidents' | 'exact';

const MEASURES: Record<MomentStep, string> = {
  state: 'phaseline:moment',
  incidents: 'phaseline:moment-incidents',
  exact: 'phaseline:moment-exact',
};
const ATTRIBUTES: Record<MomentStep, string> = {
  state: 'moment',
  incidents: 'momentIncidents',
  exact: 'momentExact',
};

let moved: Record<MomentStep, number | null> = { state: null, incidents: null, exact: null };

/** The timeline was moved (from its input event). */
export function timelineMoved(): void {
  const t = performance.now();
  moved = { state: t, incidents: t, exact: t };
}

function markOnce(name: string): void {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

/** The page has drawn `step` of moment `at` (null: live). */
export function momentDrawn(step: MomentStep, at: string | null): void {
  if (step === 'state') {
    markOnce('phaseline:map-painted');
    document.body.dataset.mapReady = 'true';
  }
  if (step === 'exact' && at === null) markOnce('phaseline:incidents-painted');
  const start = moved[step];
  if (start !== null) {
    performance.measure(MEASURES[step], { start });
    moved[step] = null;
  }
  document.body.dataset[ATTRIBUTES[step]] = at ?? 'live';
}
