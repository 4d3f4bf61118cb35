-- The BLAKE3 of each 1 MiB segment of an object larger than one segment, concatenated (32
-- bytes each): a read checks every segment before any of its bytes leave the server, so a
-- large object never streams a wrong byte either. NULL for objects of one segment (their
-- checksum is the segment's) and for objects written before this column.
ALTER TABLE objects ADD COLUMN segment_hashes BLOB;
