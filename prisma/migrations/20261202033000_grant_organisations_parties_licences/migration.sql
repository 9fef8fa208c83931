-- The organisations, parties and licences tables were created by a migration that runs before the least-privilege
-- one, whose explicit grants name only the tables of the first migration (its default privileges cover tables
-- created after it). The service's role reads and writes them like the other working tables.
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "organisations", "parties", "licenses" TO compliance_app;
