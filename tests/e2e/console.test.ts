import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The officers' console in a real browser: sign in with a key, read the allocation chart, run a check and read
 * its card, attach a licence to a pending shipment, see the audit trail verified. Everything the page does goes
 * through the public API with the signed-in key, under the page's strict CSP: a blocked script or style, a
 * Trusted Types violation, a request outside the service or an exception in the page fails the test.
 *
 * Uses the system Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH); never downloads one, never skips.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
/** The README shows these; refreshed only on request (UPDATE_SCREENSHOT=1) so test runs do not churn them. */
const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const UI_TIMEOUT_MS = 30_000;
const H100 = 15_832;
/** 15 CFR 740.29 as added by 90 FR 4544: one consignee's LPP budget per calendar year, in TPP. */
const LPP_TPP = 26_900_000;
/** The candidates the plan offers first (src/console/plan.js). */
const PLAN_DEFAULTS = ['nvidia-h100-sxm', 'nvidia-h200-sxm', 'nvidia-b200', 'amd-mi300x'];

let t: TestApp;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. This end-to-end test needs a browser and never skips: install it ` +
        '(Debian/Ubuntu: apt-get install chromium) or point CHROMIUM_PATH at one.',
    );
  }
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface Watch {
  outside: string[];
  errors: string[];
  violations: string[];
}

/** A page that may only talk to the service, with everything the CSP refused and every page error recorded. */
async function openConsole(context: BrowserContext): Promise<{ page: Page; watch: Watch }> {
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const watch: Watch = { outside: [], errors: [], violations: [] };
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${baseUrl}/`)) return route.continue();
    watch.outside.push(url);
    return route.abort();
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Trusted Type|Refused to/i.test(text)) watch.violations.push(text);
  });
  await page.goto(`${baseUrl}/console`);
  return { page, watch };
}

/** Signs in from the keyboard alone: type the key, press Enter. */
async function signIn(page: Page, key: string): Promise<void> {
  await page.locator('#api-key').focus();
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.locator('body[data-ready="true"]').waitFor();
}

async function reservePending(destination: string, quantity: number, key: string, consignee: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/shipments',
    headers: { ...bearer(key), 'idempotency-key': `console-e2e-${randomUUID()}` },
    payload: {
      destination,
      items: [{ productId: 'nvidia-h100-sxm', quantity }],
      endUser: { name: consignee, headquarters: destination, verifiedEndUser: null },
      shipDate: '2025-06-01',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().status).toBe('PENDING_LICENSE');
  return res.json<{ id: string }>();
}

/** The chart as Chart.js holds it: labels and each dataset's values, in display order. */
async function chartData(page: Page): Promise<{ labels: string[]; datasets: Record<string, number[]> }> {
  return page.evaluate(() => {
    const chart = (
      globalThis as unknown as {
        Chart: {
          getChart(id: string): { data: { labels: string[]; datasets: { label: string; data: number[] }[] } };
        };
      }
    ).Chart.getChart('allocations-chart');
    return {
      labels: [...chart.data.labels],
      datasets: Object.fromEntries(chart.data.datasets.map((d) => [d.label, [...d.data]])),
    };
  });
}

/** A row of the plan table as the page shows it. */
interface PlanRow {
  productId: string;
  eccn: string;
  h100e: string;
  route: { units: string; limit: string; limitText: string }[];
}

async function planRows(page: Page): Promise<PlanRow[]> {
  const rows = page.locator('#plan-table tbody tr');
  const out: PlanRow[] = [];
  for (const row of await rows.all()) {
    const route = [];
    for (const cell of await row.locator('td.route').all()) {
      route.push({
        units: (await cell.locator('.units').textContent()) ?? '',
        limit: (await cell.getAttribute('data-limit')) ?? '',
        limitText: (await cell.locator('.limit').textContent()) ?? '',
      });
    }
    out.push({
      productId: (await row.getAttribute('data-product-id')) ?? '',
      eccn: (await row.locator('td.eccn').textContent()) ?? '',
      h100e: (await row.locator('td.h100e').textContent()) ?? '',
      route,
    });
  }
  return out;
}

/** How the page writes a number of units (en-US grouping; null is "no limit"). */
const unitsText = (n: number | null): string => (n === null ? 'no limit' : n.toLocaleString('en-US'));

