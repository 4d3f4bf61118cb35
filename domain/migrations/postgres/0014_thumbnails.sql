-- Thumbnails of images (JPEG, PNG, GIF, WebP), made on first view and stored on the cluster like
-- any block. `checksum` is the content it was made from: a replaced or restored file gets a new
-- one. `object_id` '' records that none can be made (not a readable image, or too large to
-- decode), so it is not tried again for that content.
CREATE TABLE thumbnails (
    file_id   TEXT PRIMARY KEY,
    checksum  TEXT NOT NULL,
    object_id TEXT NOT NULL,
    size      BIGINT NOT NULL
);
