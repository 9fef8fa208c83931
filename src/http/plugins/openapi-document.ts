import { PROBLEM_EXAMPLES, type NamedExamples } from '../schemas/examples.ts';

type JsonObject = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';
/** fastify-type-provider-zod names the input-side (request) copy of a component `<id>Input`. */
const INPUT_SUFFIX = 'Input';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No content',
};
/** Keywords whose values are data, not schemas: never rewrite or strip inside them. */
const VALUE_KEYWORDS = new Set(['example', 'examples', 'default', 'const', 'enum']);
/** Keywords whose values map names to schemas: the names themselves are not keywords. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(parent: JsonObject, key: string): JsonObject | undefined {
  const value = parent[key];
  return isObject(value) ? value : undefined;
}

function refName(schema: unknown): string | undefined {
  if (!isObject(schema) || typeof schema.$ref !== 'string' || !schema.$ref.startsWith(SCHEMA_REF))
    return undefined;
  return schema.$ref.slice(SCHEMA_REF.length);
}

/** Calls `visit` on every schema object under `schema`, itself included. */
function walkSchema(schema: unknown, visit: (node: JsonObject) => void): void {
  if (Array.isArray(schema)) {
    for (const entry of schema) walkSchema(entry, visit);
    return;
  }
  if (!isObject(schema)) return;
  visit(schema);
  for (const [key, child] of Object.entries(schema)) {
    if (VALUE_KEYWORDS.has(key)) continue;
    if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(child)) {
      for (const sub of Object.values(child)) walkSchema(sub, visit);
    } else {
      walkSchema(child, visit);
    }
  }
}

interface Operation {
  path: string;
  operation: JsonObject;
}

function operationsOf(document: JsonObject): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(objectAt(document, 'paths') ?? {})) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = objectAt(item, method);
      if (operation) out.push({ path, operation });
    }
  }
  return out;
}

/** Every schema object that sits in an operation: parameters, request bodies, responses. */
function operationSchemas(operations: Operation[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const { operation } of operations) {
    for (const parameter of Array.isArray(operation.parameters) ? operation.parameters : []) {
      if (isObject(parameter) && isObject(parameter.schema)) out.push(parameter.schema);
    }
    const bodies = [
      objectAt(operation, 'requestBody'),
      ...Object.values(objectAt(operation, 'responses') ?? {}),
    ];
    for (const body of bodies) {
      if (!isObject(body)) continue;
      for (const media of Object.values(objectAt(body, 'content') ?? {})) {
        if (isObject(media) && isObject(media.schema)) out.push(media.schema);
      }
    }
  }
  return out;
}

function rewriteRefs(roots: unknown[], rename: (name: string) => string | undefined): void {
  for (const root of roots) {
    walkSchema(root, (node) => {
      const name = refName(node);
      const renamed = name === undefined ? undefined : rename(name);
      if (renamed !== undefined) node.$ref = SCHEMA_REF + renamed;
    });
  }
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The type provider emits every component twice, as read (`X`) and as written (`XInput`), because defaults and
 * transforms can make them differ. Where they do not, keep one. Equality is decided optimistically and refuted
 * until stable, so components that refer to each other (or to themselves) merge when they are truly equal.
 */
function mergeIdenticalInputs(schemas: JsonObject, roots: unknown[]): void {
  const merged = new Set(
    Object.keys(schemas)
      .filter((name) => name.endsWith(INPUT_SUFFIX) && name.slice(0, -INPUT_SUFFIX.length) in schemas)
      .map((name) => name.slice(0, -INPUT_SUFFIX.length)),
  );
  const normalise = (schema: unknown): string =>
    canonicalJson(schema).replaceAll(/"#\/components\/schemas\/([^"]+)Input"/g, (whole, base: string) =>
      merged.has(base) ? JSON.stringify(SCHEMA_REF + base) : whole,
    );
  for (let changed = true; changed;) {
    changed = false;
    for (const base of merged) {
      if (normalise(schemas[base + INPUT_SUFFIX]) !== normalise(schemas[base])) {
        merged.delete(base);
        changed = true;
      }
    }
  }
  for (const base of merged) delete schemas[base + INPUT_SUFFIX];
  rewriteRefs([...roots, ...Object.values(schemas)], (name) =>
    name.endsWith(INPUT_SUFFIX) && merged.has(name.slice(0, -INPUT_SUFFIX.length))
      ? name.slice(0, -INPUT_SUFFIX.length)
      : undefined,
  );
}

/** Drops components no operation reaches (e.g. the read form of a request-only schema). */
function pruneUnreachable(schemas: JsonObject, roots: unknown[]): void {
  const reached = new Set<string>();
  const pending: unknown[] = [...roots];
  while (pending.length > 0) {
    walkSchema(pending.pop(), (node) => {
      const name = refName(node);
      if (name !== undefined && !reached.has(name)) {
        reached.add(name);
        pending.push(schemas[name]);
      }
    });
  }
  for (const name of Object.keys(schemas)) if (!reached.has(name)) delete schemas[name];
}

