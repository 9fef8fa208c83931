import { assertIsoDate, type IsoDate } from './dates.ts';

/**
 * Country Groups of Supplement No. 1 to 15 CFR part 740 that the advanced-computing rules use, written from
 * /reference/country-groups.json: the membership on SNAPSHOT_DATE plus the dated changes around it, so that
 * membership can be asked for any day from the October 2023 rule on.
 */
export const COUNTRY_GROUPS = ['A:5', 'A:6', 'D:1', 'D:4', 'D:5'] as const;
export type CountryGroup = (typeof COUNTRY_GROUPS)[number];

export interface GroupMember {
  iso2: string;
  name: string;
}

export const COUNTRY_GROUPS_SNAPSHOT_DATE: IsoDate = '2025-01-15';

export const COUNTRY_GROUPS_SOURCE =
  'Supp. No. 1 to 15 CFR part 740, eCFR-derived snapshots of June/July 2026 rolled back to 2025-01-15 through the dated changes below';

const members = (pairs: readonly (readonly [string, string])[]): readonly GroupMember[] =>
  pairs.map(([iso2, name]) => ({ iso2, name }));

/** Membership on 2025-01-15, the publication date of 90 FR 4544 (which did not change Supp. No. 1). */
// prettier-ignore
export const COUNTRY_GROUP_MEMBERS: Readonly<Record<CountryGroup, readonly GroupMember[]>> = {
  // Wassenaar-aligned close allies; no change found between 2023-10 and 2026-11.
  'A:5': members([
    ['AR', 'Argentina'], ['AU', 'Australia'], ['AT', 'Austria'], ['BE', 'Belgium'], ['BG', 'Bulgaria'],
    ['CA', 'Canada'], ['HR', 'Croatia'], ['CZ', 'Czech Republic'], ['DK', 'Denmark'], ['EE', 'Estonia'],
    ['FI', 'Finland'], ['FR', 'France'], ['DE', 'Germany'], ['GR', 'Greece'], ['HU', 'Hungary'],
    ['IS', 'Iceland'], ['IN', 'India'], ['IE', 'Ireland'], ['IT', 'Italy'], ['JP', 'Japan'],
    ['KR', 'Korea, South'], ['LV', 'Latvia'], ['LT', 'Lithuania'], ['LU', 'Luxembourg'], ['NL', 'Netherlands'],
    ['NZ', 'New Zealand'], ['NO', 'Norway'], ['PL', 'Poland'], ['PT', 'Portugal'], ['RO', 'Romania'],
    ['SK', 'Slovakia'], ['SI', 'Slovenia'], ['ES', 'Spain'], ['SE', 'Sweden'], ['CH', 'Switzerland'],
    ['TR', 'Türkiye (Turkey)'], ['GB', 'United Kingdom'],
  ]),
  // Cyprus and Mexico joined A:6 on 2020-12-28 (85 FR 84211).
  'A:6': members([
    ['AL', 'Albania'], ['CY', 'Cyprus'], ['IL', 'Israel'], ['MT', 'Malta'], ['MX', 'Mexico'],
    ['SG', 'Singapore'], ['ZA', 'South Africa'], ['TW', 'Taiwan'],
  ]),
  'D:1': members([
    ['AM', 'Armenia'], ['AZ', 'Azerbaijan'], ['BY', 'Belarus'], ['MM', 'Burma (Myanmar)'], ['KH', 'Cambodia'],
    ['CN', 'China'], ['GE', 'Georgia'], ['IQ', 'Iraq'], ['KZ', 'Kazakhstan'], ['KP', 'Korea, North'],
    ['KG', 'Kyrgyzstan'], ['LA', 'Laos'], ['LY', 'Libya'], ['MO', 'Macau'], ['MD', 'Moldova'],
    ['MN', 'Mongolia'], ['NI', 'Nicaragua'], ['RU', 'Russia'], ['TJ', 'Tajikistan'], ['TM', 'Turkmenistan'],
    ['UZ', 'Uzbekistan'], ['VE', 'Venezuela'], ['VN', 'Vietnam'], ['YE', 'Yemen'],
  ]),
  // Belarus and Macau rest on one machine-readable source plus memory (confidence medium-high).
  'D:4': members([
    ['BH', 'Bahrain'], ['BY', 'Belarus'], ['CN', 'China'], ['EG', 'Egypt'], ['IR', 'Iran'], ['IQ', 'Iraq'],
    ['IL', 'Israel'], ['JO', 'Jordan'], ['KP', 'Korea, North'], ['KW', 'Kuwait'], ['LB', 'Lebanon'],
    ['LY', 'Libya'], ['MO', 'Macau'], ['OM', 'Oman'], ['PK', 'Pakistan'], ['QA', 'Qatar'], ['RU', 'Russia'],
    ['SA', 'Saudi Arabia'], ['SY', 'Syria'], ['AE', 'United Arab Emirates'], ['VE', 'Venezuela'], ['YE', 'Yemen'],
  ]),
  // U.S. arms-embargoed countries; the note to D:5 makes State's ITAR 126.1 list control where they differ.
  'D:5': members([
    ['AF', 'Afghanistan'], ['BY', 'Belarus'], ['MM', 'Burma (Myanmar)'], ['KH', 'Cambodia'],
    ['CF', 'Central African Republic'], ['CN', 'China'], ['CD', 'Congo, Democratic Republic of the'], ['CU', 'Cuba'],
    ['ER', 'Eritrea'], ['HT', 'Haiti'], ['IR', 'Iran'], ['IQ', 'Iraq'], ['KP', 'Korea, North'], ['LB', 'Lebanon'],
    ['LY', 'Libya'], ['NI', 'Nicaragua'], ['RU', 'Russia'], ['SO', 'Somalia'], ['SS', 'South Sudan'],
    ['SD', 'Sudan'], ['SY', 'Syria'], ['VE', 'Venezuela'], ['ZW', 'Zimbabwe'],
  ]),
};

