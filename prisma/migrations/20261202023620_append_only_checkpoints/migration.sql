-- Signed audit checkpoints are append-only like the events they vouch for: the service's role may read and add
-- them, never change or remove one (a removed checkpoint would let a rewrite of the history it covered pass).
REVOKE ALL ON TABLE "audit_checkpoints" FROM PUBLIC;
REVOKE ALL ON TABLE "audit_checkpoints" FROM compliance_app;
GRANT SELECT, INSERT ON TABLE "audit_checkpoints" TO compliance_app;
