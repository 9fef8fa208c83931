/**
 * CPU cost of building one audit record, the part of a check's cost issue 17 attributes to the audit trail:
 * format 1 (JSON round trip, storable-text walk, recursive key sort, hash) against format 2 (one
 * JSON.stringify of the record, one hash of those bytes). Measured as process CPU time, so a busy machine
 * slows it less than a throughput figure.
 *
 *   npx tsx bench/audit-record.ts [--iterations 20000]
 */
import { createHash, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DECISION_EXAMPLES, UAE_CHECK } from '../src/http/schemas/examples.ts';
import { canonicalJson, recordHash, serialiseRecord } from '../src/services/audit.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
const iterations = Number(values.iterations);

const output = Object.values(DECISION_EXAMPLES).find((e) => JSON.stringify(e.value).includes('"AE"'))?.value;
const payload = {
  input: UAE_CHECK,
  resolved: { destination: 'AE', headquarters: 'AE', consignee: 'Example Cloud LLC', shipDate: '2025-06-01' },
  output,
};
const prevHash = 'a'.repeat(64);

// Format 1 as it ran before (src/services/audit.ts at 1be4a17): a JSON round trip, a walk replacing text
// PostgreSQL cannot store, then the canonical (key-sorted) JSON of the whole event, hashed.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storableString = (v: string) => v.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storableJson);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableString(k), storableJson(v)]));
}
function format1(): string {
  const fields = {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    actorKeyId: 'key',
    actorRole: 'vendor',
    action: 'check.create',
    targetType: 'check',
    targetId: randomUUID(),
    requestId: randomUUID(),
    payload: storableJson(JSON.parse(JSON.stringify(payload))),
  };
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}
function format2(): string {
  const record = serialiseRecord(
    {
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      actorKeyId: 'key',
      actorRole: 'vendor',
      action: 'check.create',
      targetType: 'check',
      targetId: randomUUID(),
      requestId: randomUUID(),
      callerRequestId: null,
    },
    payload,
  );
  return recordHash(prevHash, record);
}

function measure(name: string, build: () => string): number {
  for (let i = 0; i < 2_000; i += 1) build();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) build();
  const used = process.cpuUsage(start);
  const perRecordUs = (used.user + used.system) / iterations;
  console.log(`${name}: ${perRecordUs.toFixed(1)} µs CPU per record (${iterations} records)`);
  return perRecordUs;
}

console.log(`payload: ${JSON.stringify(payload).length} characters (the UAE example check and its answer)`);
const before = measure('format 1 (canonical JSON)', format1);
const after = measure('format 2 (stored bytes)  ', format2);
console.log(`format 2 costs ${((after / before) * 100).toFixed(0)}% of format 1`);
