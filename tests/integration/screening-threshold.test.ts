import { Prisma } from '../../src/generated/prisma/client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCREENING_THRESHOLDS,
  screeningMatchForm,
  type ScreeningThresholds,
} from '../../src/domain/screening.ts';
import { importScreeningList, screenParties } from '../../src/services/screening.ts';
import { createIsolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-db.ts';

/**
 * The search asks pg_trgm only for names from (review threshold - country bonus) up. These cases sit at the
 * lowest similarities that still reach review, with and without country agreement, so a floor set too high
 * (or pg_trgm's default 0.3 where the configuration needs less) fails them. The similarities are not assumed:
 * each case first asks PostgreSQL for it. A database of its own: an import here must not become the latest list
 * that other files screen against.
 */

const LISTED = 'Quorvex Photonic Systems';
let iso: IsolatedDatabase;

beforeAll(async () => {
  iso = await createIsolatedDatabase('screening_threshold');
  await importScreeningList(
    { db: iso.db, actor: null, requestId: 'screening-threshold-test', now: () => new Date() },
    {
      origin: 'test',
      entries: [
        {
          name: LISTED,
          addresses: [{ country: 'CN' }],
          source: 'Entity List (EL) - Bureau of Industry and Security',
          license_policy: 'Presumption of denial.',
        },
      ],
    },
  );
});
afterAll(async () => iso.drop());

async function similarityTo(name: string): Promise<number> {
  const rows = await iso.db.$queryRaw<{ sim: number }[]>(
    Prisma.sql`SELECT similarity(match_form, unaccent(${screeningMatchForm(name)}))::float8 AS sim
               FROM screening_names WHERE name = ${LISTED}`,
  );
  return rows[0]?.sim as number;
}

async function screen(name: string, countries: string[], thresholds: ScreeningThresholds) {
  const result = await screenParties(iso.db, thresholds, [{ name, countries }]);
  expect(result.listId).not.toBeNull();
  return result.matches.map((m) => ({ entryName: m.entryName, score: m.score, kind: m.kind }));
}

describe('near matches at the lowest score that reaches review are found (defaults: review 0.6, bonus 0.1)', () => {
  const T = DEFAULT_SCREENING_THRESHOLDS;

  it('similarity 0.5 with the country agreeing scores 0.6: a possible match; without a country it is not', async () => {
    const name = 'Quorvex System Co';
    expect(await similarityTo(name)).toBe(0.5);
    expect(await screen(name, ['CN'], T)).toEqual([
      { entryName: LISTED, score: 0.6, kind: 'POSSIBLE_MATCH' },
    ]);
    expect(await screen(name, [], T)).toEqual([]);
  });

  it('similarity 0.6 without any country scores 0.6: a possible match; in another country it is not', async () => {
    const name = 'Photonic Systems FZE';
    expect(await similarityTo(name)).toBeCloseTo(0.6, 6);
    expect(await screen(name, [], T)).toEqual([{ entryName: LISTED, score: 0.6, kind: 'POSSIBLE_MATCH' }]);
    expect(await screen(name, ['DE'], T)).toEqual([]);
    const under = 'Quorvex Fotonic Sistems';
    const sim = await similarityTo(under);
    expect(sim).toBeGreaterThan(0.59);
    expect(sim).toBeLessThan(0.5995);
    expect(await screen(under, [], T)).toEqual([]);
  });

  it('just under 0.5 with the country agreeing stays under review (the boundary is real)', async () => {
    const name = 'Quorvex Photonics Labs';
    const sim = await similarityTo(name);
    expect(sim).toBeGreaterThan(0.48);
    expect(sim).toBeLessThan(0.4995);
    expect(await screen(name, ['CN'], T)).toEqual([]);
  });
});

describe('the floor follows the configuration below pg_trgm default of 0.3', () => {
  it('review 0.35, bonus 0.1: similarity 0.297 in the listed country scores 0.397, a possible match', async () => {
    const thresholds = { ...DEFAULT_SCREENING_THRESHOLDS, review: 0.35 };
    const name = 'Photonics Trading Sys';
    const sim = await similarityTo(name);
    expect(sim).toBeGreaterThan(0.25);
    expect(sim).toBeLessThan(0.3);
    expect(await screen(name, ['CN'], thresholds)).toEqual([
      { entryName: LISTED, score: 0.397, kind: 'POSSIBLE_MATCH' },
    ]);
    expect(await screen(name, [], thresholds)).toEqual([]);
  });
});
