-- Up Migration

-- The audit trail as a hash chain: each row carries the hash of the row before it (in commit order, which
-- is id order: writers hold the commit-order lock) and its own SHA-256 over an RFC 8785 encoding of its
-- content and that link. Rows written before this migration are chained once by the migrate step.
ALTER TABLE audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text;
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);

-- Signed statements about the chain: a daily record of its head (so a rewrite of the whole chain shows),
-- and what retention removed (so the first remaining row's link is accounted for). The signature is an
-- HMAC the hub computes with a key the database never holds.
CREATE TABLE audit_checkpoints (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('daily', 'retention')),
  -- The day a daily checkpoint stands for: one per day, however often its job runs.
  period text,
  at timestamptz NOT NULL,
  head_id bigint NOT NULL,
  head_hash text NOT NULL,
  row_count bigint NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  signature text NOT NULL,
  UNIQUE (kind, period)
);

-- Nobody changes the trail: UPDATE, DELETE and TRUNCATE are refused, whoever asks. Two exceptions:
-- chaining a row written before the chain existed (only its link and hash change, once), and deleting
-- through remove_expired_audit(), which retention calls after recording its signed checkpoint.
CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.hash IS NULL OR NEW.prev_hash IS NULL THEN
      RAISE EXCEPTION 'audit rows carry their chain hash: write them through the hub' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL THEN
    IF (to_jsonb(NEW) - 'hash' - 'prev_hash') = (to_jsonb(OLD) - 'hash' - 'prev_hash') THEN
      RETURN NEW;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' AND current_setting('ops_hub.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% on audit_log is refused: the audit trail is append-only', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION refuse_checkpoint_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on audit_checkpoints is refused: checkpoints are append-only', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION refuse_checkpoint_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints EXECUTE FUNCTION refuse_checkpoint_change();

-- The one way rows leave the trail: a prefix of the chain, only in a transaction that has recorded the
-- retention checkpoint naming its last row (now() is the transaction's start, so `at = now()` means this
-- transaction). SECURITY DEFINER, so a hub role without DELETE on the table (README, "Audit trail") can
-- apply retention and nothing else. The checkpoint's signature, not this guard, is what verification trusts.
CREATE FUNCTION remove_expired_audit(through_id bigint) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path FROM CURRENT AS $$
DECLARE
  removed bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_checkpoints WHERE kind = 'retention' AND head_id = through_id AND at = now()) THEN
    RAISE EXCEPTION 'retention removes audit rows only after recording its checkpoint in the same transaction'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM set_config('ops_hub.audit_retention', 'on', true);
  DELETE FROM audit_log WHERE id <= through_id;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('ops_hub.audit_retention', 'off', true);
  RETURN removed;
END $$;

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_checkpoints FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION remove_expired_audit(bigint) FROM PUBLIC;

-- Down Migration
DROP FUNCTION remove_expired_audit(bigint);
DROP TRIGGER audit_checkpoints_no_truncate ON audit_checkpoints;
DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints;
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_chained ON audit_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION refuse_checkpoint_change();
DROP FUNCTION refuse_audit_change();
DROP TABLE audit_checkpoints;
DROP INDEX audit_log_actor_idx;
DROP INDEX audit_log_at_idx;
ALTER TABLE audit_log DROP COLUMN hash, DROP COLUMN prev_hash;
