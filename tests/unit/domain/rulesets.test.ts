import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.ts';
import {
  countryAllocationCap,
  getRulePack,
  legalStatusOn,
  lppCap,
  RULE_PACKS,
} from '../../../src/domain/rulesets.ts';

const diffusion = RULE_PACKS['ai-diffusion-2025'];
const baseline = RULE_PACKS['baseline-2023'];

describe('ai-diffusion-2025 pack data (90 FR 4544)', () => {
  it('records the dates', () => {
    expect(diffusion).toMatchObject({
      citation: '90 FR 4544',
      published: '2025-01-15',
      effective: '2025-01-13',
      complianceDate: '2025-05-15',
      enforcementStopped: '2025-05-13',
      formallyRescinded: null,
    });
  });

  it('holds the quantities of RULES.md 4 as data', () => {
    expect(diffusion.quantities).toMatchObject({
      tier2AllocationTpp: 790_000_000,
      lppTppPerConsigneePerYear: 26_900_000,
      allocationCountsFrom: '2025-01-13',
    });
    expect(lppCap(diffusion)).toBe(26_900_000);
  });

  it.each([
    [false, 790_000_000],
    [true, 1_580_000_000],
  ])('computes the country allocation cap (gov-to-gov %s -> %s)', (govToGov, cap) => {
    expect(countryAllocationCap(diffusion, govToGov)).toBe(cap);
  });

  it('has no allocation in the baseline pack', () => {
    expect(countryAllocationCap(baseline, true)).toBeNull();
    expect(lppCap(baseline)).toBeNull();
  });
});

describe('legalStatusOn', () => {
  it.each([
    ['2024-12-31', 'NOT_YET_EFFECTIVE'],
    ['2025-01-12', 'NOT_YET_EFFECTIVE'],
    ['2025-01-13', 'EFFECTIVE_COMPLIANCE_PENDING'],
    ['2025-03-01', 'EFFECTIVE_COMPLIANCE_PENDING'],
    ['2025-05-12', 'EFFECTIVE_COMPLIANCE_PENDING'],
    ['2025-05-13', 'RESCINDED'],
    ['2025-05-15', 'RESCINDED'],
    ['2026-06-01', 'RESCINDED'],
  ])('ai-diffusion-2025 on %s is %s and never in force', (date, status) => {
    const result = legalStatusOn(diffusion, date);
    expect(result.status).toBe(status);
    expect(result.inForceOnShipDate).toBe(false);
    expect(result.explanation).toContain(date);
  });

  it('explains a pre-effective date with the effective date', () => {
    expect(legalStatusOn(diffusion, '2025-01-01').explanation).toContain('before 2025-01-13');
  });

  it('explains the pending window with both the compliance date and the stop of enforcement', () => {
    const { explanation } = legalStatusOn(diffusion, '2025-03-01');
    expect(explanation).toContain('2025-05-15');
    expect(explanation).toContain('2025-05-13');
  });

  it('explains rescission, the missing Federal Register notice and the successor pack', () => {
    const { explanation } = legalStatusOn(diffusion, '2025-06-01');
    expect(explanation).toContain('2025-05-13');
    expect(explanation).toContain('no formal rescission');
    expect(explanation).toContain('baseline-2023');
  });

  it.each([
    ['2023-11-16', 'NOT_YET_EFFECTIVE', false],
    ['2023-11-17', 'IN_FORCE', true],
    ['2025-06-01', 'IN_FORCE', true],
  ])('baseline-2023 on %s is %s', (date, status, inForce) => {
    expect(legalStatusOn(baseline, date)).toMatchObject({ status, inForceOnShipDate: inForce });
  });

  it('is in force from the compliance date for a pack that is not rescinded', () => {
    const hypothetical = { ...diffusion, enforcementStopped: null };
    expect(legalStatusOn(hypothetical, '2025-05-14').status).toBe('EFFECTIVE_COMPLIANCE_PENDING');
    expect(legalStatusOn(hypothetical, '2025-05-15')).toMatchObject({
      status: 'IN_FORCE',
      inForceOnShipDate: true,
    });
  });

  it('treats a formal rescission like the end of enforcement', () => {
    const hypothetical = { ...diffusion, enforcementStopped: null, formallyRescinded: '2025-09-01' };
    expect(legalStatusOn(hypothetical, '2025-08-31').status).toBe('IN_FORCE');
    const after = legalStatusOn(hypothetical, '2025-09-01');
    expect(after.status).toBe('RESCINDED');
    expect(after.explanation).toContain('rescinded in the Federal Register');
  });

  it('rejects a malformed date', () => {
    expect(() => legalStatusOn(diffusion, '2025-13-01')).toThrow(DomainError);
  });
});

describe('getRulePack', () => {
  it('finds a pack by id', () => {
    expect(getRulePack('baseline-2023').effective).toBe('2023-11-17');
  });
  it('rejects an unknown id with UNKNOWN_RULESET', () => {
    expect(() => getRulePack('nope')).toThrow(expect.objectContaining({ code: 'UNKNOWN_RULESET' }));
  });
});