async function screenshot(page: Page, selector: string, name: string): Promise<void> {
  await mkdir(OUTPUT, { recursive: true });
  const path = `${OUTPUT}${name}`;
  await page.locator(selector).screenshot({ path });
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await mkdir(dirname(`${DOCS}${name}`), { recursive: true });
    await copyFile(path, `${DOCS}${name}`);
  }
}

function expectClean(watch: Watch): void {
  expect(watch.violations, 'the CSP refused something the console tried').toEqual([]);
  expect(watch.outside, 'the console requested something outside the service').toEqual([]);
  expect(watch.errors, 'the console threw in the page').toEqual([]);
}

describe('the console at /console', () => {
  it('signs in, reads the allocation chart, runs a check and shows the audit trail verified', async () => {
    const officer = await createApiKey(t.db, 'officer', 'Compliance desk');
    const buyer = await createApiKey(t.db, 'procurement', 'Buyer ERP');
    const run = `Consoleland ${randomUUID().slice(0, 4)}`;
    const name = `${run} North`;
    const code = await createTier2Country(t.db, { allocationTpp: 10_000 * H100, name });
    // Neighbours with other caps and holds, so the chart has something to sort (and the README a picture).
    for (const [suffix, cap, held] of [
      ['East', 8_000, 5_000],
      ['South', 12_000, 2_000],
      ['West', 6_000, 0],
    ] as const) {
      const other = await createTier2Country(t.db, { allocationTpp: cap * H100, name: `${run} ${suffix}` });
      if (held > 0) await reservePending(other, held, buyer.key, `Buyer ${suffix}`);
    }
    // 3,000 H100 is over one consignee's LPP budget, so it waits for a licence and holds the allocation.
    await reservePending(code, 3_000, buyer.key, 'Gulf Compute LLC');

    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const { page, watch } = await openConsole(context);
      await signIn(page, officer.key);
      expect(await page.locator('#session-who').textContent()).toBe('Signed in: Compliance desk (officer)');

      // The key is in this tab's session storage and nowhere else. (Page-side code is passed as text: the
      // project compiles without the DOM library.)
      const storage = await page.evaluate(
        '({ session: Object.values({ ...sessionStorage }), local: localStorage.length, cookie: document.cookie })',
      );
      expect(storage).toEqual({ session: [officer.key], local: 0, cookie: '' });

      // The chart, filtered to our country: held and remaining as the ledger has them.
      await page.locator('#allocations-filter').fill(code);
      await expect.poll(async () => (await chartData(page)).labels).toEqual([`${name} (${code})`]);
      const mine = await chartData(page);
      expect(mine.datasets).toEqual({ Shipped: [0], Held: [3_000 * H100], Remaining: [7_000 * H100] });
      const row = page.locator(`#allocations-table tbody tr[data-country="${code}"]`);
      expect(await row.locator('td').allTextContents()).toEqual([
        '158,320,000',
        '47,496,000',
        '0',
        '110,824,000',
        '30%',
      ]);

      // Sorting: by held TPP, the chart's order is the API's order by held TPP.
      await page.locator('#allocations-filter').fill('');
      await page.locator('#allocations-sort').selectOption('reservedTpp');
      await page.locator('#allocations-limit').selectOption('all');
      const api = await t.app.inject({ method: 'GET', url: '/v1/quotas', headers: bearer(officer.key) });
      const quotas = api.json<{ data: { country: string; name: string; reservedTpp: number }[] }>().data;
      const byHeld = await chartData(page);
      expect(byHeld.labels).toHaveLength(quotas.length);
      const held = byHeld.datasets.Held as number[];
      for (let i = 1; i < held.length; i += 1) expect(held[i - 1]).toBeGreaterThanOrEqual(held[i] as number);
      expect(held.reduce((a, b) => a + b, 0)).toBe(quotas.reduce((a, q) => a + q.reservedTpp, 0));
      expect(await page.locator('#allocations-table th[aria-sort="descending"]').textContent()).toContain(
        'Held',
      );
      // The table headers sort too, from the keyboard.
      await page.locator('#allocations-table thead button', { hasText: 'Country' }).focus();
      await page.keyboard.press('Enter');
      const byName = await chartData(page);
      expect(byName.labels).toEqual(
        [...quotas].sort((a, b) => a.name.localeCompare(b.name, 'en')).map((q) => `${q.name} (${q.country})`),
      );
      await page.locator('#allocations-sort').selectOption('useShare');
      await page.locator('#allocations-limit').selectOption('15');
      await page.locator('#allocations-filter').fill(run);
      await page.locator('#allocations-filter').blur();
      expect((await chartData(page)).labels.map((label) => label.slice(run.length + 1, -5))).toEqual([
        'East',
        'North',
        'South',
        'West',
      ]);
      await screenshot(page, '#allocations', 'console-allocations.png');

      // A check of 2,000 more H100 to the same country: licence required within the allocation.
      await page.locator('#check-destination').fill(code);
      await page.locator('#check-item-1-product').selectOption('nvidia-h100-sxm');
      await page.locator('#check-item-1-quantity').fill('2000');
      await page.locator('#check-end-user').fill('Example Cloud LLC');
      await page.locator('#check-headquarters').fill(code);
      await page.locator('#check-ship-date').fill('2025-06-01');
      await page.locator('#check-ruleset').selectOption('ai-diffusion-2025');
      await page.locator('#check-submit').click();
      const card = page.locator('#check-result article.decision');
      await card.waitFor();
      // Outcome first, then the legal status, the reasons with citations and the quota before and after.
      const headings = await card.locator('.outcome, h3').allTextContents();
      expect(headings[0]).toBe('LICENSE REQUIRED');
      expect(headings.slice(1)).toEqual(['Legal status', 'Reasons', 'Quota before and after (TPP)', 'Items']);
      expect(await card.locator('.headline').textContent()).toBe(
        'A licence is required: presumption of approval.',
      );
      expect(await card.locator('section[aria-label="Legal status"]').textContent()).toContain(
        'Not in force on the ship date',
      );
      const reasons = await card.locator('ol.reasons li').allTextContents();
      expect(
        reasons.some((r) => r.includes('TIER2_LICENSE_WITHIN_ALLOCATION') && r.includes('90 FR 4544')),
      ).toBe(true);
      expect(reasons.every((r) => /\S+$/.test(r))).toBe(true);
      const citations = await card.locator('ol.reasons cite').allTextContents();
      expect(citations).toHaveLength(reasons.length);
      expect(citations.every((c) => c.trim().length > 0)).toBe(true);
      const allocationRow = await card
        .locator('table tbody tr', { hasText: 'Country allocation' })
        .locator('td')
        .allTextContents();
      expect(allocationRow).toEqual(['yes', '158,320,000', '110,824,000', '31,664,000', '79,160,000']);
      // The card is the answer the API gave: its check id is the audited one.
      const checkId = await card.getAttribute('data-check-id');
      expect(checkId).toMatch(/^[0-9a-f-]{36}$/);
      await screenshot(page, '#check', 'console-check.png');

      // The audit trail: the chain verified, and the check just run among the events.
      await page.locator('#audit-refresh').click();
      await expect
        .poll(() => page.locator('#audit-verification').getAttribute('class'))
        .toBe('verification valid');
      expect(await page.locator('#audit-verification').textContent()).toMatch(
        /^Chain intact: \d+ events verified/,
      );
      await page.locator('#audit-action').fill('check.create');
      await page.locator('#audit-filter button[type="submit"]').click();
      await page.locator('#audit-table tbody tr', { hasText: checkId as string }).waitFor();
      await screenshot(page, '#audit', 'console-audit.png');

      // Every form field has a label a screen reader announces.
      const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select')]
        .filter((el) => !el.hidden && el.labels.length === 0 && !el.getAttribute('aria-label'))
        .map((el) => el.id || el.outerHTML)`);
      expect(unlabelled).toEqual([]);

      // Reloading keeps the session (same tab); signing out forgets the key.
      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor();
      await page.locator('#sign-out').click();
      await page.locator('#sign-in-form').waitFor();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      expectClean(watch);
    } finally {
      await context.close();
    }
  });

  it('shows the plan for a destination beside the chart: a Tier 2 country from its bar, then Tier 3', async () => {
    const officer = await createApiKey(t.db, 'officer', 'Planning desk');
    const buyer = await createApiKey(t.db, 'procurement', 'Buyer ERP');
    const run = `Planland ${randomUUID().slice(0, 4)}`;
    const name = `${run} Central`;
    const cap = 10_000 * H100;
    const held = 3_000;
    const code = await createTier2Country(t.db, { allocationTpp: cap, name });
    // A neighbour nearly full, so the chart beside the plan has more than one bar.
    const neighbour = await createTier2Country(t.db, { allocationTpp: 4_000 * H100, name: `${run} Coast` });
    await reservePending(neighbour, 3_900, buyer.key, 'Coast Compute LLC');
    // Another consignee holds 3,000 H100 of the allocation while it waits for a licence.
    await reservePending(code, held, buyer.key, 'Gulf Compute LLC');
    const consignee = `Planned Buyer ${randomUUID().slice(0, 6)} LLC`;
    const shipDate = '2025-06-01';

    // What the plan must say, from the seeded balances and the catalogue's TPP (exact thousandths, as the
    // service counts): the consignee's whole LPP budget without a licence; with one, what is left of the
    // allocation, never less than the LPP figure.
    const remaining = cap - held * H100;
    const catalogue = await t.app.inject({
      method: 'GET',
      url: '/v1/products',
      headers: bearer(officer.key),
    });
    const tppOf = new Map(
      catalogue.json<{ data: { id: string; tpp: number }[] }>().data.map((p) => [p.id, p.tpp]),
    );
    const most = (pool: number, id: string) =>
      Math.floor((pool * 1000) / Math.round((tppOf.get(id) as number) * 1000));
    const expected = new Map(
      PLAN_DEFAULTS.map((id) => {
        const lpp = most(LPP_TPP, id);
        return [id, { withoutLicense: lpp, withLicense: Math.max(most(remaining, id), lpp) }];
      }),
    );
    // The two routes differ for every default, so the test would see them swapped.
    for (const e of expected.values()) expect(e.withLicense).toBeGreaterThan(e.withoutLicense);

    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const { page, watch } = await openConsole(context);
      await signIn(page, officer.key);
      await page.locator('#plan-consignee').fill(consignee);
      await page.locator('#plan-ship-date').fill(shipDate);
      await page.locator('#plan-ruleset').selectOption('ai-diffusion-2025');
      await page.locator('#allocations-filter').fill(run);
      await expect
        .poll(async () => (await chartData(page)).labels)
        .toEqual([`${run} Coast (${neighbour})`, `${name} (${code})`]);

      // Click our country's bar in the chart (the middle of its remaining segment, where Chart.js drew it).
      const canvas = await page.locator('#allocations-chart').boundingBox();
      const bar = await page.evaluate<{ x: number; y: number }>(`(() => {
        const element = Chart.getChart('allocations-chart').getDatasetMeta(2).data[1];
        return { x: (element.x + element.base) / 2, y: element.y };
      })()`);
      expect(canvas).not.toBeNull();
      await page.mouse.click((canvas?.x ?? 0) + bar.x, (canvas?.y ?? 0) + bar.y);
      const answer = page.locator(`#plan-result article.plan-answer[data-destination="${code}"]`);
      await answer.waitFor();
      expect(await page.locator('#plan-destination').inputValue()).toBe(code);
      expect(
        await page.locator(`#allocations-table tbody tr[data-country="${code}"]`).getAttribute('class'),
      ).toBe('chosen');

      // The legal status comes before the figures and says the pack is rescinded and not the law of the day.
      const legal = answer.locator('section[aria-label="Legal status of the plan"]');
      expect(await answer.locator('> *').first().getAttribute('aria-label')).toBe('Legal status of the plan');
      expect(await legal.getAttribute('class')).toBe('legal not-in-force');
      const legalText = (await legal.locator('p').textContent()) ?? '';
      expect(legalText).toContain(
        'pack ai-diffusion-2025): RESCINDED on the ship date (BIS stopped enforcing it on 2025-05-13; ' +
          'no formal rescission published).',
      );
      expect(legalText).toContain(
        'Not in force on the ship date: a planning answer, not the law of the day.',
      );
      expect(await answer.locator('caption').textContent()).toBe(
        `${name} (${code}, TIER 2), ship date ${shipDate}, consignee ${consignee}: each product alone`,
      );

      // The figures: those computed above from the balances, and the API's own answer to the same question.
      const shown = await planRows(page);
      expect(shown.map((r) => r.productId).sort()).toEqual([...PLAN_DEFAULTS].sort());
      for (const row of shown) {
        const e = expected.get(row.productId) as { withoutLicense: number; withLicense: number };
        expect(
          row.route.map((r) => r.units),
          row.productId,
        ).toEqual([unitsText(e.withoutLicense), unitsText(e.withLicense)]);
        expect(row.route.map((r) => r.limit)).toEqual(['LPP', 'COUNTRY_ALLOCATION']);
        expect(row.route.map((r) => r.limitText)).toEqual(['LPP budget', 'country allocation']);
        expect(row.eccn).toBe('3A090.a');
        expect(row.h100e).toBe(
          (Math.round(((tppOf.get(row.productId) as number) / H100) * 10) / 10).toString(),
        );
      }
      const body = {
        destination: code,
        candidates: shown.map((r) => ({ productId: r.productId })),
        endUser: { name: consignee, headquarters: code, verifiedEndUser: null },
        shipDate,
        ruleset: 'ai-diffusion-2025',
      };
      const direct = await t.app.inject({
        method: 'POST',
        url: '/v1/plans',
        headers: bearer(officer.key),
        payload: body,
      });
      expect(direct.statusCode, direct.body).toBe(200);
      const plan = direct.json<{
        candidates: {
          productId: string;
          eccn: string;
          maxUnits: { withoutLicense: number | null; withLicenseWithinAllocation: number | null };
          limitedBy: { withoutLicense: string | null; withLicenseWithinAllocation: string | null };
        }[];
        pools: {
          countryAllocation: { capTpp: number; remainingTpp: number };
          lpp: { capTpp: number; remainingTpp: number };
        };
      }>();
      expect(shown.map((r) => [r.productId, r.eccn, ...r.route.map((x) => [x.units, x.limit])])).toEqual(
        plan.candidates.map((c) => [
          c.productId,
          c.eccn,
          [unitsText(c.maxUnits.withoutLicense), c.limitedBy.withoutLicense],
          [unitsText(c.maxUnits.withLicenseWithinAllocation), c.limitedBy.withLicenseWithinAllocation],
        ]),
      );
      expect(plan.pools.countryAllocation).toMatchObject({ capTpp: cap, remainingTpp: remaining });
      expect(await answer.locator('ul.pools li').allTextContents()).toEqual([
        `Country allocation: ${remaining.toLocaleString('en-US')} of ${cap.toLocaleString('en-US')} TPP left ` +
          `(${(remaining / H100).toLocaleString('en-US', { maximumFractionDigits: 1 })} H100e; ` +
          `${(held * H100).toLocaleString('en-US')} held or shipped).`,
        `Consignee's LPP budget, 2025: ${LPP_TPP.toLocaleString('en-US')} of ${LPP_TPP.toLocaleString('en-US')} ` +
          `TPP left (${(LPP_TPP / H100).toLocaleString('en-US', { maximumFractionDigits: 1 })} H100e; 0 held or shipped).`,
      ]);
      // The plan on the page is an audited one.
      const planId = (await answer.getAttribute('data-plan-id')) as string;
      const audited = await t.app.inject({
        method: 'GET',
        url: `/v1/audit?targetId=${planId}`,
        headers: bearer(officer.key),
      });
      expect(audited.json<{ data: { action: string }[] }>().data.map((e) => e.action)).toEqual([
        'plan.create',
      ]);
      await page.mouse.move(0, 0);
      await screenshot(page, '#allocations', 'console-plan.png');

      // The neighbour, from its name in the table by keyboard: its allocation is nearly used (100 H100 left), so
      // a licence adds nothing to the consignee's LPP budget and both routes stop at the LPP figure.
      await page.locator(`#allocations-table tbody tr[data-country="${neighbour}"] button.choose`).focus();
      await page.keyboard.press('Enter');
      const coast = page.locator(`#plan-result article.plan-answer[data-destination="${neighbour}"]`);
      await coast.waitFor();
      const left = 4_000 * H100 - 3_900 * H100;
      for (const row of await planRows(page)) {
        const lpp = most(LPP_TPP, row.productId);
        expect(most(left, row.productId)).toBeLessThan(lpp);
        expect(row.route, row.productId).toEqual([
          { units: unitsText(lpp), limit: 'LPP', limitText: 'LPP budget' },
          { units: unitsText(lpp), limit: 'LPP', limitText: 'LPP budget' },
        ]);
      }
      expect(await coast.locator('ul.pools li').first().textContent()).toMatch(
        new RegExp(
          `^Country allocation: ${left.toLocaleString('en-US')} of ${(4_000 * H100).toLocaleString('en-US')} TPP left`,
        ),
      );

      // Tier 3, named from the keyboard: no route at all, for every product.
      await page.locator('#plan-destination').fill('cn');
      await page.locator('#plan-destination').press('Enter');
      const china = page.locator('#plan-result article.plan-answer[data-destination="CN"]');
      await china.waitFor();
      expect(await china.locator('caption').textContent()).toMatch(/ \(CN, TIER 3\), ship date 2025-06-01, /);
      const closed = await planRows(page);
      expect(closed).toHaveLength(PLAN_DEFAULTS.length);
      for (const row of closed) {
        expect(row.route).toEqual([
          { units: '0', limit: 'NOT_AVAILABLE', limitText: 'route closed' },
          { units: '0', limit: 'NOT_AVAILABLE', limitText: 'route closed' },
        ]);
      }
      expect(await china.locator('ul.pools li').first().textContent()).toBe(
        'Country allocation: none under this pack for this destination.',
      );

      // A ship date before enforcement stopped: the pack was not yet binding then, and the page still says it
      // has been rescinded since.
      await page.locator('#plan-ship-date').fill('2025-03-01');
      await page.locator('#plan-submit').click();
      await expect
        .poll(() =>
          page
            .locator('#plan-result section[aria-label="Legal status of the plan"] .pack-status')
            .textContent(),
        )
        .toBe(
          'EFFECTIVE COMPLIANCE PENDING on the ship date, and RESCINDED since (BIS stopped enforcing it on ' +
            '2025-05-13; no formal rescission published).',
        );
      expect(await page.locator('#plan-result .legal strong').textContent()).toBe(
        'Not in force on the ship date: a planning answer, not the law of the day.',
      );

      // A bad destination is the API's refusal, shown where the page shows errors, and no stale table.
      await page.locator('#plan-destination').fill('UK');
      await page.locator('#plan-submit').click();
      await expect
        .poll(() => page.locator('#plan-error').textContent())
        .toMatch(/^The plan was refused: .*GB/);
      expect(await page.locator('#plan-table').count()).toBe(0);
      expectClean(watch);
    } finally {
      await context.close();
    }
  });

  it('attaches a licence to a pending shipment from the queue', async () => {
    const officer = await createApiKey(t.db, 'officer', 'Licensing desk');
    const buyer = await createApiKey(t.db, 'procurement', 'Buyer ERP');
    const code = await createTier2Country(t.db, { allocationTpp: 10_000 * H100 });
    const consignee = `Gulf Compute ${randomUUID().slice(0, 6)} LLC`;
    const shipment = await reservePending(code, 2_000, buyer.key, consignee);
    const number = `D${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}`;
    const recorded = await t.app.inject({
      method: 'POST',
      url: '/v1/licenses',
      headers: bearer(officer.key),
      payload: {
        number,
        organisationId: buyer.organisationId,
        destination: code,
        consignee,
        eccns: ['3A090.a'],
        tppAuthorized: 5_000 * H100,
        validFrom: '2025-01-01',
        validUntil: '2026-12-31',
      },
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    const licenseId = recorded.json<{ id: string }>().id;

    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const { page, watch } = await openConsole(context);
      await signIn(page, officer.key);
      const queued = page.locator(`#queue-table tbody tr[data-shipment-id="${shipment.id}"]`);
      expect(await queued.locator('th').textContent()).toBe(consignee);
      expect(await queued.locator('td.num').textContent()).toBe('31,664,000');
      // The picker offers the licence issued to this exporter for this consignee and destination.
      const picker = queued.locator('select');
      expect(await picker.locator('option').allTextContents()).toEqual([`${number}: 79,160,000 TPP left`]);
      const licenceRow = page.locator(`#licences-table tbody tr[data-license-id="${licenseId}"]`);
      expect(await licenceRow.locator('td').nth(1).textContent()).toBe(consignee);
      await screenshot(page, '#queue', 'console-queue.png');

      await queued.getByRole('button', { name: 'Attach licence' }).click();
      await expect
        .poll(() => page.locator('#queue-status').textContent())
        .toMatch(new RegExp(`^Licence ${number} attached: the shipment is now LICENSED\\.`));
      expect(await queued.count()).toBe(0);
      // The licence now holds the shipment's TPP.
      expect(await licenceRow.locator('td.num').allTextContents()).toEqual([
        '79,160,000',
        '0',
        '31,664,000',
        '47,496,000',
      ]);
      const after = await t.app.inject({
        method: 'GET',
        url: `/v1/shipments/${shipment.id}`,
        headers: bearer(officer.key),
      });
      expect(after.json()).toMatchObject({ status: 'LICENSED', licenseId });
      await screenshot(page, '#licences', 'console-licences.png');
      expectClean(watch);
    } finally {
      await context.close();
    }
  });

  it('refuses an unknown key and keeps nothing', async () => {
    const context = await browser.newContext();
    try {
      const { page, watch } = await openConsole(context);
      await page.locator('#api-key').fill('gec_not_a_real_key_000000000000');
      await page.locator('#sign-in-form button[type="submit"]').click();
      await expect
        .poll(() => page.locator('#sign-in-error').textContent())
        .toBe('That key is unknown, revoked or expired.');
      expect(await page.locator('#workspace').isHidden()).toBe(true);
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      // The failed sign-in is a 401 the page expected; nothing else may go wrong.
      expect(watch.violations).toEqual([]);
      expect(watch.errors).toEqual([]);

      // The watch sees what the CSP refuses: an inline style, as an injected attribute would try, is reported.
      await page.evaluate("document.body.setAttribute('style', 'background: red')");
      await expect.poll(() => watch.violations.join('\n')).toMatch(/inline style/i);
    } finally {
      await context.close();
    }
  });

  it('shows a vendor only what a vendor may use', async () => {
    const vendor = await createApiKey(t.db, 'vendor', 'ERP integration');
    const context = await browser.newContext();
    try {
      const { page, watch } = await openConsole(context);
      await signIn(page, vendor.key);
      expect(await page.locator('#allocations').isVisible()).toBe(true);
      expect(await page.locator('#check').isVisible()).toBe(true);
      for (const hidden of ['#queue', '#licences', '#audit'])
        expect(await page.locator(hidden).isHidden()).toBe(true);
      // A vendor may plan (POST /v1/plans answers vendor keys), so the plan form is there.
      expect(await page.locator('#plan-form').isVisible()).toBe(true);
      expect(await page.locator('#plan-denied').isHidden()).toBe(true);
      expectClean(watch);
    } finally {
      await context.close();
    }
  });

  it('shows an auditor the allocations but no plan to run, and says why', async () => {
    const auditor = await createApiKey(t.db, 'auditor', 'External audit');
    // The service refuses an auditor's plan: the console must not offer what would answer 403.
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/plans',
      headers: bearer(auditor.key),
      payload: {
        destination: 'KR',
        candidates: [{ productId: 'nvidia-h100-sxm' }],
        endUser: { name: 'Example', headquarters: 'KR', verifiedEndUser: null },
      },
    });
    expect(refused.statusCode).toBe(403);
    const context = await browser.newContext();
    try {
      const { page, watch } = await openConsole(context);
      await signIn(page, auditor.key);
      expect(await page.locator('#allocations').isVisible()).toBe(true);
      expect(await page.locator('#plan-form').isHidden()).toBe(true);
      expect(await page.locator('#plan-denied').textContent()).toBe(
        'Your role may read the allocations but not run plans: a plan, like a check, is an audited action.',
      );
      // Country names in the table are text, not buttons that would ask for a plan.
      expect(await page.locator('#allocations-table tbody tr').count()).toBeGreaterThan(0);
      expect(await page.locator('#allocations-table button.choose').count()).toBe(0);
      expectClean(watch);
    } finally {
      await context.close();
    }
  });
});
