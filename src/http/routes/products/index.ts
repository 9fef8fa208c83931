import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toH100Equivalents } from '../../../domain/classify.ts';
import type { ProductRecord } from '../../../repositories/product-repository.ts';
import { createProduct, getProduct, getProducts } from '../../../services/products.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import { CREATED_PRODUCT_EXAMPLES, openApiExamples } from '../../schemas/examples.ts';
import { CreateProductBodySchema, ProductListSchema, ProductSchema } from './schemas.ts';

function productToWire(product: ProductRecord): z.infer<typeof ProductSchema> {
  return {
    ...product,
    eccn: product.eccn as z.infer<typeof ProductSchema>['eccn'],
    h100Equivalents: toH100Equivalents(product.tpp),
  };
}

export const productRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/products',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'listProducts',
        tags: ['Reference data'],
        summary: 'The GPU and accelerator catalogue',
        description:
          'Each product with its datasheet inputs and the TPP, performance density and ECCN computed from them.',
        security: [{ bearerAuth: [] }],
        response: { 200: ProductListSchema, ...problems(401, 403, 429) },
      },
    },
    async (request) => ({ data: (await getProducts(serviceContext(request))).map(productToWire) }),
  );

  app.get(
    '/v1/products/:id',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'getProduct',
        tags: ['Reference data'],
        summary: 'One catalogue product',
        description: 'For example nvidia-h100-sxm: 1,979 dense FP8 TFLOPS x 8 = 15,832 TPP, 3A090.a.',
        security: [{ bearerAuth: [] }],
        params: z.strictObject({
          id: z
            .string()
            .min(1)
            .max(64)
            .describe('Catalogue id')
            .meta(openApiExamples({ h100: { summary: 'NVIDIA H100 SXM', value: 'nvidia-h100-sxm' } })),
        }),
        response: { 200: ProductSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => productToWire(await getProduct(serviceContext(request), request.params.id)),
  );

  app.post(
    '/v1/products',
    {
      config: { access: 'writeReference' },
      schema: {
        operationId: 'createProduct',
        tags: ['Reference data'],
        summary: 'Add a product (officer)',
        description:
          'TPP, performance density and ECCN are computed from the datasheet inputs with the classifier the decision ' +
          'engine uses; they cannot be supplied. A system names its chip (componentId) and how many it holds. Audited.',
        security: [{ bearerAuth: [] }],
        body: CreateProductBodySchema,
        response: { 201: ProductSchema, ...problems(400, 401, 403, 409, 413, 415, 429) },
        'x-response-examples': { 201: CREATED_PRODUCT_EXAMPLES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await createProduct(serviceContext(request), {
        ...body,
        ...(body.componentId !== undefined ? { componentId: body.componentId } : {}),
        ...(body.componentCount !== undefined ? { componentCount: body.componentCount } : {}),
      });
      return reply.code(201).send(productToWire(created));
    },
  );
};
