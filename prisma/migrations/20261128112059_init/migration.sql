-- CreateEnum
CREATE TYPE "Tier" AS ENUM ('TIER_1', 'TIER_2', 'TIER_3');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('vendor', 'procurement', 'officer', 'auditor');

-- CreateEnum
CREATE TYPE "ShipmentStatus" AS ENUM ('RESERVED', 'CLEARED', 'PENDING_LICENSE', 'REJECTED', 'SHIPPED', 'CANCELLED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "QuotaPoolKind" AS ENUM ('COUNTRY_ALLOCATION', 'LPP');

-- CreateEnum
CREATE TYPE "LedgerEntryType" AS ENUM ('HOLD', 'CONSUME', 'RELEASE', 'ADJUST');

-- CreateTable
CREATE TABLE "countries" (
    "code" CHAR(2) NOT NULL,
    "name" TEXT NOT NULL,
    "tier" "Tier" NOT NULL,
    "tier_source" TEXT NOT NULL,
    "allocation_tpp" DECIMAL(24,3),
    "allocation_source" TEXT,
    "gov_to_gov_arrangement" BOOLEAN NOT NULL DEFAULT false,
    "officer_modified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "countries_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "products" (
    "id" TEXT NOT NULL,
    "vendor" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "datacenter" BOOLEAN NOT NULL,
    "peaks" JSONB NOT NULL,
    "die_area_mm2" DECIMAL(12,3),
    "memory_bandwidth_gbs" DECIMAL(12,3),
    "component_id" TEXT,
    "component_count" INTEGER,
    "tpp" DECIMAL(24,3) NOT NULL,
    "performance_density" DECIMAL(12,4),
    "eccn" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "confidence" TEXT NOT NULL,
    "officer_modified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "key_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipments" (
    "id" UUID NOT NULL,
    "status" "ShipmentStatus" NOT NULL,
    "destination" CHAR(2) NOT NULL,
    "consignee" TEXT NOT NULL,
    "ship_date" DATE NOT NULL,
    "ruleset" TEXT NOT NULL,
    "total_tpp" DECIMAL(24,3) NOT NULL,
    "country_hold_tpp" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "lpp_hold_tpp" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "country_pool_id" UUID,
    "lpp_pool_id" UUID,
    "request" JSONB NOT NULL,
    "decision" JSONB NOT NULL,
    "api_key_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "hold_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "shipped_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "shipments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quota_pools" (
    "id" UUID NOT NULL,
    "kind" "QuotaPoolKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "year" INTEGER NOT NULL DEFAULT 0,
    "cap_tpp" DECIMAL(24,3) NOT NULL,
    "reserved_tpp" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "shipped_tpp" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "quota_pools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "pool_id" UUID NOT NULL,
    "shipment_id" UUID,
    "type" "LedgerEntryType" NOT NULL,
    "cap_delta" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "reserved_delta" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "shipped_delta" DECIMAL(24,3) NOT NULL DEFAULT 0,
    "actor_key_id" UUID,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_key_id" TEXT,
    "actor_role" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "request_id" TEXT,
    "payload" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "countries_tier_idx" ON "countries"("tier");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "shipments_status_hold_expires_at_idx" ON "shipments"("status", "hold_expires_at");

-- CreateIndex
CREATE INDEX "shipments_destination_idx" ON "shipments"("destination");

-- CreateIndex
CREATE UNIQUE INDEX "shipments_api_key_id_idempotency_key_key" ON "shipments"("api_key_id", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "quota_pools_kind_subject_year_key" ON "quota_pools"("kind", "subject", "year");

-- CreateIndex
CREATE INDEX "ledger_entries_pool_id_idx" ON "ledger_entries"("pool_id");

-- CreateIndex
CREATE INDEX "ledger_entries_shipment_id_idx" ON "ledger_entries"("shipment_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_id_key" ON "audit_events"("id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_action_seq_idx" ON "audit_events"("action", "seq");

-- CreateIndex
CREATE INDEX "audit_events_target_type_target_id_idx" ON "audit_events"("target_type", "target_id");

-- CreateIndex
CREATE INDEX "audit_events_occurred_at_idx" ON "audit_events"("occurred_at");

-- AddForeignKey
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_pool_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "quota_pools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipments"("id") ON DELETE SET NULL ON UPDATE CASCADE;
