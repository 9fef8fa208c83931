import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Swagger UI in a real browser: authorize with a key, run the check operation's example, read the decision off
 * the page. Catches what the document alone cannot: a UI that will not load (CSP, missing assets, a CDN), an
 * Authorize button that does not reach the API, or a "Try it out" body that is not a valid request.
 *
 * Uses the system Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH); it never downloads a browser and
 * never skips: without Chromium it fails, in CI and locally alike, saying what to install.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../test-output/swagger-ui-check.png', import.meta.url));
/** The README shows this one; refreshed only on request (UPDATE_SCREENSHOT=1) so test runs do not churn it. */
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/swagger-ui.png', import.meta.url));
const UI_TIMEOUT_MS = 20_000;

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

/** Opens a page that may only talk to the service: anything else is recorded and refused. */
async function openDocs(page: Page, outside: string[], errors: string[]): Promise<void> {
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${baseUrl}/`)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}/docs`);
  await page.locator('.swagger-ui .info .title').filter({ hasText: 'GPU Export Compliance API' }).waitFor();
}

describe('Swagger UI at /docs', () => {
  it('authorizes with an API key and runs the South Korea check from "Try it out"', async () => {
    const startedAt = performance.now();
    const { key } = await createApiKey(t.db, 'vendor', 'swagger-ui e2e');
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const outside: string[] = [];
    const errors: string[] = [];
    try {
      await openDocs(page, outside, errors);

      await page.locator('.auth-wrapper button.authorize').click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('#auth-bearer-value').fill(key);
      await dialog.locator('.auth-btn-wrapper button.authorize').click();
      await dialog.locator('button.btn-done').click();
      await expect.poll(() => page.locator('.auth-wrapper button.authorize.locked').count()).toBe(1);

      const operation = page.locator('#operations-Checks-createCheck');
      await operation.locator('.opblock-summary-control').click();
      const tryOut = operation.locator('button.try-out__btn');
      if ((await tryOut.textContent())?.trim() === 'Try it out') await tryOut.click();

      // "Try it out" starts from the first documented example: South Korea.
      const body = operation.locator('textarea.body-param__text');
      const prefilled = JSON.parse(await body.inputValue());
      expect(prefilled).toMatchObject({
        destination: 'KR',
        items: [{ productId: 'nvidia-h100-sxm', quantity: 10000 }],
      });

      await operation.locator('button.execute').click();
      const live = operation.locator('.live-responses-table');
      await live.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
      const rendered = (await live.locator('.response-col_description pre').first().textContent()) ?? '';
      const decision = JSON.parse(rendered);
      expect(decision).toMatchObject({
        allowed: true,
        licenseRequired: false,
        authorization: 'AIA',
        destination: { code: 'KR', tier: 'TIER_1' },
      });
      // The request Swagger UI built carried the key: the curl it shows has the header.
      expect(await operation.locator('.curl-command').textContent()).toContain(
        `Authorization: Bearer ${key}`,
      );
      // ...but the page keeps it nowhere a later visitor or another script on the origin could read it.
      const stored = await page.evaluate(
        // A string, so that this file needs no DOM types: runs in the page, not in node.
        'JSON.stringify({ ...localStorage, ...sessionStorage })',
      );
      expect(stored).not.toContain(key);

      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await screenshotOperation(page, key, SCREENSHOT);
      if (process.env.UPDATE_SCREENSHOT === '1') {
        await mkdir(dirname(DOCS_SCREENSHOT), { recursive: true });
        await copyFile(SCREENSHOT, DOCS_SCREENSHOT);
      }

      expect(outside, 'Swagger UI requested something outside the service').toEqual([]);
      expect(errors, 'Swagger UI threw in the page').toEqual([]);
      console.log(
        `swagger-ui e2e: ${Math.round(performance.now() - startedAt)} ms, screenshot ${SCREENSHOT}`,
      );
    } finally {
      await context.close();
    }
  });
});

/**
 * The part of the page a reader wants to see: the API header, the operation with its example body and the live
 * answer. The key is blanked first: a throwaway test key, but a screenshot is a published file.
 */
async function screenshotOperation(page: Page, key: string, path: string): Promise<void> {
  // These callbacks run in the page. The project compiles without the DOM library (it is a Node service), so
  // they name only the few DOM members they use.
  interface TextNode {
    nodeType: number;
    textContent: string | null;
    childNodes: ArrayLike<TextNode>;
  }
  await page.locator('body').evaluate((body, secret) => {
    const TEXT_NODE = 3;
    const blank = (node: TextNode): void => {
      if (node.nodeType === TEXT_NODE && node.textContent?.includes(secret)) {
        node.textContent = node.textContent.replaceAll(secret, '••••••••');
      }
      for (const child of Array.from(node.childNodes)) blank(child);
    };
    blank(body);
  }, key);
  // Page coordinates, not viewport ones: clicking Execute scrolled the page.
  const pageBox = (selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((element) => {
        const rect = element.getBoundingClientRect();
        const scrollY = (element.ownerDocument.defaultView as unknown as { scrollY: number }).scrollY;
        return { top: rect.top + scrollY, bottom: rect.bottom + scrollY };
      });
  const top = await pageBox('.swagger-ui .topbar');
  // Down to the response body; the response headers below it add height, not information.
  const end = await pageBox('#operations-Checks-createCheck .live-responses-table .highlight-code');
  await page.screenshot({
    path,
    fullPage: true,
    clip: { x: 0, y: top.top, width: 1280, height: end.bottom - top.top + 16 },
  });
}
