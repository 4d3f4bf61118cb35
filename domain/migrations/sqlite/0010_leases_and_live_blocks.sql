-- Which app server leads (runs the jobs that must run once: scrub, repairs, sweepers). The
-- holder (a random id per process) renews its lease every few seconds; once `until` has
-- passed, any server may take it.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    until       INTEGER NOT NULL
);

-- The garbage collector skips an object a block still refers to (a chunk whose commit was
-- reported failed but happened): it looks blocks up by object.
CREATE INDEX blocks_by_object ON blocks(object_id);
