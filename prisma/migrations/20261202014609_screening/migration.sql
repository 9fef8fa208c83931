-- Hand-written: trigram matching and accent folding for screening (both ship with PostgreSQL contrib).
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

CREATE EXTENSION IF NOT EXISTS "unaccent";

-- CreateTable
CREATE TABLE "screening_lists" (
    "id" UUID NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "entries" INTEGER NOT NULL,
    "sources" JSONB NOT NULL,
    "malformed" JSONB NOT NULL,
    "malformed_count" INTEGER NOT NULL,
    "origin" TEXT NOT NULL,

    CONSTRAINT "screening_lists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "screening_entries" (
    "list_id" UUID NOT NULL,
    "entry_index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "alt_names" TEXT[],
    "countries" TEXT[],
    "source" TEXT NOT NULL,
    "list_code" TEXT NOT NULL,
    "start_date" TEXT,
    "federal_register_notice" TEXT,
    "license_requirement" TEXT,
    "license_policy" TEXT,
    "remarks" TEXT,

    CONSTRAINT "screening_entries_pkey" PRIMARY KEY ("list_id","entry_index")
);

-- CreateTable
CREATE TABLE "screening_names" (
    "id" BIGSERIAL NOT NULL,
    "list_id" UUID NOT NULL,
    "entry_index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "identity_key" TEXT NOT NULL,
    "match_form" TEXT NOT NULL,

    CONSTRAINT "screening_names_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "screening_lists_imported_at_idx" ON "screening_lists"("imported_at");

-- CreateIndex
CREATE INDEX "screening_names_list_id_identity_key_idx" ON "screening_names"("list_id", "identity_key");

-- CreateIndex
CREATE INDEX "screening_names_match_form_idx" ON "screening_names" USING GIN ("match_form" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "screening_entries" ADD CONSTRAINT "screening_entries_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "screening_lists"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
