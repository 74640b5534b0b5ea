/** The truce: a countdown to expiry, the history of extensions, and what would extend it next. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { State } from '../api/types';
import { formatDate, formatNumber, term } from '../i18n/i18n';
import { Cite } from '../zone/ZonePanel';

export function TrucePanel({
  truce,
  live,
  onVerify,
}: {
  truce: State['truce'];
  live: boolean;
  onVerify: (i: number) => void;
}) {
  const { t } = useTranslation();
  const [tick, setTick] = useState(0);
  const [base] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const h = setInterval(() => setTick(Date.now() - base), 60_000);
    return () => clearInterval(h);
  }, [live, base]);
  const remaining = truce.remaining_ms - (live ? tick : 0);
  const days = Math.floor(Math.max(0, remaining) / 86_400_000);
  const hours = Math.floor((Math.max(0, remaining) % 86_400_000) / 3_600_000);
  return (
    <section className="truce" aria-labelledby="truce-title" data-testid="truce">
      <h2 id="truce-title">{t('truce.heading')}</h2>
      <p className={truce.warning ? 'flag' : ''}>
        <strong>{term(truce.status)}</strong>
        {truce.warning ? ` · ${t('truce.warning')}` : ''} ·{' '}
        {t('truce.expires', { date: formatDate(truce.expires) })}
      </p>
      <p className="countdown" aria-live="off">
        {truce.status === 'lapsed'
          ? t('truce.lapsed')
          : t('truce.remaining', { days: formatNumber(days), hours: formatNumber(hours) })}
      </p>
      <h3>{t('truce.nextExtends')}</h3>
      <ul>
        {truce.waitingFor.map((w) => (
          <li key={w.text}>{w.text}</li>
        ))}
      </ul>
      <details>
        <summary>
          {t('truce.extensions')} ({formatNumber(truce.extensions.length)})
        </summary>
        <ul>
          {truce.extensions.map((e) => (
            <li key={`${e.at}-${e.key}`}>
              {formatDate(e.at)}: {e.benchmark} ({e.key}) +
              {formatNumber(Math.round(e.extend_ms / 86_400_000))} d{' '}
              {e.cites.map((c) => (
                <Cite key={c} index={c} onVerify={onVerify} />
              ))}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
