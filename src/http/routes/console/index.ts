import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';

/**
 * The officers' console: one HTML page, our own ES modules and stylesheet from src/console, and Chart.js's
 * self-contained UMD build from the installed package. No bundler and no CDN: `npm ci && npm start` serves it
 * as it is, inside a closed network too. Everything is read once at start and kept in memory (about 250 kB).
 */
const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));
// chart.js's package exports expose only its entry points; its UMD file sits beside the CommonJS one.
const CHART_JS_DIST = dirname(createRequire(import.meta.url).resolve('chart.js'));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

function asset(path: string): Asset {
  const body = readFileSync(path);
  const contentType = CONTENT_TYPES[extname(path)];
  if (contentType === undefined) throw new Error(`No content type for console asset ${path}`);
  return {
    body,
    contentType,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

/** Assets by the name they are served under; the page itself is not among them. */
export function loadConsoleAssets(): { page: Asset; assets: Map<string, Asset> } {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(CONSOLE_DIR).sort()) {
    if (/\.(js|css|svg)$/.test(name)) assets.set(name, asset(join(CONSOLE_DIR, name)));
  }
  assets.set('chart.umd.min.js', asset(join(CHART_JS_DIST, 'chart.umd.min.js')));
  return { page: asset(join(CONSOLE_DIR, 'index.html')), assets };
}

const ASSET_NAME = /^[a-z0-9][a-z0-9.-]{0,63}$/;

export const consoleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { page, assets } = loadConsoleAssets();

  // Revalidated on every load (no-cache + ETag): a deployment never leaves an officer on yesterday's script.
  const send = (asset: Asset, ifNoneMatch: string | undefined, reply: import('fastify').FastifyReply) => {
    reply.header('cache-control', 'no-cache').header('etag', asset.etag);
    if (ifNoneMatch === asset.etag) return reply.code(304).send();
    return reply.type(asset.contentType).send(asset.body);
  };

  app.get('/console', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
    send(page, request.headers['if-none-match'], reply),
  );

  app.get(
    '/console/assets/:name',
    {
      config: { access: 'public' },
      schema: { hide: true, params: z.strictObject({ name: z.string().regex(ASSET_NAME) }) },
    },
    async (request, reply) => {
      const found = assets.get(request.params.name);
      if (found === undefined)
        throw new AppError('NOT_FOUND', `The console has no asset ${request.params.name}.`);
      return send(found, request.headers['if-none-match'], reply);
    },
  );
};
