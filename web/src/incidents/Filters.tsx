/** The incident filters: type, actor, finding, response, source grade and dates. */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident } from '../api/types';
import { formatNumber, term } from '../i18n/i18n';
import { findingOf, type IncidentFilter, responseOf } from './incidents';

interface Props {
  incidents: Incident[];
  filter: IncidentFilter;
  onChange: (f: IncidentFilter) => void;
  shown: number;
  total: number;
  loading: boolean;
}

export function Filters({ incidents, filter, onChange, shown, total, loading }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const values = (f: (i: Incident) => string) => [...new Set(incidents.map(f))].sort();
  const select = (key: keyof IncidentFilter, label: string, options: string[], show = term) => (
    <label htmlFor={`${id}-${key}`}>
      {label}
      <select
        id={`${id}-${key}`}
        value={filter[key]}
        onChange={(e) => onChange({ ...filter, [key]: e.target.value })}
        data-filter={key}
      >
        <option value="">{t('incidents.any')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o === 'none' && key === 'finding' ? t('incidents.none') : show(o)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <fieldset className="filters">
      <legend>{t('incidents.filters')}</legend>
      {select(
        'type',
        t('incidents.type'),
        values((i) => i.type),
      )}
      {select(
        'actor',
        t('incidents.actor'),
        values((i) => i.actor ?? 'unknown'),
      )}
      {select('finding', t('incidents.finding'), values(findingOf))}
      {select('response', t('incidents.response'), values(responseOf))}
      {select(
        'grade',
        t('incidents.grade'),
        values((i) => i.source_grade.slice(0, 1)),
        (g) => g,
      )}
      <label htmlFor={`${id}-from`}>
        {t('incidents.from')}
        <input
          id={`${id}-from`}
          type="date"
          value={filter.from}
          onChange={(e) => onChange({ ...filter, from: e.target.value })}
        />
      </label>
      <label htmlFor={`${id}-to`}>
        {t('incidents.to')}
        <input
          id={`${id}-to`}
          type="date"
          value={filter.to}
          onChange={(e) => onChange({ ...filter, to: e.target.value })}
        />
      </label>
      <output data-testid="incident-count" data-shown={shown} aria-live="polite">
        {loading
          ? t('incidents.loading', { loaded: formatNumber(incidents.length), total: formatNumber(total) })
          : t('incidents.shown', { shown: formatNumber(shown), total: formatNumber(total) })}
      </output>
    </fieldset>
  );
}
