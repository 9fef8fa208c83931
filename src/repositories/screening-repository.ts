import type { CslEntry, ScreeningListCode } from '../domain/screening.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { hotQuery, type Db } from './db.ts';

export interface ScreeningListRecord {
  id: string;
  importedAt: Date;
  entries: number;
  sources: Record<string, number>;
  malformed: { index: number; problem: string }[];
  malformedCount: number;
  origin: string;
}

export interface NewScreeningName {
  entryIndex: number;
  name: string;
  identityKey: string;
  /** The matching form before accents are folded; the insert folds them with unaccent(). */
  form: string;
}

export async function createScreeningList(
  tx: Db,
  list: Omit<ScreeningListRecord, 'importedAt'> & { importedAt: Date },
): Promise<void> {
  await tx.screeningList.create({
    data: {
      id: list.id,
      importedAt: list.importedAt,
      entries: list.entries,
      sources: list.sources,
      malformed: list.malformed,
      malformedCount: list.malformedCount,
      origin: list.origin,
    },
  });
}

/** The counts are known only at the end of a streamed import. */
export async function completeScreeningList(
  tx: Db,
  id: string,
  summary: Pick<ScreeningListRecord, 'entries' | 'sources' | 'malformed' | 'malformedCount'>,
): Promise<void> {
  await tx.screeningList.update({ where: { id }, data: summary });
}

/** One batch of entries and their names, one statement each (jsonb_to_recordset, as for audit batches). */
export async function insertScreeningBatch(
  tx: Db,
  listId: string,
  entries: (CslEntry & { entryIndex: number })[],
  names: NewScreeningName[],
): Promise<void> {
  if (entries.length === 0) return;
  const entryJson = JSON.stringify(
    entries.map((e) => ({
      entry_index: e.entryIndex,
      name: e.name,
      alt_names: e.altNames,
      countries: e.countries,
      source: e.source,
      list_code: e.listCode,
      start_date: e.startDate,
      federal_register_notice: e.federalRegisterNotice,
      license_requirement: e.licenseRequirement,
      license_policy: e.licensePolicy,
      remarks: e.remarks,
    })),
  );
  await tx.$executeRaw`
    INSERT INTO screening_entries (list_id, entry_index, name, alt_names, countries, source, list_code, start_date,
      federal_register_notice, license_requirement, license_policy, remarks)
    SELECT ${listId}::uuid, entry_index, name,
      ARRAY(SELECT jsonb_array_elements_text(alt_names)), ARRAY(SELECT jsonb_array_elements_text(countries)),
      source, list_code, start_date, federal_register_notice, license_requirement, license_policy, remarks
    FROM jsonb_to_recordset(${entryJson}::jsonb) AS t(entry_index int, name text, alt_names jsonb, countries jsonb,
      source text, list_code text, start_date text, federal_register_notice text, license_requirement text,
      license_policy text, remarks text)`;
  const nameJson = JSON.stringify(
    names.map((n) => ({
      entry_index: n.entryIndex,
      name: n.name,
      identity_key: n.identityKey,
      form: n.form,
    })),
  );
  await tx.$executeRaw`
    INSERT INTO screening_names (list_id, entry_index, name, identity_key, match_form)
    SELECT ${listId}::uuid, entry_index, name, identity_key, unaccent(form)
    FROM jsonb_to_recordset(${nameJson}::jsonb) AS t(entry_index int, name text, identity_key text, form text)`;
}

export async function listScreeningLists(db: Db, limit: number): Promise<ScreeningListRecord[]> {
  const rows = await db.screeningList.findMany({
    orderBy: [{ importedAt: 'desc' }, { id: 'asc' }],
    take: limit,
  });
  return rows.map((row) => ({
    id: row.id,
    importedAt: row.importedAt,
    entries: row.entries,
    sources: row.sources as Record<string, number>,
    malformed: row.malformed as { index: number; problem: string }[],
    malformedCount: row.malformedCount,
    origin: row.origin,
  }));
}

export interface ScreeningQuery {
  /** Position of the query in the caller's list. */
  ord: number;
  form: string;
  identityKey: string;
}

export interface ScreeningCandidate {
  ord: number;
  matchedName: string;
  exact: boolean;
  similarity: number;
  entryName: string;
  countries: string[];
  source: string;
  listCode: ScreeningListCode;
  startDate: string | null;
  federalRegisterNotice: string | null;
  licenseRequirement: string | null;
  licensePolicy: string | null;
}

export interface ScreeningSearch {
  list: { id: string; importedAt: Date } | null;
  candidates: ScreeningCandidate[];
}

