/**
 * The timeline: drag (or use the arrow keys: an hour per step, a day with Page Up/Down) to any
 * moment since the first entry, and the whole page shows the state as it was then (the API's
 * `?at=`). Play moves forward at the chosen speed until now, then the page is live again.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../i18n/i18n';

const SPEEDS = [
  { span: '1 h', ms: 3_600_000 },
  { span: '6 h', ms: 6 * 3_600_000 },
  { span: '1 d', ms: 86_400_000 },
  { span: '7 d', ms: 7 * 86_400_000 },
];
export const play_tick_ms = 400;

interface Props {
  first: string | null;
  at: string | null;
  onChange: (at: string | null) => void;
}

export function Scrubber({ first, at, onChange }: Props) {
  const { t } = useTranslation();
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(2);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(h);
  }, []);
  const min = first ? Math.floor(Date.parse(first) / 1000) : Math.floor(now / 1000) - 86_400;
  const max = Math.floor(now / 1000);
  const value = at === null ? max : Math.floor(Date.parse(at) / 1000);

  useEffect(() => {
    if (!playing) return;
    const h = setInterval(() => {
      const next = (at === null ? min * 1000 : Date.parse(at)) + SPEEDS[speed]!.ms;
      if (next >= Date.now()) {
        setPlaying(false);
        onChange(null);
      } else onChange(new Date(next).toISOString());
    }, play_tick_ms);
    return () => clearInterval(h);
  }, [playing, at, speed, min, onChange]);

  return (
    <fieldset className="scrubber" data-testid="scrubber">
      <legend className="visually-hidden">{t('timeline.label')}</legend>
      <button type="button" onClick={() => setPlaying(!playing)} aria-pressed={playing} data-testid="play">
        {playing ? t('timeline.pause') : t('timeline.play')}
      </button>
      <label>
        <span className="visually-hidden">{t('timeline.speed')}</span>
        <select
          value={speed}
          onChange={(e) => setSpeed(Number(e.target.value))}
          aria-label={t('timeline.speed')}
        >
          {SPEEDS.map((s, k) => (
            <option key={s.span} value={k}>
              {t('timeline.perTick', { span: s.span })}
            </option>
          ))}
        </select>
      </label>
      <input
        type="range"
        min={min}
        max={max}
        step={3600}
        value={Math.min(Math.max(value, min), max)}
        aria-label={t('timeline.label')}
        aria-valuetext={at === null ? t('app.live') : formatDate(at)}
        data-testid="scrubber-range"
        dir="ltr"
        onChange={(e) => {
          const v = Number(e.target.value);
          onChange(v >= max ? null : new Date(v * 1000).toISOString());
        }}
        onKeyDown={(e) => {
          if (e.key === 'PageUp' || e.key === 'PageDown') {
            e.preventDefault();
            const v = value + (e.key === 'PageUp' ? 86_400 : -86_400);
            onChange(v >= max ? null : new Date(Math.max(v, min) * 1000).toISOString());
          }
        }}
      />
      <output className={at === null ? 'live' : 'past'} data-testid="moment">
        {at === null ? `● ${t('app.live')}` : formatDate(at)}
      </output>
      {at !== null && (
        <button type="button" onClick={() => onChange(null)}>
          {t('timeline.now')}
        </button>
      )}
    </fieldset>
  );
}
