-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "caller_request_id" TEXT,
ADD COLUMN     "format" SMALLINT NOT NULL DEFAULT 1,
ADD COLUMN     "record" TEXT,
ALTER COLUMN "payload" DROP NOT NULL;

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("seq","key_id")
);

-- CreateIndex
CREATE INDEX "audit_events_caller_request_id_idx" ON "audit_events"("caller_request_id");

-- Hand-written: a row holds its content in exactly one form (format 1: jsonb payload, format 2: the record
-- text that was hashed), never two copies.
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_format_check" CHECK (
  ("format" = 1 AND "payload" IS NOT NULL AND "record" IS NULL) OR
  ("format" = 2 AND "record" IS NOT NULL AND "payload" IS NULL)
);
