import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApi } from '../../scripts/openapi.ts';
import { SCREENED_CLEAN } from '../../src/http/schemas/examples.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Json = Record<string, unknown>;
interface Example {
  summary?: string;
  value: unknown;
}
interface Media {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, Example>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: (Media & { name: string; in: string; required?: boolean })[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

/** Routes anyone may call: probes for orchestrators. Everything else needs a key. */
// getMetrics is outside the role model: open, or guarded by its own METRICS_TOKEN (not an API key).
const PUBLIC_OPERATIONS = new Set(['getHealth', 'getReadiness', 'getMetrics']);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

let t: TestApp;
let served: Document;
let operations: { method: string; path: string; op: Operation }[];

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  served = res.json();
  operations = Object.entries(served.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ method, path, op })),
  );
});
afterAll(async () => t.close());

function label({ method, path, op }: { method: string; path: string; op: Operation }): string {
  return `${method.toUpperCase()} ${path} (${op.operationId ?? 'no operationId'})`;
}

describe('openapi/openapi.json', () => {
  it('is exactly what the service serves at /openapi.json (run `npm run openapi` after changing a route)', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8');
    // The structural comparison gives a readable diff; the text comparison also catches formatting.
    expect(JSON.parse(committed), 'openapi/openapi.json is stale: run `npm run openapi`').toEqual(served);
    expect(committed, 'openapi/openapi.json is not formatted as `npm run openapi` writes it').toBe(
      renderOpenApi(served),
    );
  });

  it('is a valid OpenAPI 3.1 document (swagger-parser: structure and $refs)', async () => {
    expect(served.openapi).toBe('3.1.0');
    // swagger-parser checks 3.1 documents against the OpenAPI 3.1 JSON Schema and resolves every $ref; its
    // further "spec" checks exist only for Swagger 2.0, so those that matter are asserted below.
    await expect(SwaggerParser.validate(structuredClone(served) as never)).resolves.toBeDefined();
  });

  it('has unique operationIds and declares every path parameter', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      const templated = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (operation.op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      expect(declared, label(operation)).toEqual(templated);
    }
  });

  it('documents every operation: operationId, tag, summary, description', () => {
    const declaredTags = new Set(
      ((served as unknown as { tags: { name: string }[] }).tags ?? []).map((tag) => tag.name),
    );
    for (const operation of operations) {
      const { op } = operation;
      expect(op.operationId, label(operation)).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags, label(operation)).toHaveLength(1);
      expect(
        declaredTags.has(op.tags?.[0] ?? ''),
        `${label(operation)}: tag ${op.tags?.[0]} not declared`,
      ).toBe(true);
      expect(op.summary?.length, label(operation)).toBeGreaterThan(5);
      expect(op.description?.length, label(operation)).toBeGreaterThan(20);
    }
  });

  it('declares bearer auth, and the error statuses each operation can return', () => {
    expect(served.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const wrong: string[] = [];
    for (const operation of operations) {
      const { op } = operation;
      const statuses = Object.keys(op.responses);
      const expected = ['500'];
      const isPublic = PUBLIC_OPERATIONS.has(op.operationId ?? '');
      if (isPublic && op.security !== undefined)
        wrong.push(`${label(operation)}: public but declares security`);
      if (!isPublic) {
        if (JSON.stringify(op.security) !== JSON.stringify([{ bearerAuth: [] }]))
          wrong.push(`${label(operation)}: security`);
        expected.push('401', '403');
      }
      if ((op.parameters ?? []).length > 0 || op.requestBody) expected.push('400');
      if (op.requestBody) expected.push('413', '415');
      const absent = expected.filter((status) => !statuses.includes(status));
      if (absent.length > 0) wrong.push(`${label(operation)}: no ${absent.join(', ')} response`);
      if (!statuses.some((s) => /^2\d\d$/.test(s))) wrong.push(`${label(operation)}: no success response`);
      for (const [status, response] of Object.entries(op.responses)) {
        if (response.description === 'Default Response')
          wrong.push(`${label(operation)} ${status}: no description`);
        const problem = response.content?.['application/problem+json'];
        if (
          Number(status) >= 400 &&
          (Object.keys(response.content ?? {}).length !== 1 ||
            problem?.schema?.$ref !== '#/components/schemas/Problem')
        ) {
          wrong.push(
            `${label(operation)} ${status}: not a problem+json Problem response (use problems() from schemas/common.ts)`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives every request body, path parameter and response an example', () => {
    const missing: string[] = [];
    const hasExample = (media: Media | undefined): boolean =>
      media !== undefined && (media.example !== undefined || Object.keys(media.examples ?? {}).length > 0);
    for (const operation of operations) {
      const { op } = operation;
      for (const parameter of op.parameters ?? []) {
        // Optional filters and protocol headers (an idempotency key) can do without; what the caller must send cannot.
        const mustSend = parameter.in === 'path' || (parameter.in === 'query' && parameter.required === true);
        if (mustSend && !hasExample(parameter))
          missing.push(`${label(operation)} parameter ${parameter.name}`);
      }
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (!hasExample(media)) missing.push(`${label(operation)} request body ${type}`);
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (!hasExample(media)) missing.push(`${label(operation)} response ${status} ${type}`);
        }
      }
    }
    expect(missing, 'add examples with openApiExamples() (src/http/schemas/examples.ts)').toEqual([]);
  });

  it('has examples that validate against their own schemas', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const failures: string[] = [];
    const check = (where: string, media: Media): void => {
      if (!media.schema) return;
      // The component map rides along so that `#/components/schemas/...` resolves inside the compiled schema.
      const validate = ajv.compile({ ...media.schema, components: served.components });
      const examples =
        media.example !== undefined ? { example: { value: media.example } } : (media.examples ?? {});
      for (const [name, example] of Object.entries(examples)) {
        if (!validate(example.value))
          failures.push(`${where} example ${name}: ${ajv.errorsText(validate.errors)}`);
      }
    };
    for (const operation of operations) {
      const { op } = operation;
      for (const parameter of op.parameters ?? [])
        check(`${label(operation)} parameter ${parameter.name}`, parameter);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
        check(`${label(operation)} ${type}`, media);
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {}))
          check(`${label(operation)} ${status} ${type}`, media);
      }
    }
    expect(failures).toEqual([]);
  });

  it('has one component per shape: no unused or duplicate read/write components, no leftover x-examples', () => {
    const text = JSON.stringify(served);
    expect(text).not.toContain('"x-examples"');
    expect(text).not.toContain('"x-response-examples"');
    for (const name of Object.keys(served.components.schemas)) {
      expect(text, `component ${name} is never referenced`).toContain(`"#/components/schemas/${name}"`);
    }
  });
});

