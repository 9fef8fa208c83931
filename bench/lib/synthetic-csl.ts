/**
 * A synthetic Consolidated Screening List for the benchmark: `count` entries with made-up company names (two to
 * four words from syllables), alternate names, one to three countries and the sources of the real file in
 * roughly its proportions. Seeded, so a run can be repeated; never the real list.
 */
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'to',
  'zen',
  'vor',
  'tek',
  'nal',
  'sun',
  'pre',
  'dax',
  'qui',
  'bel',
  'hua',
  'tai',
];
const SUFFIXES = [
  'Co., Ltd.',
  'LLC',
  'GmbH',
  'FZE',
  'Trading',
  'Technologies',
  'Institute',
  'Industries',
  'OOO',
];
const COUNTRIES = ['CN', 'RU', 'IR', 'AE', 'HK', 'TR', 'BY', 'SG', 'MY', 'KP', 'SY', 'PK', 'VE', 'DE', 'IN'];
const SOURCES: [string, number][] = [
  ['Specially Designated Nationals (SDN) - Treasury Department', 0.6],
  ['Entity List (EL) - Bureau of Industry and Security', 0.3],
  ['Military End User (MEU) List - Bureau of Industry and Security', 0.04],
  ['Unverified List (UVL) - Bureau of Industry and Security', 0.03],
  ['Nonproliferation Sanctions (ISN) - State Department', 0.03],
];

/** mulberry32: small, fast, seedable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticCsl(count: number, seed: number): { results: unknown[] } {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const word = () => {
    const w = Array.from({ length: 2 + Math.floor(next() * 2) }, () => pick(SYLLABLES)).join('');
    return w.charAt(0).toUpperCase() + w.slice(1);
  };
  const results: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 2 + Math.floor(next() * 3) }, word);
    const name = `${words.join(' ')} ${pick(SUFFIXES)}`;
    const altNames = next() < 0.5 ? [words.slice(0, 2).join(' '), `${words[0] as string} ${i}`] : [];
    let r = next();
    let source = SOURCES[0]?.[0] as string;
    for (const [s, p] of SOURCES) {
      if (r < p) {
        source = s;
        break;
      }
      r -= p;
    }
    const countries = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(COUNTRIES)))];
    results.push({
      name,
      alt_names: altNames,
      addresses: countries.map((country) => ({
        address: `${i} Synthetic Road`,
        city: 'Synthetic City',
        country,
      })),
      source,
      start_date: '2024-01-01',
      federal_register_notice: `89 FR ${10_000 + (i % 90_000)}`,
      license_requirement: 'For all items subject to the EAR.',
      license_policy: 'Presumption of denial.',
      remarks: null,
    });
  }
  return { results };
}
