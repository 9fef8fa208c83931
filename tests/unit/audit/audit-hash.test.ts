import { describe, expect, it } from 'vitest';
import {
  auditHash,
  canonicalJson,
  GENESIS_HASH,
  recordHash,
  serialiseRecord,
  type AuditEventHeader,
  type AuditHashFields,
} from '../../../src/services/audit.ts';

/**
 * Fixed test vectors. The canonical strings below are written out by hand and each hash literal was computed
 * outside this code base, with coreutils:
 *   printf '%s\n%s' "<prevHash>" '<canonical JSON>' | sha256sum
 * so a change to the hash input (dropping prevHash, the separator, a field, the key order) fails here even
 * though a chain written and verified by the same changed function would still look intact.
 */
const FIRST: AuditHashFields = {
  // Keys deliberately out of order: the canonical form sorts them.
  targetType: 'country',
  targetId: 'AE',
  id: '11111111-1111-4111-8111-111111111111',
  occurredAt: '2026-01-15T09:30:00.000Z',
  actorKeyId: '7d6f1c1e-0000-4000-8000-000000000001',
  actorRole: 'officer',
  action: 'country.update',
  requestId: 'req-1',
  payload: {
    before: { tier: 'TIER_2', allocationTpp: 790_000_000 },
    after: { tier: 'TIER_2', allocationTpp: 50_000_000 },
  },
};
const FIRST_CANONICAL =
  '{"action":"country.update","actorKeyId":"7d6f1c1e-0000-4000-8000-000000000001","actorRole":"officer",' +
  '"id":"11111111-1111-4111-8111-111111111111","occurredAt":"2026-01-15T09:30:00.000Z",' +
  '"payload":{"after":{"allocationTpp":50000000,"tier":"TIER_2"},"before":{"allocationTpp":790000000,"tier":"TIER_2"}},' +
  '"requestId":"req-1","targetId":"AE","targetType":"country"}';
const FIRST_HASH = '52b56e4b62c68de5923dc01ed520628ae1e3fd25b706a95807acb32b8bd5087f';

const SECOND: AuditHashFields = {
  id: '22222222-2222-4222-8222-222222222222',
  occurredAt: '2026-01-15T09:31:00.000Z',
  actorKeyId: null,
  actorRole: null,
  action: 'shipment.ship',
  targetType: 'shipment',
  targetId: 's-2',
  requestId: null,
  // An undefined member is left out, as jsonb would drop it.
  payload: { nested: { z: 'é', a: 1, gone: undefined }, list: [3, 'b', null, true] },
};
const SECOND_CANONICAL =
  '{"action":"shipment.ship","actorKeyId":null,"actorRole":null,"id":"22222222-2222-4222-8222-222222222222",' +
  '"occurredAt":"2026-01-15T09:31:00.000Z","payload":{"list":[3,"b",null,true],"nested":{"a":1,"z":"é"}},' +
  '"requestId":null,"targetId":"s-2","targetType":"shipment"}';
/** SECOND chained after FIRST. */
const SECOND_HASH = '140a85dc01b30f600c2db42ed2c5c1e444d1b220c60a1c6f3e50b7b17cb33ae2';
/** SECOND hashed as if it were the first event: what a forger gets after deleting FIRST. */
const SECOND_ON_GENESIS = 'ea48a8b128d3c408e285d489aa68b03ff204f97d7416f7daf04835155774a864';

