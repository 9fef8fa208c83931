import { createRequire } from 'node:module';
import isoCountries, { type LocaleData } from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
isoCountries.registerLocale(require('i18n-iso-countries/langs/en.json') as LocaleData);

/**
 * Codes people type that ISO 3166-1 reserves for another use: UK and EL are "exceptionally reserved" (the EU
 * uses EL for Greece), so they are never country codes here.
 */
const EXCEPTIONAL: Record<string, string> = { UK: 'GB', EL: 'GR' };

export interface CountrySuggestion {
  code: string;
  name: string;
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const NAMES = Object.entries(isoCountries.getNames('en', { select: 'all' })).map(([code, aliases]) => ({
  code,
  aliases: (Array.isArray(aliases) ? aliases : [aliases]).map(fold),
}));

function suggestion(code: string): CountrySuggestion | null {
  const name = isoCountries.getName(code, 'en', { select: 'official' });
  return name ? { code, name: code === 'TW' ? 'Taiwan' : name } : null;
}

/**
 * The alpha-2 codes a caller probably meant by `input`: an exceptionally reserved code (UK), an alpha-3 or numeric
 * code (KOR, 410), or an English name or part of one (Korea, United Kingdom). Best first, at most three; empty when
 * nothing is close.
 */
export function suggestCountryCodes(input: string): CountrySuggestion[] {
  const raw = input.trim();
  const upper = raw.toUpperCase();
  const direct =
    EXCEPTIONAL[upper] ??
    (/^[A-Z]{3}$/.test(upper) ? isoCountries.alpha3ToAlpha2(upper) : undefined) ??
    (/^\d{1,3}$/.test(upper) ? isoCountries.numericToAlpha2(upper.padStart(3, '0')) : undefined);
  if (direct) return [suggestion(direct)].filter((s): s is CountrySuggestion => s !== null);

  const query = fold(raw);
  if (query.length < 3) return [];
  const scored = NAMES.map(({ code, aliases }) => {
    let score = 0;
    for (const alias of aliases) {
      if (alias === query) score = Math.max(score, 100);
      else if (alias.startsWith(query)) score = Math.max(score, 10);
      else if (` ${alias} `.includes(` ${query}`)) score = Math.max(score, 5);
    }
    return { code, score };
  })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.code.localeCompare(b.code));
  return scored
    .slice(0, 3)
    .map((s) => suggestion(s.code))
    .filter((s): s is CountrySuggestion => s !== null);
}

/** " Did you mean KR (South Korea)?" or "" when there is nothing to suggest. */
export function didYouMeanCountry(input: string): string {
  const suggestions = suggestCountryCodes(input);
  if (suggestions.length === 0) return '';
  const list = suggestions.map((s) => `${s.code} (${s.name})`);
  const joined = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list[0];
  return ` Did you mean ${joined}?`;
}
