import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { AUTH, TOKEN, adminFixture, assertError } from './admin-fixture.ts';

interface Schema {
  [keyword: string]: unknown;
}
interface MediaType {
  schema?: Schema;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
  security: Record<string, string[]>[];
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
// CONTRACT §7 and src/admin/README.md: what the document must describe at least.
const CONTRACT_ROUTES = [
  'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json',
  'GET /v1/plugins', 'POST /v1/plugins', 'GET /v1/plugins/{name}', 'PATCH /v1/plugins/{name}', 'DELETE /v1/plugins/{name}',
  'GET /v1/dlq', 'GET /v1/dlq/{id}', 'POST /v1/dlq/{id}/replay', 'POST /v1/dlq/replay', 'DELETE /v1/dlq',
  'POST /v1/replay', 'POST /v1/events',
];
const UNAUTHENTICATED = ['/healthz', '/readyz'];

/** Every route the app registers, as "METHOD /openapi/{style}" (HEAD twins of GET routes left out). */
function recordRoutes(app: FastifyInstance): Set<string> {
  const routes = new Set<string>();
  // Added before the app boots: the admin routes are registered by a plugin when it does.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.add(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });
  return routes;
}

async function fetchDocument(app: FastifyInstance): Promise<OpenApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/openapi.json', headers: AUTH });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  return response.json() as OpenApiDocument;
}

/** Every object under the document's `schema` keys, with where it is. */
function schemaObjects(value: unknown, where: string, inSchema = false): [string, Schema][] {
  if (typeof value !== 'object' || value === null) return [];
  const found: [string, Schema][] = inSchema && !Array.isArray(value) ? [[where, value as Schema]] : [];
  for (const [key, child] of Object.entries(value)) found.push(...schemaObjects(child, `${where}/${key}`, inSchema || key === 'schema'));
  return found;
}

function operations(doc: OpenApiDocument): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
}

test('/openapi.json needs the token like every route but the probes: 401 without it or with a wrong one', async () => {
  const { app } = adminFixture();
  assertError(await app.inject({ method: 'GET', url: '/openapi.json' }), 401, 'PLEXUS_UNAUTHORIZED', 'Authorization: Bearer');
  assertError(await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${TOKEN}x` } }), 401, 'PLEXUS_UNAUTHORIZED');
  assertError(await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Basic ${TOKEN}` } }), 401, 'PLEXUS_UNAUTHORIZED');
});

test('the document has the OpenAPI 3 shape and declares the bearer token, lifted only for /healthz and /readyz', async () => {
  const { app } = adminFixture();
  const doc = await fetchDocument(app);
  assert.match(doc.openapi, /^3\.0\.\d+$/);
  assert.equal(doc.info.title, 'Plexus admin API');
  assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
  assert.equal(typeof doc.paths, 'object');
  // JSON Schema 2020-12 that OpenAPI 3.0 Schema Objects cannot hold must have been rewritten.
  for (const [where, schema] of schemaObjects(doc, 'doc')) {
    assert.ok(!Array.isArray(schema.type), `${where}: a type array is not OpenAPI 3.0`);
    assert.ok(!('const' in schema) && !('$schema' in schema), `${where}: const/$schema are not OpenAPI 3.0`);
  }

  const schemes = Object.entries(doc.components.securitySchemes);
  assert.equal(schemes.length, 1);
  const [name, scheme] = schemes[0] ?? [];
  assert.deepEqual(scheme, { ...scheme, type: 'http', scheme: 'bearer' });
  assert.deepEqual(doc.security, [{ [name as string]: [] }]);

  for (const [id, op] of operations(doc)) {
    const path = id.split(' ')[1] as string;
    if (UNAUTHENTICATED.includes(path)) assert.deepEqual(op.security, [], `${id} needs no token`);
    else assert.equal(op.security, undefined, `${id} keeps the document-wide bearer requirement`);
  }
});

