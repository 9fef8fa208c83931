/**
 * Summarises V8 CPU profiles (node --cpu-prof): self time by area and by function, inclusive time of src/.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [more…] [--top 25] [--json]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProfile, summariseProfile } from './lib/profile.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, json: { type: 'boolean', default: false } },
});
if (positionals.length === 0) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [more…] [--top 25] [--json]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
for (const file of positionals) {
  const summary = await summariseProfile(resolve(file), root, Number(values.top));
  console.log(
    values.json ? JSON.stringify(summary, null, 2) : formatProfile(file, summary, Number(values.top)),
  );
}
