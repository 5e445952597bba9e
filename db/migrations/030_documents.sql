-- Up Migration

-- A document is one kind of paper on one subject (a process or a client); each upload of it is a new version.
CREATE TABLE documents (
  id text PRIMARY KEY,
  subject_type text NOT NULL CHECK (subject_type IN ('process', 'client')),
  subject_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('mandate', 'source_of_funds_evidence', 'identity_document', 'proof_of_address', 'formation_documents', 'other')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subject_type, subject_id, kind)
);

-- The bytes live in object storage under storage_key; the row says what they are and who may see them.
CREATE TABLE document_versions (
  document_id text NOT NULL REFERENCES documents (id),
  version integer NOT NULL CHECK (version > 0),
  title text NOT NULL,
  file_name text NOT NULL,
  media_type text NOT NULL,
  extension text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_backend text NOT NULL,
  storage_key text NOT NULL,
  client_visible boolean NOT NULL,
  uploaded_by text NOT NULL REFERENCES users (id),
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  retain_until timestamptz NOT NULL,
  review_status text NOT NULL DEFAULT 'pending' CHECK (review_status IN ('pending', 'accepted', 'rejected')),
  reviewed_by text REFERENCES users (id),
  reviewed_at timestamptz,
  review_reason text,
  deleted_at timestamptz,
  deleted_by text REFERENCES users (id),
  PRIMARY KEY (document_id, version),
  CHECK (review_status <> 'rejected' OR review_reason IS NOT NULL)
);

-- Versions are immutable: only the review and, after the retention period, the deletion mark may change,
-- and rows are never removed. Enforced here so no code path can get it wrong.
CREATE FUNCTION document_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'document versions are kept: mark them deleted instead' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (NEW.document_id, NEW.version, NEW.title, NEW.file_name, NEW.media_type, NEW.extension, NEW.size_bytes, NEW.sha256,
      NEW.storage_backend, NEW.storage_key, NEW.client_visible, NEW.uploaded_by, NEW.uploaded_at, NEW.retain_until)
     IS DISTINCT FROM
     (OLD.document_id, OLD.version, OLD.title, OLD.file_name, OLD.media_type, OLD.extension, OLD.size_bytes, OLD.sha256,
      OLD.storage_backend, OLD.storage_key, OLD.client_visible, OLD.uploaded_by, OLD.uploaded_at, OLD.retain_until) THEN
    RAISE EXCEPTION 'document versions are immutable' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN
    RAISE EXCEPTION 'a deleted document version stays deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL AND NEW.deleted_at < OLD.retain_until THEN
    RAISE EXCEPTION 'document version is within its retention period' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER document_versions_guard BEFORE UPDATE OR DELETE ON document_versions
  FOR EACH ROW EXECUTE FUNCTION document_versions_guard();

CREATE INDEX documents_subject_idx ON documents (subject_type, subject_id);

-- Administrators change these in the settings table; the defaults are the limits the hub ships with.
INSERT INTO settings (key, value) VALUES ('document_max_bytes', '26214400'), ('document_retention_years', '6')
ON CONFLICT (key) DO NOTHING;
