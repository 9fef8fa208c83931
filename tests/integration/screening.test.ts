import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cslEntries } from '../../src/services/csl-stream.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, testOwnerDatabaseUrl, type TestApp } from '../helpers/test-app.ts';

/**
 * Issue 13 over HTTP: a fixture import, then checks for each case the issue names. The fixture is our own
 * (tests/fixtures/csl-fixture.json); its names are used by no other test, so parallel files are not affected.
 */

const FIXTURE = 'tests/fixtures/csl-fixture.json';
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { results: unknown[] };

let t: TestApp;
let officer: string;
let vendor: string;
let procurement: string;
let auditor: string;

beforeAll(async () => {
  t = await createTestApp({ now: () => new Date('2026-11-28T09:00:00Z') });
  officer = (await createApiKey(t.db, 'officer')).key;
  vendor = (await createApiKey(t.db, 'vendor')).key;
  procurement = (await createApiKey(t.db, 'procurement')).key;
  auditor = (await createApiKey(t.db, 'auditor')).key;
  await request(t.app.server).post('/v1/screening-lists').set(bearer(officer)).send(fixture).expect(201);
});
afterAll(async () => t.close());

const check = (consignee: string, destination: string, extra: Record<string, unknown> = {}) =>
  request(t.app.server)
    .post('/v1/checks')
    .set(bearer(vendor))
    .send({
      destination,
      items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }],
      endUser: { name: consignee, headquarters: destination, verifiedEndUser: null },
      shipDate: '2026-03-01',
      ruleset: 'ai-diffusion-2025',
      ...extra,
    })
    .expect(200);

const codes = (body: { reasons: { code: string }[] }) => body.reasons.map((r) => r.code);

describe('POST /v1/screening-lists', () => {
  it('imports the fixture, reports malformed entries by index and counts by source', async () => {
    const res = await request(t.app.server)
      .post('/v1/screening-lists')
      .set(bearer(officer))
      .send(fixture)
      .expect(201);
    expect(res.body).toMatchObject({
      entries: 9,
      malformedCount: 3,
      origin: 'api',
      sources: {
        'Entity List (EL) - Bureau of Industry and Security': 5,
        'Military End User (MEU) List - Bureau of Industry and Security': 1,
        'Unverified List (UVL) - Bureau of Industry and Security': 1,
        'Specially Designated Nationals (SDN) - Treasury Department': 1,
        'Nonproliferation Sanctions (ISN) - State Department': 1,
      },
    });
    expect(res.body.malformed).toEqual([
      { index: 7, problem: 'name is missing or empty' },
      { index: 8, problem: 'source is missing or empty' },
      { index: 10, problem: 'not an object' },
    ]);
    const audit = await t.db.auditEvent.findFirst({
      where: { action: 'screening_list.import', targetId: res.body.id },
    });
    expect(audit).not.toBeNull();
  });

  it('lists imports newest first to officers and auditors, and refuses vendors', async () => {
    const res = await request(t.app.server).get('/v1/screening-lists').set(bearer(auditor)).expect(200);
    expect(res.body.data.length).toBeGreaterThanOrEqual(2);
    const times = res.body.data.map((l: { importedAt: string }) => l.importedAt);
    expect([...times].sort().reverse()).toEqual(times);
    await request(t.app.server).get('/v1/screening-lists').set(bearer(vendor)).expect(403);
    await request(t.app.server).post('/v1/screening-lists').set(bearer(vendor)).send(fixture).expect(403);
  });

  it('refuses a file with no valid entry and changes nothing', async () => {
    const before = await t.db.screeningList.count();
    const res = await request(t.app.server)
      .post('/v1/screening-lists')
      .set(bearer(officer))
      .send({ results: [{ alt_names: [] }, 42] })
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await t.db.screeningList.count()).toBe(before);
  });

  it.each([
    ['no results', {}],
    ['results not an array', { results: 'x' }],
    ['empty results', { results: [] }],
  ])('400 for %s', async (_label, body) => {
    const res = await request(t.app.server)
      .post('/v1/screening-lists')
      .set(bearer(officer))
      .send(body)
      .expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.results');
  });

  it('400 for text that stops being JSON part-way, after valid entries, and imports nothing', async () => {
    const before = await t.db.screeningList.count();
    const valid = JSON.stringify(fixture.results[0]);
    const res = await request(t.app.server)
      .post('/v1/screening-lists')
      .set(bearer(officer))
      .set('content-type', 'application/json')
      .send(`{"results": [${valid}, ${valid}, {"name": "Cut Off Trading"`)
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await t.db.screeningList.count()).toBe(before);
    const garbage = await request(t.app.server)
      .post('/v1/screening-lists')
      .set(bearer(officer))
      .set('content-type', 'application/json')
      .send('results: none')
      .expect(400);
    expect(garbage.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await t.db.screeningList.count()).toBe(before);
  });

  it('400 naming the entry whose text PostgreSQL cannot store, and imports nothing', async () => {
    const before = await t.db.screeningList.count();
    const res = await request(t.app.server)
      .post('/v1/screening-lists')
      .set(bearer(officer))
      .send({ results: [fixture.results[0], { name: 'Nul\u0000 Trading', source: 'Entity List (EL)' }] })
      .expect(400);
    expect(res.body.errors).toEqual([
      { path: 'body.results[1].name', message: 'contains U+0000 or an unpaired surrogate' },
    ]);
    expect(await t.db.screeningList.count()).toBe(before);
  });

  it('413 beyond SCREENING_IMPORT_BODY_LIMIT_BYTES, declared or streamed without a length', async () => {
    const small = await createTestApp({ env: { SCREENING_IMPORT_BODY_LIMIT_BYTES: '4096' } });
    try {
      const key = (await createApiKey(small.db, 'officer')).key;
      const before = await small.db.screeningList.count();
      const body = JSON.stringify({ results: Array.from({ length: 40 }, () => fixture.results[0]) });
      expect(Buffer.byteLength(body)).toBeGreaterThan(4096);
      const declared = await request(small.app.server)
        .post('/v1/screening-lists')
        .set(bearer(key))
        .set('content-type', 'application/json')
        .send(body)
        .expect(413);
      expect(declared.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      // Chunked: no Content-Length to refuse up front, so the count of bytes read stops it.
      const streamed = await small.app.inject({
        method: 'POST',
        url: '/v1/screening-lists',
        headers: { ...bearer(key), 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        payload: Readable.from([body.slice(0, 3000), body.slice(3000)]),
      });
      expect(streamed.statusCode).toBe(413);
      expect(await small.db.screeningList.count()).toBe(before);
    } finally {
      await small.close();
    }
  });
});

