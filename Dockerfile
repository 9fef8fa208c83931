# The service against an external PostgreSQL (DATABASE_URL), as in docker-compose.yml.
# Stage 1 builds dist/ with the whole toolchain; stage 2 is Node's current LTS with production dependencies only.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall generates the Prisma client into src/generated (prisma/ and the stand-in engine script are read).
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts/no-schema-engine.sh ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    # The same heap bound as npm start (package.json config.serviceNodeFlags), measured in the README.
    NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=8"
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the runtime needs has one (the Prisma client is compiled into dist/).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read by the migrate one-shot (node dist/cli/db.js deploy).
COPY prisma ./prisma
USER node
EXPOSE 3000
CMD ["node", "dist/server.js"]
