//! Thumbnail making per image (decode with limits, shrink to 256 px, encode JPEG), against
//! decoding the same image alone in the same run: the ratio says what the thumbnail adds to
//! the decode every viewer of the image would pay anyway. A 12 MP JPEG (a phone photo) and a
//! 4 MP PNG (a screenshot).
//!
//! Run: `scripts/bench.sh` (or `cargo bench -p server --bench thumbnails`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::time::Instant;

use domain::drive::make_thumbnail;

/// A picture with detail everywhere (so neither codec has it easy).
fn picture(width: u32, height: u32) -> image::RgbImage {
    let mut seed = 0x2545_f491_u32;
    image::RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = u8::try_from(seed % 32).unwrap();
        image::Rgb([
            u8::try_from((x / 8) % 200).unwrap() + noise,
            u8::try_from((y / 8) % 200).unwrap() + noise,
            u8::try_from(((x + y) / 16) % 200).unwrap() + noise,
        ])
    })
}

fn encoded(image: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn main() {
    let rounds: u32 = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!("thumbnails: {rounds} rounds per image, one core");
    for (label, bytes) in [
        (
            "JPEG 4000x3000",
            encoded(&picture(4000, 3000), image::ImageFormat::Jpeg),
        ),
        (
            "PNG 2000x2000",
            encoded(&picture(2000, 2000), image::ImageFormat::Png),
        ),
    ] {
        let started = Instant::now();
        for _ in 0..rounds {
            image::load_from_memory(&bytes).unwrap();
        }
        let decode = started.elapsed().as_secs_f64() / f64::from(rounds);
        let started = Instant::now();
        let mut size = 0;
        for _ in 0..rounds {
            size = make_thumbnail(&bytes).unwrap().len();
        }
        let thumbnail = started.elapsed().as_secs_f64() / f64::from(rounds);
        println!(
            "{label} ({:.1} MB): decode alone (baseline) {:>6.0} ms, thumbnail {:>6.0} ms \
             ({size} bytes), {:.2}x the decode, {:.1} images/s per core",
            bytes.len() as f64 / 1e6,
            decode * 1000.0,
            thumbnail * 1000.0,
            thumbnail / decode,
            1.0 / thumbnail
        );
    }
}
