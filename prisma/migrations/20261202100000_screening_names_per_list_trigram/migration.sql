-- Hand-written: screening searches only the latest import, so the trigram index holds the list id beside the
-- matching form (btree_gin gives GIN its uuid operator class, and it ships with PostgreSQL contrib like pg_trgm).
-- With the list id in the index, earlier imports add nothing to a search. Without it the names of every import
-- were candidates and were thrown away only after their trigram recheck.
CREATE EXTENSION IF NOT EXISTS "btree_gin";

-- DropIndex
DROP INDEX "screening_names_match_form_idx";

-- CreateIndex
-- fastupdate off: the names of an import go into the index as they are written, not into a pending list that every
-- search would scan one by one until a vacuum merges it (the import is slower, searches right after it are not).
CREATE INDEX "screening_names_list_id_match_form_idx" ON "screening_names" USING GIN ("list_id", "match_form" gin_trgm_ops) WITH (fastupdate = off);
