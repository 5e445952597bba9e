-- Up Migration

-- The sanctions and politically-exposed-person lists the firm imports (npm run screening:import). An import
-- replaces one list's entries as a whole, in one transaction.
CREATE TABLE screening_entries (
  list text NOT NULL CHECK (list IN ('sanctions', 'pep')),
  entry_id text NOT NULL,
  name text NOT NULL,
  entry_type text,
  program text,
  source_file text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (list, entry_id, name)
);

-- KYC as the last approved onboarding left it: complete until its periodic review falls due.
ALTER TABLE clients
  ADD COLUMN kyc_expires_at timestamptz,
  ADD COLUMN kyc_risk_rating text CHECK (kyc_risk_rating IN ('low', 'medium', 'high')),
  ADD COLUMN kyc_onboarding_id text;
