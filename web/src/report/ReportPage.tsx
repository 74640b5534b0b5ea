/**
 * The daily report page: the report of `/v1/reports/daily/:date`, rendered by the same renderer as
 * `phaseline report daily` (src/report/render-html.ts) with this page's language, and every cited
 * statement turned into a Verify button.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ENGLISH_LABELS, type ReportLabels } from '../../../src/report/labels';
import type { DailyReport } from '../../../src/report/model';
import { renderReportFragment } from '../../../src/report/render-html';
import { api } from '../api/client';
import { dirOf, formatDate, formatMoney, formatNumber, term } from '../i18n/i18n';

function useLabels(): ReportLabels {
  const { t, i18n } = useTranslation();
  return useMemo(() => {
    if (i18n.language === 'en') return ENGLISH_LABELS;
    return {
      ...ENGLISH_LABELS,
      lang: i18n.language,
      dir: dirOf(i18n.language),
      heading: (title: string, date: string) =>
        `${title} — ${t('report.heading')} ${formatDate(`${date}T00:00:00Z`, false)}`,
      term,
      number: formatNumber,
      date: (iso: string) => formatDate(iso),
      money: formatMoney,
    };
  }, [t, i18n.language]);
}

const shiftDay = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function ReportPage({
  date,
  onDate,
  onVerify,
  reload,
}: {
  date: string;
  onDate: (d: string) => void;
  onVerify: (i: number) => void;
  reload: string;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [report, setReport] = useState<DailyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a trigger (a new reader, a grown log)
  useEffect(() => {
    setReport(null);
    setError(null);
    api
      .get<DailyReport>(`/v1/reports/daily/${date}`, 'report')
      .then(setReport)
      .catch((e: Error) => e.name !== 'AbortError' && setError(e.message));
  }, [date, reload]);
  const html = useMemo(
    () => (report ? renderReportFragment(report, { labels, cite: 'button' }) : ''),
    [report, labels],
  );
  return (
    <main id="main" className="report-page" data-testid="report-page">
      <nav className="report-nav" aria-label={t('report.heading')}>
        <button type="button" onClick={() => onDate(shiftDay(date, -1))}>
          {t('report.previous')}
        </button>
        <label>
          {t('report.date')}{' '}
          <input
            type="date"
            value={date}
            onChange={(e) => e.target.value && onDate(e.target.value)}
            data-testid="report-date"
          />
        </label>
        <button type="button" onClick={() => onDate(shiftDay(date, 1))}>
          {t('report.nextDay')}
        </button>
      </nav>
      {error && <p className="bad">{t('app.error', { message: error })}</p>}
      {!report && !error && <p>{t('app.loading')}</p>}
      {/* The renderer escapes every value (src/report/render-html.ts); the markup is ours. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useKeyWithClickEvents: one listener for the report's citation buttons, which are the interactive elements (keys press them) */}
      <div
        className="report-body"
        // biome-ignore lint/security/noDangerouslySetInnerHtml: one renderer for the page and the CLI's files, escaping every value
        dangerouslySetInnerHTML={{ __html: html }}
        onClick={(e) => {
          const b = (e.target as HTMLElement).closest('button.cite') as HTMLButtonElement | null;
          if (b?.dataset.index) onVerify(Number(b.dataset.index));
        }}
      />
    </main>
  );
}