describe('the createCheck examples', () => {
  const checkOperation = (): Operation => served.paths['/v1/checks']?.post as Operation;

  it('offer South Korea first, so Swagger UI pre-fills "Try it out" with it', () => {
    const examples = checkOperation().requestBody?.content['application/json']?.examples ?? {};
    expect(Object.keys(examples)).toEqual(['southKorea', 'uae']);
    expect(examples.southKorea?.value).toMatchObject({
      destination: 'KR',
      items: [{ productId: 'nvidia-h100-sxm', quantity: 10000 }],
    });
  });

  it('are what the service answers to the documented requests', async () => {
    const { key } = await createApiKey(t.db, 'vendor');
    const requests = checkOperation().requestBody?.content['application/json']?.examples ?? {};
    const responses = checkOperation().responses['200']?.content?.['application/json']?.examples ?? {};
    for (const name of ['southKorea', 'uae']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/checks',
        headers: bearer(key),
        payload: requests[name]?.value as Json,
      });
      expect(res.statusCode, name).toBe(200);
      // Which screening list is the latest depends on other test files sharing the database: the example shows
      // a screened decision with no party listed, and no check here names a listed party.
      const raw = res.json();
      expect(raw.screening.matches).toEqual([]);
      const actual = {
        ...raw,
        screening: SCREENED_CLEAN,
        warnings: raw.warnings.filter((w: string) => !w.startsWith('The parties were not screened')),
      };
      const documented = responses[name]?.value as Json & { reasons: { code: string }[] };
      if (name === 'southKorea') {
        expect({ ...actual, checkId: documented.checkId }).toEqual(documented);
      } else {
        // Other tests share the database and may hold UAE quota: balances (and the reason texts quoting them)
        // can differ from the documented fresh-database values; the decision itself may not.
        expect({
          ...actual,
          checkId: documented.checkId,
          quota: documented.quota,
          reasons: documented.reasons,
        }).toEqual(documented);
        expect(actual.reasons.map((r: { code: string }) => r.code)).toEqual(
          documented.reasons.map((r) => r.code),
        );
        expect(actual.quota.countryAllocation).toMatchObject({
          applies: true,
          capTpp: 790000000,
          thisShipmentTpp: 31684800,
        });
      }
    }
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI from the installed package, with no request leaving the service', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset, 'an external asset').toMatch(/^\/docs\//);
      const fetched = await t.app.inject({ method: 'GET', url: asset });
      expect(fetched.statusCode, asset).toBe(200);
    }
    const initializer = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    // Swagger UI otherwise sends the document to validator.swagger.io for its badge.
    expect(initializer.body).toContain('validatorUrl: null');
    const document = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(document.json()).toEqual(served);
  });
});
