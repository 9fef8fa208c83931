-- Least privilege. The service logs in as compliance_app: no superuser, owns nothing, created before the
-- migrations run (by the launcher for the embedded server, by docker/initdb for docker-compose, by whoever
-- provisions an external server). Migrations run as the owner role, which owns every table.
GRANT USAGE ON SCHEMA public TO compliance_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "api_keys", "countries", "products", "quota_pools", "shipments" TO compliance_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO compliance_app;

-- Tables and sequences that later migrations create (as the owner role) get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO compliance_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO compliance_app;

-- The audit trail and the quota ledger are append-only: the service may read and add, never change or remove.
REVOKE ALL ON TABLE "audit_events", "ledger_entries" FROM PUBLIC;
REVOKE ALL ON TABLE "audit_events", "ledger_entries" FROM compliance_app;
GRANT SELECT, INSERT ON TABLE "audit_events", "ledger_entries" TO compliance_app;