test('the document lists every registered admin route with its method, and nothing else', async () => {
  const { app } = adminFixture();
  const registered = recordRoutes(app);
  const doc = await fetchDocument(app);
  const documented = operations(doc).map(([id]) => id);
  assert.ok(registered.size >= CONTRACT_ROUTES.length, `routes recorded: ${[...registered].join(', ')}`);
  assert.deepEqual([...documented].sort(), [...registered].sort());
  for (const route of CONTRACT_ROUTES) assert.ok(documented.includes(route), `${route} is documented`);
  for (const [path, item] of Object.entries(doc.paths)) {
    assert.match(path, /^\//);
    for (const method of Object.keys(item)) assert.ok(HTTP_METHODS.has(method), `${method} ${path} is an HTTP method`);
  }
});

test('every operation has a summary, response schemas (2xx and errors) and its request: path, query and body', async () => {
  const { app } = adminFixture();
  const doc = await fetchDocument(app);
  // Every schema in the document must compile as a JSON Schema (OpenAPI 3.0 keywords such as
  // `nullable` are unknown to ajv and ignored, not errors).
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const compiles = (schema: Schema | undefined, where: string) => {
    assert.ok(schema !== undefined, `${where} has a schema`);
    assert.doesNotThrow(() => ajv.compile(schema), `${where} is a valid JSON Schema`);
  };

  for (const [id, op] of operations(doc)) {
    assert.ok(op.summary, `${id} has a summary`);
    const codes = Object.keys(op.responses);
    assert.ok(codes.some((code) => /^2(\d\d|XX)$/.test(code)), `${id} documents its success answer`);
    for (const code of codes) {
      assert.match(code, /^([1-5](\d\d|XX)|default)$/, `${id} response key ${code}`);
      const response = op.responses[code];
      assert.ok(response?.description && response.description !== 'Default Response', `${id} ${code} says what it is`);
      const media = Object.entries(response.content ?? {});
      assert.ok(media.length > 0, `${id} ${code} has a schema`);
      for (const [type, { schema }] of media) compiles(schema, `${id} ${code} ${type}`);
    }
    if (!UNAUTHENTICATED.includes(id.split(' ')[1] as string)) {
      assert.ok(op.responses['4XX'] && op.responses['5XX'], `${id} documents its error body`);
    }

    // Each {param} in the path is a required path parameter with a schema.
    const pathParams = [...id.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
    assert.deepEqual(declared.map((p) => p.name).sort(), [...pathParams].sort(), `${id} path parameters`);
    for (const parameter of op.parameters ?? []) {
      assert.ok(['path', 'query', 'header', 'cookie'].includes(parameter.in), `${id} ${parameter.name} in ${parameter.in}`);
      if (parameter.in === 'path') assert.equal(parameter.required, true, `${id} ${parameter.name} is required`);
      compiles(parameter.schema, `${id} parameter ${parameter.name}`);
    }

    const method = id.split(' ')[0];
    if ((method === 'POST' && !id.endsWith('{id}/replay')) || method === 'PATCH') {
      compiles(op.requestBody?.content['application/json']?.schema, `${id} request body`);
    }
  }
});

test('the request schemas in the document are the ones the routes validate with', async () => {
  const { app } = adminFixture();
  const doc = await fetchDocument(app);
  const purge = doc.paths['/v1/dlq']?.delete;
  assert.deepEqual(purge?.parameters?.map((p) => p.name).sort(), ['all', 'from', 'plugin', 'reason', 'source', 'to', 'type']);
  const list = doc.paths['/v1/dlq']?.get?.parameters?.find((p) => p.name === 'limit');
  assert.deepEqual({ ...list?.schema }, { ...list?.schema, type: 'integer', minimum: 1, maximum: 1000, default: 50 });
  const replay = doc.paths['/v1/replay']?.post?.requestBody?.content['application/json']?.schema;
  assert.deepEqual(replay?.required, ['from']);
  assert.equal(replay?.additionalProperties, false);
  const metrics = doc.paths['/metrics']?.get?.responses['200']?.content;
  assert.deepEqual(Object.keys(metrics ?? {}), ['text/plain']);
});