interface CandidateRow {
  list_id: string;
  imported_at: Date;
  ord: number | null;
  matched_name: string | null;
  exact: boolean | null;
  sim: number | null;
  entry_name: string | null;
  countries: string[] | null;
  source: string | null;
  list_code: string | null;
  start_date: string | null;
  federal_register_notice: string | null;
  license_requirement: string | null;
  license_policy: string | null;
}

/**
 * Candidates for every query in the latest import, in one statement: names whose matching form is
 * trigram-similar from `minSimilarity` up (pg_trgm `%`), and names whose identity key is equal, whatever their
 * similarity. Accents of the query are folded by unaccent() as they were at import.
 *
 * Two lookups per query, each with its own index, restricted to the latest list: the (list_id, match_form) GIN
 * trigram index and the (list_id, identity_key) btree (one condition with OR between them would use neither).
 * `minSimilarity` becomes pg_trgm.similarity_threshold with set_config(..., true), local to this statement's
 * transaction: it is set when the latest list is read, before the lateral lookups that depend on that row run.
 * tests/integration/screening-threshold.test.ts shows that it applies: under a configured floor of 0.249 it finds a
 * name at similarity 0.297, which pg_trgm's default 0.3 would miss. The branches return whole name rows (joining
 * back by id let the planner hash every name of every list), and each candidate's entry is read by its primary
 * key, one at a time (LIMIT 1 keeps the planner from hashing the whole entries table for a handful of rows).
 */
export async function searchLatestScreeningList(
  db: Db,
  queries: ScreeningQuery[],
  minSimilarity: number,
): Promise<ScreeningSearch> {
  // Every check screens its parties.
  const rows = await hotQuery<CandidateRow>(
    db,
    'screening-search',
    screeningSearchSql(queries, minSimilarity),
  );
  const first = rows[0];
  if (!first) return { list: null, candidates: [] };
  return {
    list: { id: first.list_id, importedAt: first.imported_at },
    candidates: rows
      .filter((r) => r.ord !== null)
      .map((r) => ({
        ord: r.ord as number,
        matchedName: r.matched_name as string,
        exact: r.exact === true,
        similarity: r.sim ?? 0,
        entryName: r.entry_name as string,
        countries: r.countries ?? [],
        source: r.source as string,
        listCode: r.list_code as ScreeningListCode,
        startDate: r.start_date,
        federalRegisterNotice: r.federal_register_notice,
        licenseRequirement: r.license_requirement,
        licensePolicy: r.license_policy,
      })),
  };
}

/** The statement of searchLatestScreeningList, on its own so that the benchmark can EXPLAIN exactly it. */
export function screeningSearchSql(queries: ScreeningQuery[], minSimilarity: number): Prisma.Sql {
  const ords = queries.map((q) => q.ord);
  const forms = queries.map((q) => q.form);
  const keys = queries.map((q) => q.identityKey);
  return Prisma.sql`
    WITH latest AS MATERIALIZED (
      SELECT id, imported_at, set_config('pg_trgm.similarity_threshold', ${String(minSimilarity)}, true) AS threshold
      FROM screening_lists ORDER BY imported_at DESC, id LIMIT 1
    )
    SELECT l.id::text AS list_id, l.imported_at, c.*
    FROM latest l
    LEFT JOIN LATERAL (
      SELECT q.ord, n.name AS matched_name, (n.identity_key = q.key) AS exact,
             similarity(n.match_form, q.form)::float8 AS sim, e.name AS entry_name, e.countries, e.source,
             e.list_code, e.start_date, e.federal_register_notice, e.license_requirement, e.license_policy
      FROM (
        SELECT t.ord, unaccent(t.form) AS form, t.key
        FROM unnest(${ords}::int[], ${forms}::text[], ${keys}::text[]) AS t(ord, form, key)
      ) q
      CROSS JOIN LATERAL (
        SELECT s.id, s.list_id, s.entry_index, s.name, s.identity_key, s.match_form
        FROM screening_names s WHERE s.list_id = l.id AND s.match_form % q.form
        UNION
        SELECT s.id, s.list_id, s.entry_index, s.name, s.identity_key, s.match_form
        FROM screening_names s WHERE s.list_id = l.id AND s.identity_key = q.key
      ) n
      CROSS JOIN LATERAL (
        SELECT x.name, x.countries, x.source, x.list_code, x.start_date, x.federal_register_notice,
               x.license_requirement, x.license_policy
        FROM screening_entries x WHERE x.list_id = n.list_id AND x.entry_index = n.entry_index LIMIT 1
      ) e
    ) c ON true`;
}
