/** The view switch: public, or signed in as a party with its key file (read in this browser only). */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, term } from '../i18n/i18n';
import { parsePrivateKey, type Session, signIn } from './sign-in';

interface Props {
  session: Session | null;
  agreement: string;
  origin: string;
  onSession: (s: Session | null) => void;
}

export function SignIn({ session, agreement, origin, onSession }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [party, setParty] = useState('');
  const [keyText, setKeyText] = useState<string | null>(null);

  if (session)
    return (
      <div className="view" data-testid="view" data-clearance={session.clearance}>
        <span>{t('view.party', { party: term(session.party), clearance: session.clearance })}</span>{' '}
        <button type="button" onClick={() => onSession(null)}>
          {t('view.signOut')}
        </button>
      </div>
    );
  return (
    <div className="view" data-testid="view" data-clearance="public">
      <span>{t('view.public')}</span>{' '}
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open} aria-controls={`${id}-form`}>
        {t('view.signIn')}
      </button>
      {open && (
        <form
          id={`${id}-form`}
          className="sign-in"
          onSubmit={async (e) => {
            e.preventDefault();
            if (keyText === null) return;
            setBusy(true);
            setError(null);
            try {
              onSession(await signIn(keyText, party, agreement, origin));
              setOpen(false);
              setKeyText(null);
            } catch (err) {
              setError((err as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          <label htmlFor={`${id}-file`}>{t('view.keyFile')}</label>
          <input
            id={`${id}-file`}
            type="file"
            data-testid="key-file"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              const text = await f.text();
              try {
                setParty(parsePrivateKey(text).name);
                setKeyText(text);
                setError(null);
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          />
          <label htmlFor={`${id}-party`}>{t('view.partyLabel')}</label>
          <input id={`${id}-party`} value={party} onChange={(e) => setParty(e.target.value)} />
          <button type="submit" disabled={busy || keyText === null} data-testid="sign-in-submit">
            {busy ? t('view.signingIn') : t('view.signIn')}
          </button>
          {error && (
            <p className="bad" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </div>
  );
}

export function sessionLine(s: Session): string {
  return `${s.party} ${s.clearance} ${formatDate(s.expires)}`;
}