export interface CountryGroupChange {
  /** The day the Supp. No. 1 table changed. */
  date: IsoDate;
  group: CountryGroup;
  iso2: string;
  change: 'added' | 'removed';
  citation: string;
  /**
   * For D:5: the day State's ITAR 126.1 list changed, which under the D:5 note arguably governs before the
   * EAR table catches up.
   */
  stateListDate?: IsoDate;
  note: string;
}

export const COUNTRY_GROUP_CHANGES: readonly CountryGroupChange[] = [
  {
    date: '2024-03-15',
    group: 'D:1',
    iso2: 'NI',
    change: 'added',
    citation: '89 FR 18780 (Mar. 15, 2024), RIN 0694-AJ34',
    note: 'Nicaragua moved from Country Group B to D:1, effective on publication.',
  },
  {
    date: '2024-03-15',
    group: 'D:5',
    iso2: 'NI',
    change: 'added',
    citation: '89 FR 18780 (Mar. 15, 2024), conforming to State adding Nicaragua to ITAR 126.1',
    stateListDate: '2024-03-14',
    note: 'State announced the ITAR 126.1 addition on 2024-03-14; the EAR table followed on 2024-03-15.',
  },
  {
    date: '2024-05-30',
    group: 'D:5',
    iso2: 'CY',
    change: 'removed',
    citation: '89 FR 40369 (May 10, 2024, effective May 30, 2024), RIN 0694-AJ65',
    stateListDate: '2022-10-01',
    note: "State suspended Cyprus's ITAR 126.1 policy of denial from 2022-10-01 and renews it yearly; Cyprus is in A:6 either way.",
  },
  {
    date: '2026-02-03',
    group: 'D:5',
    iso2: 'KH',
    change: 'removed',
    citation: '91 FR 5091 (Feb. 3, 2026), RIN 0694-AK41',
    stateListDate: '2025-11-07',
    note: 'State lifted its Cambodia embargo effective 2025-11-07; the EAR table followed on 2026-02-03. Cambodia stays in D:1.',
  },
];

