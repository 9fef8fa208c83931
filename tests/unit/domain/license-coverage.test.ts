import { describe, expect, it } from 'vitest';
import {
  controlledEccns,
  licenseRefusal,
  licenseStatus,
  tppRemaining,
  type LicenseBalance,
  type LicenseTerms,
  type ShipmentTerms,
} from '../../../src/domain/license-coverage.ts';

const TERMS: LicenseTerms = {
  organisationId: 'org-a',
  destination: 'AE',
  consigneeId: 'party-1',
  eccns: ['3A090.a', '4A090.a'],
  validFrom: '2025-05-01',
  validUntil: '2026-04-30',
  revoked: false,
};
const BALANCE: LicenseBalance = { tppAuthorized: 1_000_000, tppUsed: 300_000, tppHeld: 200_000 };
const SHIPMENT: ShipmentTerms = {
  organisationId: 'org-a',
  destination: 'AE',
  consigneeId: 'party-1',
  eccns: ['3A090.a'],
  shipDate: '2025-06-01',
  totalTpp: 500_000,
};

// Each row: what differs from the covering case, and the refusal expected (null: covered).
const CASES: [
  label: string,
  terms: Partial<LicenseTerms>,
  balance: Partial<LicenseBalance>,
  shipment: Partial<ShipmentTerms>,
  code: string | null,
][] = [
  ['covers exactly the remaining TPP', {}, {}, {}, null],
  ['covers on its first day', {}, {}, { shipDate: '2025-05-01' }, null],
  ['covers on its last day', {}, {}, { shipDate: '2026-04-30' }, null],
  ['ignores items outside 3A090/4A090', {}, {}, { eccns: ['3A090.a', 'OUTSIDE_3A090'] }, null],
  ['revoked', { revoked: true }, {}, {}, 'LICENSE_NOT_ACTIVE'],
  ['another exporter', { organisationId: 'org-b' }, {}, {}, 'LICENSE_WRONG_ORGANISATION'],
  ['another destination', { destination: 'SA' }, {}, {}, 'LICENSE_WRONG_DESTINATION'],
  ['another consignee', { consigneeId: 'party-2' }, {}, {}, 'LICENSE_WRONG_CONSIGNEE'],
  ['a shipment with no recorded consignee', {}, {}, { consigneeId: null }, 'LICENSE_WRONG_CONSIGNEE'],
  ['an ECCN it does not list', {}, {}, { eccns: ['3A090.a', '3A090.b'] }, 'LICENSE_ECCN_NOT_COVERED'],
  ['a ship date before it', {}, {}, { shipDate: '2025-04-30' }, 'LICENSE_NOT_VALID_ON_SHIP_DATE'],
  ['a ship date after it', {}, {}, { shipDate: '2026-05-01' }, 'LICENSE_NOT_VALID_ON_SHIP_DATE'],
  ['one TPP too many', {}, {}, { totalTpp: 500_001 }, 'LICENSE_INSUFFICIENT_TPP'],
  ['an exhausted licence', {}, { tppUsed: 800_000 }, { totalTpp: 1 }, 'LICENSE_INSUFFICIENT_TPP'],
  [
    'revocation before anything else',
    { revoked: true, organisationId: 'org-b' },
    {},
    {},
    'LICENSE_NOT_ACTIVE',
  ],
];

describe('licenseRefusal', () => {
  it.each(CASES)('%s', (_label, terms, balance, shipment, code) => {
    const refusal = licenseRefusal(
      { ...TERMS, ...terms },
      { ...BALANCE, ...balance },
      { ...SHIPMENT, ...shipment },
    );
    expect(refusal?.code ?? null).toBe(code);
    if (refusal) expect(refusal.detail.length).toBeGreaterThan(10);
  });
});

describe('licenseStatus', () => {
  it.each([
    ['ACTIVE', {}, {}, '2025-06-01'],
    ['ACTIVE', {}, {}, '2026-04-30'],
    ['EXPIRED', {}, {}, '2026-05-01'],
    ['EXHAUSTED', {}, { tppUsed: 800_000 }, '2025-06-01'],
    ['REVOKED', { revoked: true }, { tppUsed: 800_000 }, '2027-01-01'],
    ['EXPIRED', {}, { tppUsed: 800_000 }, '2026-05-01'],
  ] as const)('%s', (status, terms, balance, today) => {
    expect(licenseStatus({ ...TERMS, ...terms }, { ...BALANCE, ...balance }, today)).toBe(status);
  });
});

describe('figures', () => {
  it('never reports a negative remainder', () => {
    expect(tppRemaining({ tppAuthorized: 10, tppUsed: 8, tppHeld: 5 })).toBe(0);
    expect(tppRemaining(BALANCE)).toBe(500_000);
  });

  it('lists the controlled ECCNs once, sorted', () => {
    expect(controlledEccns(['4A090.a', 'OUTSIDE_4A090', '3A090.a', '4A090.a'])).toEqual([
      '3A090.a',
      '4A090.a',
    ]);
  });
});
