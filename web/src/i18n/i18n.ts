/**
 * Languages (i18next): English, Arabic and Hebrew; the last two right to left. Numbers and dates
 * are formatted with the browser's Intl for the chosen language.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { ar } from './ar';
import { en } from './en';
import { he } from './he';
import { terms } from './terms';

export const LANGUAGES = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
  { code: 'he', name: 'עברית', dir: 'rtl' },
] as const;
export type Lang = (typeof LANGUAGES)[number]['code'];

const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem('phaseline.lang');
const initial: Lang = stored === 'ar' || stored === 'he' ? stored : 'en';

void i18next.use(initReactI18next).init({
  lng: initial,
  fallbackLng: 'en',
  resources: {
    en: { translation: en },
    ar: { translation: { ...ar, term: terms.ar } },
    he: { translation: { ...he, term: terms.he } },
  },
  interpolation: { escapeValue: false },
});

export function dirOf(lang: string): 'ltr' | 'rtl' {
  return lang === 'ar' || lang === 'he' ? 'rtl' : 'ltr';
}

export function applyLanguage(lang: Lang): void {
  void i18next.changeLanguage(lang);
  localStorage.setItem('phaseline.lang', lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = dirOf(lang);
}

/** A term of the agreement or the engine in the current language, or as it is. */
export function term(t: string): string {
  const lang = i18next.language as Lang;
  if (lang === 'en') return t;
  return terms[lang]?.[t] ?? t;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(i18next.language).format(n);
}

export function formatDate(iso: string, withTime = true): string {
  return new Intl.DateTimeFormat(i18next.language, {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'UTC',
  }).format(new Date(iso));
}

export function formatMoney(minor: number, currency: string | null): string {
  const n = minor / 100;
  try {
    return new Intl.NumberFormat(i18next.language, {
      style: currency ? 'currency' : 'decimal',
      currency: currency ?? undefined,
      notation: Math.abs(n) >= 1e6 ? 'compact' : 'standard',
      maximumFractionDigits: 1,
    }).format(n);
  } catch {
    return `${formatNumber(n)} ${currency ?? ''}`;
  }
}

export { i18next };
