#!/bin/sh
# Stand-in for Prisma's native schema engine, which this network cannot download.
# `prisma generate` only needs the variable to point at a file; migrations run on the WASM engine
# through `npm run db:migrate|db:deploy|db:status` (scripts/db.ts).
echo "The native Prisma schema engine is not installed here: use npm run db:migrate / db:deploy / db:status." >&2
exit 1
