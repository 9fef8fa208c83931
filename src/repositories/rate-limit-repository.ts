import { Prisma } from '../generated/prisma/client.ts';
import { hotQuery, type Db } from './db.ts';

export interface CounterIncrement {
  subject: string;
  windowStart: Date;
  by: number;
}

interface CounterRow {
  subject: string;
  window_start: Date;
  count: number;
}

/**
 * Adds every increment in one statement and returns each counter's total after it. Rows are sorted so that two
 * processes flushing overlapping subjects lock them in the same order and never deadlock.
 */
export async function incrementCounters(
  db: Db,
  increments: CounterIncrement[],
): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  if (increments.length === 0) return totals;
  const rows = increments
    .map((i) => ({ subject: i.subject, window_start: i.windowStart.toISOString(), by: i.by }))
    .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  // Every request's counters pass through here (batched).
  const result = await hotQuery<CounterRow>(
    db,
    'rate-limit-increment',
    Prisma.sql`
      INSERT INTO rate_limit_counters AS c (subject, window_start, count)
      SELECT subject, window_start, by
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS t(subject text, window_start timestamptz, by int)
      ORDER BY subject, window_start
      ON CONFLICT (subject, window_start) DO UPDATE SET count = c.count + EXCLUDED.count
      RETURNING subject, window_start, count`,
  );
  for (const row of result) totals.set(`${row.subject}@${row.window_start.getTime()}`, row.count);
  return totals;
}

/** Drops counters of windows that ended before `before`. */
export async function deleteCountersBefore(db: Db, before: Date): Promise<number> {
  return db.$executeRaw`DELETE FROM rate_limit_counters WHERE window_start < ${before}`;
}
