/**
 * Prints every figure of the seed data marked uncertain, for a compliance officer's review:
 *
 *   npm run data:uncertain            # a readable list
 *   npm run data:uncertain -- --json  # the same as JSON
 *
 * It reads the seed data in the code (what `npm run db:seed` writes), not the database: a figure an officer has
 * already corrected through the API still shows here until the seed is corrected too.
 */
import { uncertainFigures } from '../domain/uncertain-data.ts';

const figures = uncertainFigures();
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  console.log(`${figures.length} figures in the seed data are marked uncertain:\n`);
  for (const f of figures) {
    console.log(`[${f.area}] ${f.what}\n  value:  ${f.value}\n  why:    ${f.why}\n  source: ${f.source}\n`);
  }
}
