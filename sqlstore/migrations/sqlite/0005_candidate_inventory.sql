-- The dependency inventory a candidate was submitted with: the SBOM's
-- components with their licences, shown on the app's page.
ALTER TABLE candidates ADD COLUMN inventory TEXT NOT NULL DEFAULT 'null';
