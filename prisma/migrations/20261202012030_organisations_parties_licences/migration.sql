-- AlterEnum
ALTER TYPE "QuotaPoolKind" ADD VALUE 'LICENSE';

-- AlterEnum
ALTER TYPE "ShipmentStatus" ADD VALUE 'LICENSED';

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "organisation_id" UUID;

-- AlterTable
ALTER TABLE "shipments" ADD COLUMN     "cancel_reason" TEXT,
ADD COLUMN     "consignee_id" UUID,
ADD COLUMN     "external_reference" TEXT,
ADD COLUMN     "license_hold_tpp" DECIMAL(24,3) NOT NULL DEFAULT 0,
ADD COLUMN     "license_id" UUID,
ADD COLUMN     "license_pool_id" UUID,
ADD COLUMN     "organisation_id" UUID;

-- CreateTable
CREATE TABLE "organisations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organisations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "parties" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "identity_key" TEXT NOT NULL,
    "address" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "parties_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "licenses" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "organisation_id" UUID NOT NULL,
    "destination" CHAR(2) NOT NULL,
    "consignee_id" UUID NOT NULL,
    "eccns" TEXT[],
    "tpp_authorized" DECIMAL(24,3) NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_until" DATE NOT NULL,
    "conditions" TEXT,
    "pool_id" UUID NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoke_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "licenses_pkey" PRIMARY KEY ("id")
);

-- Records made before organisations existed belong to one default organisation, so nothing is lost or orphaned:
-- existing shipments, and existing vendor and procurement keys (officer and auditor keys stay deployment-wide).
INSERT INTO "organisations" ("id", "name", "country")
VALUES ('00000000-0000-4000-8000-000000000001', 'Default organisation (records made before organisations)', 'US');

UPDATE "shipments" SET "organisation_id" = '00000000-0000-4000-8000-000000000001' WHERE "organisation_id" IS NULL;

UPDATE "api_keys" SET "organisation_id" = '00000000-0000-4000-8000-000000000001'
WHERE "organisation_id" IS NULL AND "role" IN ('vendor', 'procurement');

ALTER TABLE "shipments" ALTER COLUMN "organisation_id" SET NOT NULL;

-- LPP pools used to be keyed by a lower-cased consignee name. They are now keyed by party id. The old pools keep
-- their entries (the ledger is append-only) under a marked subject, so no new party id can ever collide with them.
UPDATE "quota_pools" SET "subject" = 'legacy-name:' || "subject" WHERE "kind" = 'LPP';

-- CreateIndex
CREATE INDEX "parties_identity_key_idx" ON "parties"("identity_key");

-- CreateIndex
CREATE UNIQUE INDEX "parties_country_identity_key_key" ON "parties"("country", "identity_key");

-- CreateIndex
CREATE UNIQUE INDEX "licenses_number_key" ON "licenses"("number");

-- CreateIndex
CREATE UNIQUE INDEX "licenses_pool_id_key" ON "licenses"("pool_id");

-- CreateIndex
CREATE INDEX "licenses_organisation_id_idx" ON "licenses"("organisation_id");

-- CreateIndex
CREATE INDEX "shipments_organisation_id_created_at_idx" ON "shipments"("organisation_id", "created_at");

-- CreateIndex
CREATE INDEX "shipments_license_id_idx" ON "shipments"("license_id");

-- CreateIndex
CREATE UNIQUE INDEX "shipments_organisation_id_external_reference_key" ON "shipments"("organisation_id", "external_reference");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "licenses" ADD CONSTRAINT "licenses_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "licenses" ADD CONSTRAINT "licenses_consignee_id_fkey" FOREIGN KEY ("consignee_id") REFERENCES "parties"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_consignee_id_fkey" FOREIGN KEY ("consignee_id") REFERENCES "parties"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_license_id_fkey" FOREIGN KEY ("license_id") REFERENCES "licenses"("id") ON DELETE SET NULL ON UPDATE CASCADE;