describe('checks screen their parties against the latest import', () => {
  it('an exact hit on the Entity List: licence required with the entry policy and its notice', async () => {
    const res = await check('Novaterra Semiconductor Trading FZE', 'AE');
    expect(res.body.outcome).toBe('LICENSE_REQUIRED');
    expect(res.body.allowed).toBe(false);
    expect(res.body.licenseRequired).toBe(true);
    expect(res.body.reviewPolicy).toBe('CASE_BY_CASE');
    const hit = res.body.reasons.find((r: { code: string }) => r.code === 'ENTITY_LIST_MATCH');
    expect(hit.citation).toBe('90 FR 12345');
    expect(res.body.screening.matches[0]).toMatchObject({
      party: 'CONSIGNEE',
      entryName: 'Novaterra Semiconductor Trading FZE',
      kind: 'HIT',
      score: 1,
      list: 'EL',
      licensePolicy: 'Case-by-case review for 3A090 items; presumption of denial otherwise.',
    });
    // Which import it screened against: the latest.
    const lists = await request(t.app.server).get('/v1/screening-lists').set(bearer(officer)).expect(200);
    expect(res.body.screening.listId).toBe(lists.body.data[0].id);
    expect(res.body.quota.lpp.applies).toBe(false);
  });

  it('an alias hit', async () => {
    const res = await check('Novaterra Semi', 'AE');
    expect(codes(res.body)).toContain('ENTITY_LIST_MATCH');
    expect(res.body.screening.matches[0]).toMatchObject({ matchedName: 'Novaterra Semi', kind: 'HIT' });
  });

  it('a confusable spelling hit (Cyrillic letters and a zero-width space)', async () => {
    const res = await check('N\u043evaterra Semic\u043enductor\u200b Trading FZE', 'AE');
    expect(codes(res.body)).toContain('ENTITY_LIST_MATCH');
    expect(res.body.screening.matches[0]).toMatchObject({ kind: 'HIT', score: 1 });
  });

  it('a transliterated name hits through its Cyrillic alternate name', async () => {
    const res = await check('Общество Вычислительные Системы Квант', 'RU');
    expect(res.body.screening.matches[0]).toMatchObject({
      entryName: 'Obshchestvo Vychislitelnye Sistemy Kvant',
      kind: 'HIT',
    });
  });

  it('an accent-free spelling hits the accented entry (unaccent)', async () => {
    const res = await check('Societe Generale d Electronique Quantique', 'FR');
    expect(res.body.screening.matches[0]).toMatchObject({
      entryName: "Société Générale d'Électronique Quantique",
      kind: 'HIT',
    });
  });

  it('the same name in another country is REVIEW, not a hit', async () => {
    const res = await check('Gulfstar Compute Holdings', 'SG');
    expect(res.body.outcome).toBe('REVIEW');
    expect(res.body.allowed).toBe(false);
    expect(codes(res.body)).toContain('SCREENING_POSSIBLE_MATCH');
    expect(codes(res.body)).not.toContain('ENTITY_LIST_MATCH');
    expect(res.body.screening.matches[0]).toMatchObject({ kind: 'POSSIBLE_MATCH', score: 0.85 });
  });

  it('a near miss must be REVIEW (similarity 0.64, +0.1 for the country)', async () => {
    const res = await check('Novatera Semiconductor Traders', 'AE');
    expect(res.body.outcome).toBe('REVIEW');
    expect(res.body.screening.matches[0].kind).toBe('POSSIBLE_MATCH');
  });

  it('a clean name: no match, the ordinary answer, and the import named', async () => {
    const res = await check(`Bluewater Robotics ${randomUUID().slice(0, 6)} GmbH`, 'DE');
    expect(res.body.screening.matches).toEqual([]);
    expect(res.body.screening.listId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.outcome).toBe('ALLOWED');
  });

  it('the end user is screened too, beside a clean consignee', async () => {
    const res = await check('Harbin Aerothermal Systems Institute', 'CN', {
      consignee: 'Clean Forwarder Co',
    });
    expect(codes(res.body)).toContain('MEU_LIST_MATCH');
    expect(res.body.screening.matches[0]).toMatchObject({ party: 'END_USER', list: 'MEU' });
  });

  it.each([
    ['Meridian Borneo Logistics Sdn Bhd', 'MY', 'UNVERIFIED_LIST_MATCH', 'REVIEW'],
    ['Caspian Horizon Shipping LLC', 'IR', 'SDN_LIST_MATCH', 'LICENSE_REQUIRED'],
    ['Andean Tensor Labs S.A.', 'PE', 'OTHER_LIST_MATCH', 'REVIEW'],
  ])('%s: %s, %s', async (name, destination, code, outcome) => {
    const res = await check(name, destination);
    expect(codes(res.body)).toContain(code);
    expect(res.body.outcome).toBe(outcome);
  });
});

