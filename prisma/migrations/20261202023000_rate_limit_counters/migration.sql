-- CreateTable
CREATE TABLE "rate_limit_counters" (
    "subject" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("subject","window_start")
);

-- CreateIndex
CREATE INDEX "rate_limit_counters_window_start_idx" ON "rate_limit_counters"("window_start");

-- Counters are worth nothing after a crash (a window lasts a minute): skip the write-ahead log.
ALTER TABLE "rate_limit_counters" SET UNLOGGED;
