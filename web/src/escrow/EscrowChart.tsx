/**
 * The escrow ledger over time (uPlot, a small canvas chart library): pledged, available, held and
 * released, and released per indicator; with the balances in words and the movements as a table
 * for readers who do not use the chart.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { State } from '../api/types';
import { formatDate, formatMoney, term } from '../i18n/i18n';
import { Cite } from '../zone/ZonePanel';
import { ledgerSeries } from './ledger-series';

const COLOURS = ['#1f4e79', '#1a9850', '#b2182b', '#5e3c99', '#e08214', '#35978f', '#8c510a'];

export function EscrowChart({
  escrow,
  onVerify,
}: {
  escrow: State['escrow'];
  onVerify: (i: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const series = useMemo(() => ledgerSeries(escrow.transfers), [escrow.transfers]);
  useEffect(() => {
    if (!box.current || series.times.length === 0) return;
    const labels = escrow.indicators;
    const names = [
      t('escrow.pledged'),
      t('escrow.available'),
      t('escrow.held'),
      t('escrow.released'),
      ...Object.keys(series.byIndicator).map((k) =>
        t('escrow.releasedBy', { indicator: labels.find((l) => l.id === k)?.label ?? k }),
      ),
    ];
    const data = [
      series.times,
      series.pledged,
      series.available,
      series.held,
      series.released,
      ...Object.values(series.byIndicator),
    ] as uPlot.AlignedData;
    const money = new Intl.NumberFormat(i18n.language, { notation: 'compact', maximumFractionDigits: 1 });
    const plot = new uPlot(
      {
        width: box.current.clientWidth || 320,
        height: 220,
        series: [
          {},
          ...names.map((label, k) => ({
            label,
            stroke: COLOURS[k % COLOURS.length],
            width: k < 4 ? 2 : 1,
            dash: k >= 4 ? [4, 3] : undefined,
            paths: uPlot.paths.stepped!({ align: 1 }),
          })),
        ],
        axes: [{}, { values: (_u, vals) => vals.map((v) => money.format(v)), size: 60 }],
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      box.current,
    );
    return () => plot.destroy();
  }, [series, escrow.indicators, t, i18n.language]);
  const cur = escrow.currency;
  return (
    <section className="escrow" aria-labelledby="escrow-title" data-testid="escrow">
      <h2 id="escrow-title">{t('escrow.heading')}</h2>
      <p>
        {t('escrow.available')}: <strong>{formatMoney(escrow.summary.available, cur)}</strong> ·{' '}
        {t('escrow.held')}: <strong>{formatMoney(escrow.summary.held, cur)}</strong> · {t('escrow.pending')}:{' '}
        <strong>{formatMoney(escrow.summary.pending, cur)}</strong>
      </p>
      <div ref={box} className="chart" role="img" aria-label={t('escrow.heading')} />
      <details>
        <summary>{t('escrow.table')}</summary>
        <table>
          <tbody>
            {escrow.transfers.slice(-100).map((x) => (
              <tr key={x.id}>
                <td>{formatDate(x.at, false)}</td>
                <td>
                  {x.debit} → {x.credit}
                </td>
                <td>{formatMoney(x.amount, cur)}</td>
                <td>{term(x.rule)}</td>
                <td>{term(x.status)}</td>
                <td>
                  {x.cites.slice(0, 3).map((c) => (
                    <Cite key={c} index={c} onVerify={onVerify} />
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
