-- The SBOMs a candidate was submitted with (CycloneDX and SPDX JSON, as
-- the check wrote them), served back for audits and sign-off.
ALTER TABLE candidates ADD COLUMN sbom_cyclonedx TEXT NOT NULL DEFAULT '';
ALTER TABLE candidates ADD COLUMN sbom_spdx TEXT NOT NULL DEFAULT '';
