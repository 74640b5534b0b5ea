/**
 * Verify, in the browser: fetches the statement with its receipt and runs every check of
 * verify-statement.ts against the pinned log key, showing each step as it passed or failed.
 * "Check a tampered copy" flips one byte of the receipt and checks again, to show what failure
 * looks like.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { term } from '../i18n/i18n';
import { ed25519Engine } from './ed25519';
import { parseVerifierKey } from './keys';
import { pinnedKey } from './pinned-key';
import { type ServedStatement, type Verification, verifyServedStatement } from './verify-statement';

async function check(served: ServedStatement): Promise<Verification> {
  const key = pinnedKey();
  if (key === null) throw new Error('no log key pinned');
  return verifyServedStatement(served, await parseVerifierKey(key));
}

/** The same receipt with one proof hash (or, without one, the checkpoint root) changed. */
function tampered(served: ServedStatement): ServedStatement {
  const lines = served.receipt.split('\n');
  const at = lines.findIndex((l, i) => i > 1 && /^[A-Za-z0-9+/]{43}=$/.test(l));
  if (at < 0)
    return {
      ...served,
      receipt: served.receipt.replace(
        /\n\n(.*)\n(\d+)\n./,
        (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`,
      ),
    };
  const l = lines[at]!;
  lines[at] = (l[0] === 'A' ? 'B' : 'A') + l.slice(1);
  return { ...served, receipt: lines.join('\n') };
}

export function VerifyDialog({ index, onClose }: { index: number; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [served, setServed] = useState<
    (ServedStatement & { statement?: { kind: string; issuer: string; at: string; subject: string } }) | null
  >(null);
  const [result, setResult] = useState<Verification | null>(null);
  const [isTampered, setTampered] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [engine, setEngine] = useState('');

  useEffect(() => {
    ref.current?.showModal();
    void ed25519Engine().then(setEngine);
    void api
      .statement(index)
      .then(async (s) => {
        const ss = s as unknown as ServedStatement & {
          statement?: { kind: string; issuer: string; at: string; subject: string };
        };
        setServed(ss);
        setResult(await check(ss));
      })
      .catch((e: Error) => setError(e.message));
  }, [index]);

  const tamper = async () => {
    if (!served) return;
    setTampered(true);
    setResult(null);
    setResult(await check(tampered(served)));
  };

  return (
    <dialog
      ref={ref}
      className="verify"
      aria-labelledby="verify-title"
      onClose={onClose}
      data-testid="verify-dialog"
    >
      <h2 id="verify-title">{t('verify.title', { index })}</h2>
      {served?.statement && (
        <p className="statement-line">
          {served.statement.kind} · {term(served.statement.issuer)} · {served.statement.subject} ·{' '}
          {served.statement.at}
        </p>
      )}
      {error && <p className="bad">{t('app.error', { message: error })}</p>}
      {!result && !error && <p aria-live="polite">{t('verify.running')}</p>}
      {result && (
        <>
          <p
            className={result.ok ? 'good verdict' : 'bad verdict'}
            role="status"
            data-testid="verify-verdict"
            data-ok={String(result.ok)}
          >
            {isTampered ? '⚠ ' : ''}
            {result.ok ? t('verify.ok') : t('verify.failed')}
          </p>
          <ol className="steps">
            {result.steps.map((s) => (
              <li key={s.id} className={`step ${s.status}`} data-step={s.id} data-status={s.status}>
                <span className="mark" aria-hidden="true">
                  {s.status === 'ok' ? '✓' : s.status === 'failed' ? '✗' : '–'}
                </span>{' '}
                <strong>{t(`verify.step_${s.id}`)}</strong>: {t(`verify.status_${s.status}`)}
                <div className="detail" dir="ltr">
                  {s.detail}
                </div>
              </li>
            ))}
          </ol>
          {engine && <p className="small">{t('verify.engine', { engine })}</p>}
        </>
      )}
      <div className="buttons">
        {!isTampered && (
          <button type="button" onClick={tamper} disabled={!served}>
            {t('verify.tamper')}
          </button>
        )}
        <button type="button" onClick={() => ref.current?.close()}>
          {t('verify.close')}
        </button>
      </div>
    </dialog>
  );
}