describe('reservations refuse listed parties', () => {
  it.each([
    ['Novaterra Semiconductor Trading FZE', 'SCREENING_HIT'],
    ['Novatera Semiconductor Traders', 'SCREENING_REVIEW_REQUIRED'],
  ])('%s: 409 %s, nothing held', async (name, code) => {
    const key = randomUUID();
    const res = await request(t.app.server)
      .post('/v1/shipments')
      .set(bearer(procurement))
      .set('idempotency-key', key)
      .send({
        destination: 'AE',
        items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }],
        endUser: { name, headquarters: 'AE', verifiedEndUser: null },
        shipDate: '2026-03-01',
      })
      .expect(409);
    expect(res.body.code).toBe(code);
    expect(res.body.detail).toContain('Novaterra Semiconductor Trading FZE');
    expect(await t.db.shipment.count({ where: { idempotencyKey: key } })).toBe(0);
  });
});

describe('POST /v1/screenings', () => {
  const screen = (body: object) =>
    request(t.app.server).post('/v1/screenings').set(bearer(vendor)).send(body);

  it('screens a name on its own, with and without a country', async () => {
    const withCountry = await screen({ name: 'Zhenhua Photonics', country: 'cn' }).expect(200);
    expect(withCountry.body.matches[0]).toMatchObject({
      entryName: 'Zhenhua Photonic Compute Co., Ltd.',
      source: 'Entity List (EL) - Bureau of Industry and Security',
      score: 1,
      licenseRequirement: 'For all items subject to the EAR.',
      licensePolicy: 'Presumption of denial.',
    });
    const elsewhere = await screen({ name: 'Zhenhua Photonics', country: 'US' }).expect(200);
    expect(elsewhere.body.matches[0]).toMatchObject({ kind: 'POSSIBLE_MATCH', score: 0.85 });
    const clean = await screen({ name: 'Entirely Unrelated Bakery' }).expect(200);
    expect(clean.body.matches).toEqual([]);
  });

  it.each([
    ['no name', {}],
    ['empty name', { name: '  ' }],
    ['punctuation only', { name: '.,;!' }],
    ['bad country', { name: 'x', country: 'Narnia' }],
    ['unknown field', { name: 'x', list: 'EL' }],
  ])('400 for %s', async (_label, body) => {
    const res = await screen(body).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('npm run screening -- import <file>', () => {
  it('streams the entries of a file one by one', async () => {
    const seen: unknown[] = [];
    for await (const entry of cslEntries(createReadStream(FIXTURE))) seen.push(entry);
    expect(seen).toEqual(fixture.results);
  });

  it('imports the fixture file from the command line', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('npx', ['tsx', 'src/cli/screening.ts', 'import', FIXTURE], {
      // A CLI is an operator's tool: it connects as the owner role, as the other CLIs do.
      env: { ...process.env, DATABASE_URL: testOwnerDatabaseUrl(), LOG_LEVEL: 'silent' },
    });
    const summary = JSON.parse(stdout) as {
      id: string;
      entries: number;
      malformedCount: number;
      origin: string;
    };
    expect(summary).toMatchObject({ entries: 9, malformedCount: 3, origin: 'csl-fixture.json' });
    expect(await t.db.screeningEntry.count({ where: { listId: summary.id } })).toBe(9);
  }, 60_000);
});
