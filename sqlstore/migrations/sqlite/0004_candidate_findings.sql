-- What each candidate found, counted, so that listing candidates gives an
-- app's findings history without reading every report.
ALTER TABLE candidates ADD COLUMN findings TEXT NOT NULL DEFAULT '{}';
