//! Thumbnails of images (JPEG, PNG, GIF, WebP), made on the server the first time one is
//! asked for, stored on the cluster, and dropped with the file. Decoding runs with limits (a
//! small file can claim a huge canvas: a decompression bomb), one image per core at a time,
//! off the async runtime; an image that cannot be read gets no thumbnail, never a crash.

use std::io::Cursor;
use std::sync::Arc;

use futures::StreamExt;
use image::{ImageReader, Limits};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{has_thumbnail, Drive, DriveError};
use crate::ids::{EntryId, UserId};

/// The longest side of a thumbnail, in pixels (shown at up to 128 on screens of density 2).
pub const THUMBNAIL_SIDE: u32 = 256;
/// Larger files are not decoded at all.
const MAX_SOURCE_BYTES: i64 = 50_000_000;
/// The largest canvas decoded (a 12000 x 12000 RGBA image takes 576 MB): a bomb is refused
/// before anything is allocated for it.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 600 * 1024 * 1024;

/// A JPEG thumbnail of the image in `bytes` (transparent parts on white), or why not.
pub fn make_thumbnail(bytes: &[u8]) -> Result<Vec<u8>, image::ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let small = reader
        .decode()?
        .thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        .into_rgba8();
    let mut flat = image::RgbImage::new(small.width(), small.height());
    for (to, from) in flat.pixels_mut().zip(small.pixels()) {
        let [r, g, b, a] = from.0;
        let over_white = |c: u8| {
            let c = (u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255;
            u8::try_from(c).unwrap_or(u8::MAX)
        };
        *to = image::Rgb([over_white(r), over_white(g), over_white(b)]);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&flat)?;
    Ok(out)
}

/// One decode per core at a time, however many thumbnails are asked for at once.
pub(super) fn decode_slots() -> Arc<Semaphore> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Arc::new(Semaphore::new(cores))
}

impl Drive {
    /// The thumbnail (JPEG) of one of the user's image files, made on the first request.
    pub async fn thumbnail(&self, user_id: &UserId, id: &EntryId) -> Result<Vec<u8>, DriveError> {
        let none = || DriveError::NotFound("thumbnail");
        let entry = self.live_entry(user_id, id.as_str()).await?;
        if entry.is_folder() || !has_thumbnail(&entry.mime) {
            return Err(none());
        }
        let checksum: String = sqlx::query_scalar("SELECT checksum FROM entries WHERE id = $1")
            .bind(&entry.id)
            .fetch_one(&self.db)
            .await?;
        let made: Option<String> = sqlx::query_scalar(
            "SELECT object_id FROM thumbnails WHERE file_id = $1 AND checksum = $2",
        )
        .bind(&entry.id)
        .bind(&checksum)
        .fetch_optional(&self.db)
        .await?;
        match made.as_deref() {
            Some("") => return Err(none()),
            Some(object) => return self.read_small(object).await,
            None => {}
        }
        let made = if entry.size > MAX_SOURCE_BYTES {
            None
        } else {
            // The slot first: images wait their turn before they are read into memory.
            let _slot = self
                .decode_slots
                .acquire()
                .await
                .map_err(DriveError::internal)?;
            let source = self.read_file(user_id, id).await?;
            tokio::task::spawn_blocking(move || make_thumbnail(&source))
                .await
                .map_err(DriveError::internal)?
                .inspect_err(|e| tracing::info!(file = %entry.id, error = %e, "no thumbnail"))
                .ok()
        };
        let object = match &made {
            Some(jpeg) => {
                let object = Uuid::new_v4().simple().to_string();
                self.cluster
                    .write(&object, Cursor::new(jpeg.clone()))
                    .await?;
                object
            }
            None => String::new(),
        };
        self.record_thumbnail(
            &entry.id,
            &checksum,
            &object,
            made.as_ref().map_or(0, Vec::len),
        )
        .await?;
        made.ok_or_else(none)
    }

    /// Keeps the thumbnail made of `checksum`'s content; the one it replaces (of an earlier
    /// content) goes to the garbage.
    async fn record_thumbnail(
        &self,
        file_id: &str,
        checksum: &str,
        object: &str,
        size: usize,
    ) -> Result<(), DriveError> {
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO garbage (object_id)
             SELECT object_id FROM thumbnails WHERE file_id = $1 AND object_id <> ''
             ON CONFLICT DO NOTHING",
        )
        .bind(file_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO thumbnails (file_id, checksum, object_id, size) VALUES ($1, $2, $3, $4)
             ON CONFLICT (file_id) DO UPDATE
               SET checksum = excluded.checksum, object_id = excluded.object_id,
                   size = excluded.size",
        )
        .bind(file_id)
        .bind(checksum)
        .bind(object)
        .bind(crate::db::to_i64(size as u64))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A whole file in memory (only ever one below `MAX_SOURCE_BYTES`).
    async fn read_file(&self, user_id: &UserId, id: &EntryId) -> Result<Vec<u8>, DriveError> {
        let file = self.open(user_id, id).await?;
        let size = crate::db::to_u64(file.entry.size);
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut stream = file.read(0..size);
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(bytes)
    }

    /// A small object (a thumbnail) in memory.
    async fn read_small(&self, object: &str) -> Result<Vec<u8>, DriveError> {
        let mut read = self.cluster.read(object, None).await?;
        let mut bytes = Vec::new();
        while let Some(chunk) = read.stream.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 128]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_thumbnail_fits_the_box_and_is_a_jpeg() {
        let jpeg = make_thumbnail(&png(1000, 500)).unwrap();
        let thumb = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (256, 128));
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
        // Half-transparent red lies on white: pinkish, not dark.
        let p = thumb.to_rgb8().get_pixel(10, 10).0;
        assert!(p[0] > 200 && p[1] > 120, "{p:?}");
    }

    #[test]
    fn truncated_and_bomb_images_give_no_thumbnail_and_no_crash() {
        let whole = png(300, 300);
        assert!(make_thumbnail(&whole[..whole.len() / 2]).is_err());
        assert!(make_thumbnail(b"not an image at all").is_err());
        // A PNG claiming 100000 x 100000 pixels (40 GB decoded) in a few hundred bytes: its
        // header is refused before any pixel is allocated.
        let mut bomb = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut bomb, 100_000, 100_000);
            encoder.set_color(png::ColorType::Grayscale);
            let _ = encoder.write_header();
        }
        let started = std::time::Instant::now();
        let err = make_thumbnail(&bomb).unwrap_err();
        assert!(
            matches!(err, image::ImageError::Limits(_)),
            "refused by the limits: {err:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn only_browser_image_types_get_thumbnails() {
        assert!(has_thumbnail("image/jpeg") && has_thumbnail("image/webp"));
        assert!(!has_thumbnail("image/svg+xml") && !has_thumbnail("application/pdf"));
    }
}
