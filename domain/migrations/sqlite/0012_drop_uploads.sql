-- File drops: uploads into a folder through a drop link, by people without an account. The
-- upload and the file it becomes remember the link ('' for the owner's own), so a stranger
-- can touch only the uploads started through that link, and a file's versions say who
-- uploaded each.
ALTER TABLE uploads ADD COLUMN share_id TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN share_id TEXT NOT NULL DEFAULT '';
