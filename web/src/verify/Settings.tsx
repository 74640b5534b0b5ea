/** Settings: the pinned log key, and the key the server publishes now. */
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseVerifierKey } from './keys';
import { pinKey, pinnedKey } from './pinned-key';

export function Settings({ servedKey, onPinned }: { servedKey: string | null; onPinned: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(pinnedKey() ?? '');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(pinnedKey() ?? ''), []);
  return (
    <section className="settings" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('settings.heading')}</h2>
      <label htmlFor={`${id}-key`}>{t('settings.pinnedKey')}</label>
      <p className="small">{t('settings.pinnedHelp')}</p>
      <textarea
        id={`${id}-key`}
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
        dir="ltr"
        spellCheck={false}
      />
      <button
        type="button"
        onClick={async () => {
          try {
            await parseVerifierKey(text);
            pinKey(text);
            setError(null);
            onPinned();
          } catch (e) {
            setError(t('settings.invalid', { message: (e as Error).message }));
          }
        }}
      >
        {t('settings.pin')}
      </button>
      {error && <p className="bad">{error}</p>}
      <p>
        {t('settings.served')}: <code dir="ltr">{servedKey}</code>
      </p>
    </section>
  );
}
