-- Up Migration

-- A listed party's alternate names (the SDN list's ALT file: a.k.a., f.k.a., n.k.a.) are rows of their own, under the
-- party's entry id, so a client matching an alias matches the party. NULL marks the party's listed name.
ALTER TABLE screening_entries ADD COLUMN alias_type text;
