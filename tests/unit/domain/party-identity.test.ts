import { describe, expect, it } from 'vitest';
import {
  confusableSkeleton,
  normalisePartyName,
  partyIdentityKey,
} from '../../../src/domain/party-identity.ts';

// Each row: spellings that must resolve to one party. The first is the reference spelling.
const SAME: [label: string, names: string[]][] = [
  [
    'the issue pairs',
    [
      'Gulf AI, LLC',
      'Gulf AI LLC',
      'gulf ai llc',
      'GULF AI LLC',
      'Gulf AI\u200b LLC', // zero-width space
      'Gulf \u0410I LLC', // Cyrillic capital A
      'Gulf \u0430I LLC', // Cyrillic small a
    ],
  ],
  [
    'format characters',
    [
      'Falcon Compute',
      'Fal\u00adcon Compute', // soft hyphen
      '\ufeffFalcon Compute', // BOM
      'Falcon\u200d Compute', // ZWJ
      'Falcon\u200c Compute', // ZWNJ
      'Falcon \u2060Compute', // word joiner
      'Falcon Compute\u202e', // right-to-left override
    ],
  ],
  [
    'compatibility forms (NFKC)',
    [
      'Falcon Compute',
      '\uff26\uff41\uff4c\uff43\uff4f\uff4e Compute',
      'Falcon\u00a0Compute',
      'Falcon\u3000Compute',
    ],
  ],
  ['ligatures', ['Fine Silicon', '\ufb01ne Silicon']],
  ['case folding beyond toLowerCase', ['Stra\u00dfe Systems', 'STRASSE SYSTEMS', 'strasse systems']],
  [
    'punctuation and spacing',
    ['Gulf-AI L.L.C.', 'Gulf AI LLC', 'GulfAI LLC', '  Gulf   AI\tLLC  ', 'Gulf AI (LLC)'],
  ],
  [
    'confusable look-alikes',
    [
      'Olympus Labs',
      '\u039flympus Labs', // Greek capital omicron
      '0lympus Labs', // digit zero
    ],
  ],
  ['Cyrillic whole-word look-alike', ['Pace Ops', '\u0420\u0430\u0441\u0435 Ops']],
  // Case is folded before the skeleton (case must not matter), so a capital I is an i, not an l.
  ['digit one and letter l', ['Hel1o Corp', 'Hello Corp', 'HELLO CORP']],
  [
    'composed and decomposed accents',
    ['Soci\u00e9t\u00e9 G\u00e9n\u00e9rale', 'Socie\u0301te\u0301 Ge\u0301ne\u0301rale'],
  ],
];

// Each row: names that must stay different parties.
const DIFFERENT: [a: string, b: string][] = [
  ['Gulf AI LLC', 'Gulf AO LLC'],
  ['Gulf AI LLC', 'Gulf AI Holdings LLC'],
  ['Falcon Compute', 'Falcon Computing'],
  ['Acme', 'Acne'],
  ['Soci\u00e9t\u00e9 G\u00e9n\u00e9rale', 'Societe Generale'],
  ['G42', 'G43'],
  ['Alpha Systems', 'Beta Systems'],
];

describe('partyIdentityKey', () => {
  describe.each(SAME)('resolves spellings to one key: %s', (_label, names) => {
    const reference = partyIdentityKey(names[0]!);
    it.each(names.slice(1).map((name) => [JSON.stringify(name), name] as const))('%s', (_shown, name) => {
      expect(partyIdentityKey(name)).toBe(reference);
    });
  });

  it.each(DIFFERENT)('keeps %j and %j apart', (a, b) => {
    expect(partyIdentityKey(a)).not.toBe(partyIdentityKey(b));
  });

  it('gives the expected key for the reference spelling', () => {
    expect(partyIdentityKey('Gulf AI, LLC')).toBe('gulfaillc');
  });

  it('keeps no punctuation, spacing or format characters in a key', () => {
    const key = partyIdentityKey(' Gulf\u200b AI,\u00ad L.L.C. ');
    expect(key).not.toMatch(/[\p{P}\p{Z}\p{Cf}\s]/u);
  });

  it('gives an empty key for a name without letters or digits', () => {
    expect(partyIdentityKey(' \u200b.,-- ')).toBe('');
  });

  it('is stable when applied to its own output', () => {
    for (const [, names] of SAME) {
      for (const name of names) {
        const key = partyIdentityKey(name);
        expect(partyIdentityKey(key)).toBe(key);
      }
    }
  });
});

describe('confusableSkeleton', () => {
  it('maps Cyrillic and Greek look-alikes to their Latin prototypes', () => {
    expect(confusableSkeleton('\u0430')).toBe(confusableSkeleton('a'));
    expect(confusableSkeleton('\u039f')).toBe(confusableSkeleton('O'));
  });
});

describe('normalisePartyName', () => {
  it('keeps the spelling but removes invisible characters and collapses spaces', () => {
    expect(normalisePartyName('  Gulf\u200b AI,\u00a0 LLC \t')).toBe('Gulf AI, LLC');
    expect(normalisePartyName('\uff27ulf')).toBe('Gulf');
  });
});
