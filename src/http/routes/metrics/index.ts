import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import { problems } from '../../schemas/common.ts';
import { openApiExamples } from '../../schemas/examples.ts';

function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  // Equal-length digests: the comparison takes the same time whatever was presented.
  return timingSafeEqual(
    createHash('sha256').update(presented).digest(),
    createHash('sha256').update(expected).digest(),
  );
}

export const metricsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/metrics',
    {
      // Public to the role model: it has its own token (METRICS_TOKEN), held by the scraper, not an API key.
      config: { access: 'public' },
      logLevel: 'warn',
      schema: {
        operationId: 'getMetrics',
        tags: ['Operations'],
        summary: 'Prometheus metrics',
        description:
          'Prometheus text exposition (version 0.0.4): requests and latency by route pattern and status, decisions ' +
          'by outcome and rule pack, reservations by result, audit chain length and group-commit sizes, quota pool ' +
          'use, database pool state, process metrics. Open unless METRICS_TOKEN is set; then it needs ' +
          '"Authorization: Bearer <METRICS_TOKEN>".',
        response: {
          200: {
            description: 'Prometheus text format 0.0.4',
            content: {
              'text/plain': {
                schema: z.string().meta({
                  id: 'MetricsText',
                  ...openApiExamples({
                    excerpt: {
                      summary: 'An excerpt',
                      value:
                        '# HELP http_requests_total HTTP requests answered, by method, route pattern and status code\n' +
                        '# TYPE http_requests_total counter\n' +
                        'http_requests_total{method="POST",route="/v1/checks",status="200"} 1842\n',
                    },
                  }),
                }),
              },
            },
          },
          ...problems(401),
        },
      },
    },
    async (request, reply) => {
      const token = app.deps.config.METRICS_TOKEN;
      if (token !== undefined) {
        const header = request.headers.authorization;
        const presented = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
        if (!sameSecret(presented, token)) {
          throw new AppError(
            'UNAUTHENTICATED',
            'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".',
            {
              headers: { 'www-authenticate': 'Bearer realm="metrics"' },
            },
          );
        }
      }
      const body = await app.metrics.scrape();
      return reply
        .type(app.metrics.registry.contentType)
        .header('cache-control', 'no-store')
        .serializer((payload: unknown) => String(payload))
        .send(body);
    },
  );
};
