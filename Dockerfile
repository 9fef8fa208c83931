# Production-like image: the service against an external PostgreSQL (DATABASE_URL), as in docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY openapi ./openapi
USER node
EXPOSE 3000
CMD ["npm", "start"]