/** A request-only component left alone as `XInput` takes the plain name, so clients see `ShipmentRequest`. */
function renameLoneInputs(schemas: JsonObject, roots: unknown[]): void {
  const renames = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    const base = name.slice(0, -INPUT_SUFFIX.length);
    if (name.endsWith(INPUT_SUFFIX) && !(base in schemas)) renames.set(name, base);
  }
  for (const [from, to] of renames) {
    schemas[to] = schemas[from];
    delete schemas[from];
  }
  rewriteRefs([...roots, ...Object.values(schemas)], (name) => renames.get(name));
}

function namedExamplesOf(schema: JsonObject | undefined): NamedExamples | undefined {
  if (!schema) return undefined;
  const named = schema['x-examples'];
  if (isObject(named)) return named as NamedExamples;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) {
    return Object.fromEntries(
      schema.examples.map((value: unknown, i) => [`example${i + 1}`, { value }]),
    ) as NamedExamples;
  }
  return undefined;
}

/** Picks the problem examples on the operation's own resource, or all of them when none is. */
function problemExamplesFor(path: string, status: string): NamedExamples | undefined {
  const all = PROBLEM_EXAMPLES[Number(status)];
  if (!all) return undefined;
  const literal = (text: string): string => text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const exact = new RegExp(
    `^${path
      .split(/\{[^}]+\}/)
      .map(literal)
      .join('[^/]+')}$`,
  );
  const resource = path.split('/').slice(0, 3).join('/');
  const matching = (test: (instance: string) => boolean): NamedExamples | undefined => {
    const entries = Object.entries(all).filter(([, example]) => {
      const instance = isObject(example.value) ? example.value.instance : undefined;
      return typeof instance === 'string' && test(instance);
    });
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  return (
    matching((instance) => exact.test(instance)) ??
    matching((instance) => instance === resource || instance.startsWith(`${resource}/`)) ??
    all
  );
}

/**
 * Puts examples where Swagger UI and client generators look: on the media type (request bodies, responses) and
 * on parameters. They come from the route (`x-response-examples`), from the schema's `x-examples` metadata, or
 * for problem responses from PROBLEM_EXAMPLES.
 */
function placeExamples(schemas: JsonObject, operations: Operation[]): void {
  const component = (schema: unknown): JsonObject | undefined => {
    const name = refName(schema);
    return name === undefined ? (isObject(schema) ? schema : undefined) : objectAt(schemas, name);
  };
  const fill = (media: JsonObject, examples: NamedExamples | undefined): void => {
    if (examples && media.example === undefined && media.examples === undefined) media.examples = examples;
  };

  for (const { path, operation } of operations) {
    // A route that also reads text/csv (see routes/checks/batch.ts) describes that body in `x-csv-request`.
    const csv = objectAt(operation, 'x-csv-request');
    delete operation['x-csv-request'];
    const content = objectAt(objectAt(operation, 'requestBody') ?? {}, 'content');
    if (csv && content) {
      content['text/csv'] = {
        schema: { type: 'string', description: csv.description },
        example: csv.example,
      };
    }

    const overrides = objectAt(operation, 'x-response-examples') ?? {};
    delete operation['x-response-examples'];

    for (const parameter of Array.isArray(operation.parameters) ? operation.parameters : []) {
      if (isObject(parameter)) fill(parameter, namedExamplesOf(component(parameter.schema)));
    }

    const body = objectAt(operation, 'requestBody');
    for (const media of Object.values(objectAt(body ?? {}, 'content') ?? {})) {
      if (!isObject(media)) continue;
      const schema = component(media.schema);
      fill(media, namedExamplesOf(schema));
      if (body && body.description === undefined && typeof schema?.description === 'string') {
        body.description = schema.description;
      }
    }

    for (const [status, response] of Object.entries(objectAt(operation, 'responses') ?? {})) {
      if (!isObject(response)) continue;
      if (response.description === 'Default Response') {
        const first = Object.values(objectAt(response, 'content') ?? {})[0];
        const described = isObject(first) ? component(first.schema)?.description : undefined;
        response.description = typeof described === 'string' ? described : (STATUS_TEXT[status] ?? status);
      }
      for (const [mediaType, media] of Object.entries(objectAt(response, 'content') ?? {})) {
        if (!isObject(media)) continue;
        const schema = component(media.schema);
        fill(media, objectAt(overrides, status) as NamedExamples | undefined);
        fill(media, namedExamplesOf(schema));
        if (mediaType === PROBLEM_MEDIA_TYPE) fill(media, problemExamplesFor(path, status));
      }
    }
  }
}

function sortKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Final pass over the document @fastify/swagger and the zod type provider produce: examples where tools read
 * them, one component per distinct shape, nothing unreachable, components in name order so the committed file
 * only changes when the contract does.
 */
export function finishOpenApiDocument<T extends object>(input: T): T {
  const document = structuredClone(input) as JsonObject;
  const components = objectAt(document, 'components') ?? {};
  const schemas = objectAt(components, 'schemas') ?? {};
  const operations = operationsOf(document);

  placeExamples(schemas, operations);
  for (const schema of [...Object.values(schemas), ...operationSchemas(operations)]) {
    walkSchema(schema, (node) => delete node['x-examples']);
  }

  const roots = operationSchemas(operations);
  mergeIdenticalInputs(schemas, roots);
  pruneUnreachable(schemas, roots);
  renameLoneInputs(schemas, roots);

  components.schemas = sortKeys(schemas);
  document.components = components;
  return document as T;
}
