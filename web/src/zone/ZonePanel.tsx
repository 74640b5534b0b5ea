/**
 * One zone: its stage sequence with what it waits for now (the engine's explanation, quoted),
 * the statements behind each stage with signers, time, log index and a Verify button, the
 * inventory by weapon category, units, and incidents with findings and each party's account.
 */
import { useTranslation } from 'react-i18next';
import type { Incident, State, Strike, Zone } from '../api/types';
import { formatDate, formatNumber, term } from '../i18n/i18n';
import { findingOf } from '../incidents/incidents';
import { stageColour } from '../map/stages';
import { useStatements } from './useStatements';

interface Props {
  zone: Zone;
  units: State['units'];
  incidents: Incident[];
  strikes: Strike[];
  onVerify: (index: number) => void;
  onClose: () => void;
}

export function Cite({ index, onVerify }: { index: number; onVerify: (i: number) => void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="cite"
      onClick={() => onVerify(index)}
      aria-label={`${t('verify.button')} #${index}`}
      data-verify={index}
    >
      #{index} <span className="verify-word">{t('verify.button')}</span>
    </button>
  );
}

export function overdueTexts(z: Zone): string[] {
  return (z.overdue ?? []).map((o) => (typeof o === 'string' ? o : o.text));
}

export function ZonePanel({ zone, units, incidents, strikes, onVerify, onClose }: Props) {
  const { t } = useTranslation();
  const cited = [...new Set(zone.history.flatMap((h) => h.cites))];
  const statements = useStatements(cited);
  const overdue = overdueTexts(zone);
  const inZone = incidents.filter((i) => i.zone === zone.id);
  const strikesInZone = strikes.filter((s) => s.zone === zone.id);
  return (
    <section className="zone-panel" aria-labelledby="zone-title" data-testid="zone-panel" data-zone={zone.id}>
      <header>
        <h2 id="zone-title">{zone.name}</h2>
        <button type="button" onClick={onClose} className="close">
          {t('zones.close')}
        </button>
      </header>
      {zone.illustrative && <p className="illustrative-note">{t('app.illustrative')}</p>}
      <p>
        <span className="swatch" style={{ background: stageColour(zone.stage) }} aria-hidden="true" />{' '}
        {t('zones.stage')}: <strong data-testid="zone-stage">{term(zone.stage)}</strong>
        {overdue.length > 0 && <span className="flag"> · {t('zones.overdue')}</span>}
      </p>
      <div className="waits" data-testid="zone-waits">
        {zone.next === null ? (
          <p>{t('zones.final')}</p>
        ) : (
          <>
            <h3>{t('zones.next', { stage: term(zone.next) })}</h3>
            <ul>
              {zone.waitingFor.map((w) => (
                <li key={w.text}>{w.text}</li>
              ))}
              {overdue.map((o) => (
                <li key={o} className="flag">
                  {o}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <h3>{t('zones.sequence')}</h3>
      <ol className="sequence">
        {zone.history.map((h) => (
          <li key={`${h.at}-${h.to}`}>
            <span className="swatch" style={{ background: stageColour(h.to) }} aria-hidden="true" />{' '}
            {term(h.from)} → <strong>{term(h.to)}</strong> <time dateTime={h.at}>{formatDate(h.at)}</time>
            {h.reason === 'regression' && <span className="flag"> ({h.rule ?? 'regression'})</span>}
            <ul className="cites">
              {h.cites.map((c) => {
                const s = statements[c];
                return (
                  <li key={c}>
                    <Cite index={c} onVerify={onVerify} />{' '}
                    {s ? `${s.kind} — ${s.signers.map(term).join(', ')} — ${formatDate(s.at)}` : ''}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
      <h3>
        {t('zones.withdrawal')}: {term(zone.withdrawal.status)}
      </h3>
      <ul className="cites">
        {Object.entries(zone.withdrawal.claims).map(([p, i]) => (
          <li key={`c${p}`}>
            {term(p)}: {term('claimed')} <Cite index={i} onVerify={onVerify} />
          </li>
        ))}
        {Object.entries(zone.withdrawal.denials).map(([p, i]) => (
          <li key={`d${p}`}>
            {term(p)}: {term('denied')} <Cite index={i} onVerify={onVerify} />
          </li>
        ))}
        {zone.withdrawal.observation && (
          <li>
            {term(zone.withdrawal.observation.party)}: {term(zone.withdrawal.observation.observed)}{' '}
            <Cite index={zone.withdrawal.observation.entry} onVerify={onVerify} />
          </li>
        )}
      </ul>
      <h3>{t('zones.inventory')}</h3>
      <table className="inventory">
        <thead>
          <tr>
            <th scope="col">{t('zones.category')}</th>
            <th scope="col">{t('zones.declared')}</th>
            <th scope="col">{t('zones.found')}</th>
            <th scope="col">{t('zones.neutralized')}</th>
            <th scope="col">{t('zones.verified')}</th>
            <th scope="col">{t('zones.gap')}</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(zone.inventory).map(([c, n]) => (
            <tr key={c}>
              <th scope="row">{term(c)}</th>
              <td>{formatNumber(n.declared)}</td>
              <td>{formatNumber(n.found)}</td>
              <td>{formatNumber(n.neutralized)}</td>
              <td>{formatNumber(n.verified)}</td>
              <td>{formatNumber(zone.gap[c] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('zones.units')}</h3>
      <ul>
        {units
          .filter((u) => u.zone === zone.id)
          .map((u) => (
            <li key={u.id}>
              {u.name} — {formatNumber(u.strength)} ({term(u.vetting)}){' '}
              {u.deployedBy !== null && <Cite index={u.deployedBy} onVerify={onVerify} />}
            </li>
          ))}
      </ul>
      <h3>{t('zones.incidents')}</h3>
      {inZone.length + strikesInZone.length === 0 && <p>{t('zones.noIncidents')}</p>}
      <ul className="incident-list">
        {[
          ...strikesInZone.map((s) => ({ kind: 'strike' as const, s })),
          ...inZone.slice(-50).map((i) => ({ kind: 'incident' as const, i })),
        ].map((x) =>
          x.kind === 'strike' ? (
            <li key={x.s.id}>
              <strong>{term(x.s.classification)}</strong> — {term(x.s.by)}: {x.s.target}{' '}
              <Cite index={x.s.entry} onVerify={onVerify} />
              <Finding finding={x.s.finding} onVerify={onVerify} />
            </li>
          ) : (
            <li key={x.i.id}>
              <strong>{term(x.i.type)}</strong> — {formatDate(x.i.date_start, false)} —{' '}
              {t('incidents.finding')}:{' '}
              {findingOf(x.i) === 'none' ? t('incidents.none') : term(findingOf(x.i))}{' '}
              <Cite index={x.i.entry} onVerify={onVerify} />
              <Finding finding={x.i.finding} onVerify={onVerify} />
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

function Finding({ finding, onVerify }: { finding: Incident['finding']; onVerify: (i: number) => void }) {
  const { t } = useTranslation();
  if (!finding || finding.accounts.length === 0) return null;
  return (
    <div className="accounts">
      <span className="small">{t('incidents.accounts')}:</span>
      {finding.accounts.map((a) => (
        <blockquote key={a.entry}>
          <strong>{term(a.party)}</strong> ({term(a.position)}): {a.text}{' '}
          <Cite index={a.entry} onVerify={onVerify} />
        </blockquote>
      ))}
    </div>
  );
}
