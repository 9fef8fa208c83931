import { describe, expect, it } from 'vitest';
import { decisionLabels } from '../../../src/http/plugins/metrics.ts';

describe('decisionLabels', () => {
  it('uses the decision outcome when it has one', () => {
    expect(
      decisionLabels({
        outcome: 'NOTIFICATION_REQUIRED',
        allowed: false,
        licenseRequired: false,
        authorization: 'NAC',
        ruleset: { id: 'baseline-2023' },
      }),
    ).toEqual({ outcome: 'NOTIFICATION_REQUIRED', authorization: 'NAC', ruleset: 'baseline-2023' });
  });

  it.each([
    [{ allowed: true, licenseRequired: false, authorization: 'AIA' }, 'ALLOWED', 'AIA'],
    [{ allowed: false, licenseRequired: true, authorization: null }, 'LICENSE_REQUIRED', 'none'],
    [{ allowed: false, licenseRequired: false, authorization: null }, 'NOT_ALLOWED', 'none'],
  ])(
    'derives the outcome from allowed and licenseRequired until then (%o)',
    (fields, outcome, authorization) => {
      expect(decisionLabels({ ...fields, ruleset: { id: 'ai-diffusion-2025' } })).toEqual({
        outcome,
        authorization,
        ruleset: 'ai-diffusion-2025',
      });
    },
  );
});
