-- Where each deployment stands: what was built, the version it replaces,
-- the canary's step and weight, why it is in its state, and a transition
-- counter that makes step jobs run once.
ALTER TABLE deployments ADD COLUMN artifact TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN stable TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN weight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deployments_state ON deployments (state, id);
