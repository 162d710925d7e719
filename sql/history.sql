-- Every state an entity has had across publications, with when it was first and last seen.
CREATE TABLE IF NOT EXISTS history (
    entity_kind VARCHAR NOT NULL,
    entity_key  VARCHAR NOT NULL,
    state       VARCHAR NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    present     BOOLEAN NOT NULL
);
