-- Hand-written: screening searches only the latest import, so the trigram index holds the list id beside the
-- matching form (btree_gin gives GIN its uuid operator class, and it ships with PostgreSQL contrib like pg_trgm).
-- With the list id in the index, only the names of the latest import are rechecked. Without it the names of every
-- import were candidates and were thrown away only after their trigram recheck.
CREATE EXTENSION IF NOT EXISTS "btree_gin";

-- DropIndex
DROP INDEX "screening_names_match_form_idx";

-- CreateIndex
-- A small pending list (256 kB, PostgreSQL's default is 4 MB): an import still adds its names to the index in bulk
-- (with fastupdate off, one name at a time, a 100,000-entry import took three times as long), and the names a
-- search must scan one by one until a vacuum merges them are few (measured: 0.75 ms instead of 0.26 ms right
-- after an import, for a name with no candidates).
CREATE INDEX "screening_names_list_id_match_form_idx" ON "screening_names" USING GIN ("list_id", "match_form" gin_trgm_ops) WITH (gin_pending_list_limit = 256);
