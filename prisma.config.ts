import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection from here, not from the schema. Only `prisma generate` runs the CLI in
// this project (migrations go through src/cli/db.ts), so the URL is optional.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