/** EAR_TABLE follows Supp. No. 1 as published; STATE_LIST applies D:5 changes from State's dates. */
export type D5Basis = 'EAR_TABLE' | 'STATE_LIST';

export interface GroupQueryOptions {
  d5Basis?: D5Basis;
}

/** Hong Kong has been treated as China under the EAR since 2020-12-23 (85 FR 83765). */
const DESTINATION_ALIASES: Readonly<Record<string, string>> = { HK: 'CN' };

export function normaliseCountryCode(code: string): string {
  const upper = code.trim().toUpperCase();
  return DESTINATION_ALIASES[upper] ?? upper;
}

function changeDate(change: CountryGroupChange, basis: D5Basis): IsoDate {
  return basis === 'STATE_LIST' && change.group === 'D:5' && change.stateListDate
    ? change.stateListDate
    : change.date;
}

function inSnapshot(group: CountryGroup, iso2: string): boolean {
  return COUNTRY_GROUP_MEMBERS[group].some((member) => member.iso2 === iso2);
}

export function isInGroupOn(
  group: CountryGroup,
  code: string,
  date: IsoDate,
  options: GroupQueryOptions = {},
): boolean {
  assertIsoDate(date);
  const iso2 = normaliseCountryCode(code);
  const basis = options.d5Basis ?? 'EAR_TABLE';
  let member = inSnapshot(group, iso2);
  const changes = COUNTRY_GROUP_CHANGES.filter((c) => c.group === group && c.iso2 === iso2);
  // Undo changes that took effect after the day asked about, newest first, then apply later ones in order.
  const byDate = [...changes].sort((a, b) => changeDate(a, basis).localeCompare(changeDate(b, basis)));
  for (const change of [...byDate].reverse()) {
    const effective = changeDate(change, basis);
    if (change.date <= COUNTRY_GROUPS_SNAPSHOT_DATE && effective > date) member = change.change === 'removed';
  }
  for (const change of byDate) {
    const effective = changeDate(change, basis);
    if (change.date > COUNTRY_GROUPS_SNAPSHOT_DATE && effective <= date) member = change.change === 'added';
  }
  return member;
}

export function groupsOn(code: string, date: IsoDate, options: GroupQueryOptions = {}): CountryGroup[] {
  return COUNTRY_GROUPS.filter((group) => isInGroupOn(group, code, date, options));
}

/** D:5 or Macau: Tier 3 under 90 FR 4544 and the presumption-of-denial set of 15 CFR 742.6(b)(10). */
export function isD5OrMacauOn(code: string, date: IsoDate, options: GroupQueryOptions = {}): boolean {
  const iso2 = normaliseCountryCode(code);
  return iso2 === 'MO' || isInGroupOn('D:5', iso2, date, options);
}

/**
 * The destination test of 15 CFR 742.6(a)(6)(iii) for 3A090/4A090 (88 FR 73458): D:1, D:4 or D:5 and not
 * also A:5 or A:6, plus Macau. Hong Kong counts as China.
 */
export function requiresBaselineLicence(
  code: string,
  date: IsoDate,
  options: GroupQueryOptions = {},
): boolean {
  const iso2 = normaliseCountryCode(code);
  if (iso2 === 'MO') return true;
  const groups = groupsOn(iso2, date, options);
  const inD = groups.includes('D:1') || groups.includes('D:4') || groups.includes('D:5');
  const inA = groups.includes('A:5') || groups.includes('A:6');
  return inD && !inA;
}

/** Every destination that requires a licence under the baseline destination test on a date, sorted. */
export function baselineLicenceDestinationsOn(date: IsoDate, options: GroupQueryOptions = {}): string[] {
  const candidates = new Set<string>(['MO']);
  for (const group of COUNTRY_GROUPS)
    for (const member of COUNTRY_GROUP_MEMBERS[group]) candidates.add(member.iso2);
  for (const change of COUNTRY_GROUP_CHANGES) candidates.add(change.iso2);
  return [...candidates].filter((code) => requiresBaselineLicence(code, date, options)).sort();
}