describe('canonicalJson', () => {
  it('writes the documented canonical form of each vector', () => {
    expect(canonicalJson(FIRST)).toBe(FIRST_CANONICAL);
    expect(canonicalJson(SECOND)).toBe(SECOND_CANONICAL);
  });

  it.each([
    [null, 'null'],
    [undefined, 'null'],
    [0, '0'],
    [-1.5, '-1.5'],
    ['a"b', '"a\\"b"'],
    [true, 'true'],
    [[], '[]'],
    [{}, '{}'],
    [[{ b: 1, a: [2, { d: null, c: 'x' }] }], '[{"a":[2,{"c":"x","d":null}],"b":1}]'],
    [{ B: 1, a: 2, _: 3, '10': 4, '9': 5 }, '{"10":4,"9":5,"B":1,"_":3,"a":2}'],
    [{ x: undefined }, '{}'],
  ] as const)('%j -> %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('does not depend on the order keys were inserted in', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });
});

describe('auditHash: fixed vectors', () => {
  it('hashes the first event on the genesis hash', () => {
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
    expect(auditHash(GENESIS_HASH, FIRST)).toBe(FIRST_HASH);
  });

  it('chains the second event on the first one’s hash', () => {
    expect(auditHash(FIRST_HASH, SECOND)).toBe(SECOND_HASH);
  });

  it('gives another hash when the predecessor changes: a successor’s prev_hash cannot be rewritten unseen', () => {
    // Deleting FIRST and pointing SECOND's prev_hash at the genesis hash leaves SECOND's stored hash
    // (SECOND_HASH) different from what its new predecessor gives, so verification breaks at SECOND.
    expect(auditHash(GENESIS_HASH, SECOND)).toBe(SECOND_ON_GENESIS);
    expect(SECOND_ON_GENESIS).not.toBe(SECOND_HASH);
  });

  it('changes with any one field', () => {
    const variants: AuditHashFields[] = [
      { ...FIRST, id: '11111111-1111-4111-8111-111111111112' },
      { ...FIRST, occurredAt: '2026-01-15T09:30:00.001Z' },
      { ...FIRST, actorKeyId: null },
      { ...FIRST, actorRole: 'auditor' },
      { ...FIRST, action: 'country.create' },
      { ...FIRST, targetType: 'product' },
      { ...FIRST, targetId: 'AF' },
      { ...FIRST, requestId: 'req-2' },
      { ...FIRST, payload: { ...(FIRST.payload as object), extra: 1 } },
    ];
    const hashes = new Set(variants.map((v) => auditHash(GENESIS_HASH, v)));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(FIRST_HASH)).toBe(false);
  });
});

/**
 * Format 2 (what the service writes now): the record is stored as text and hashed as those exact bytes. The
 * record strings are written out by hand, and the hashes computed with
 *   printf '%s\n%s' "<prevHash>" '<record>' | sha256sum
 */
const THIRD: AuditEventHeader = {
  id: '33333333-3333-4333-8333-333333333333',
  occurredAt: '2026-02-01T08:00:00.000Z',
  actorKeyId: '7d6f1c1e-0000-4000-8000-000000000001',
  actorRole: 'procurement',
  action: 'shipment.create',
  targetType: 'shipment',
  targetId: 's-3',
  requestId: 'req-3',
  callerRequestId: null,
};
const THIRD_RECORD =
  '{"v":2,"id":"33333333-3333-4333-8333-333333333333","occurredAt":"2026-02-01T08:00:00.000Z",' +
  '"actorKeyId":"7d6f1c1e-0000-4000-8000-000000000001","actorRole":"procurement","action":"shipment.create",' +
  '"targetType":"shipment","targetId":"s-3","requestId":"req-3","callerRequestId":null,"payload":{"z":1,"a":[true,null]}}';
const THIRD_HASH = '44d9b9e7815fd033526489a0a48e87cae88194df43edddbe01b044777b594ef2';
const FOURTH: AuditEventHeader = {
  id: '44444444-4444-4444-8444-444444444444',
  occurredAt: '2026-02-01T08:00:01.000Z',
  actorKeyId: null,
  actorRole: null,
  action: 'shipment.expire',
  targetType: 'shipment',
  targetId: 's-3',
  requestId: 'hold-expiry-sweeper',
  callerRequestId: 'erp-77',
};
const FOURTH_RECORD =
  '{"v":2,"id":"44444444-4444-4444-8444-444444444444","occurredAt":"2026-02-01T08:00:01.000Z",' +
  '"actorKeyId":null,"actorRole":null,"action":"shipment.expire","targetType":"shipment","targetId":"s-3",' +
  '"requestId":"hold-expiry-sweeper","callerRequestId":"erp-77","payload":null}';
const FOURTH_HASH = '738f8c4a2f24d974b1061ac095444de234710d498f75cd57b49ddfaecaa3caaf';
const FOURTH_ON_GENESIS = '1ace16ef17bc585dc62185ade1b17d5b69be25b656ea5b50dd6e9ad1080f32ab';

describe('format 2 records: fixed vectors', () => {
  it('serialises the header in its fixed order, then the payload as given', () => {
    expect(serialiseRecord(THIRD, { z: 1, a: [true, null] })).toBe(THIRD_RECORD);
    expect(serialiseRecord(FOURTH, undefined)).toBe(FOURTH_RECORD);
  });

  it('hashes the first record on the genesis hash and chains the next on it', () => {
    expect(recordHash(GENESIS_HASH, THIRD_RECORD)).toBe(THIRD_HASH);
    expect(recordHash(THIRD_HASH, FOURTH_RECORD)).toBe(FOURTH_HASH);
  });

  it('gives another hash when the predecessor changes: a rewritten prev_hash shows', () => {
    expect(recordHash(GENESIS_HASH, FOURTH_RECORD)).toBe(FOURTH_ON_GENESIS);
    expect(FOURTH_ON_GENESIS).not.toBe(FOURTH_HASH);
  });
});
