//! Thumbnails over HTTP: made on first view from the stored image, kept, shown through signed
//! URLs in listings and through share links, never made of a broken or hostile image, and
//! dropped with the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Cursor;

use serde_json::json;
use support::account::Account;

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            u8::try_from(x % 256).unwrap(),
            u8::try_from(y % 256).unwrap(),
            90,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A PNG whose header claims 100000 x 100000 pixels: 10 GB once decoded.
fn bomb() -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 100_000, 100_000);
    encoder.set_color(png::ColorType::Grayscale);
    let mut writer = encoder.write_header().unwrap();
    // A few rows of zeros; the rest is missing, as in a bomb that never needed to send them.
    let _ = writer.write_image_data(&[0u8; 0]);
    drop(writer);
    out
}

async fn thumbnail_url(owner: &Account, name: &str) -> Option<String> {
    let listing = owner.call("/api/files/list", json!({})).await.json();
    listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap()["thumbnail_url"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test]
async fn an_image_gets_a_thumbnail_once_and_broken_ones_get_none() {
    let owner = Account::start("Pia Picture", &[]).await;
    let photo = png(1200, 800);
    let id = owner.put_file("photo.png", None, &photo, None).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    owner.put_file("notes.txt", None, b"text", None).await;
    let whole = png(300, 300);
    owner
        .put_file("broken.png", None, &whole[..whole.len() / 2], None)
        .await;
    owner.put_file("bomb.png", None, &bomb(), None).await;
    assert!(thumbnail_url(&owner, "notes.txt").await.is_none());

    let url = thumbnail_url(&owner, "photo.png").await.unwrap();
    // The same URL all hour: the browser caches it.
    assert_eq!(thumbnail_url(&owner, "photo.png").await.unwrap(), url);
    let r = owner
        .server
        .http
        .get(format!("{}{url}", owner.server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let jpeg = r.bytes().await.unwrap();
    let thumb = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (256, 171));
    let objects = owner
        .server
        .sql_number("SELECT COUNT(*) FROM objects")
        .await;
    let again = owner
        .server
        .http
        .get(format!("{}{url}", owner.server.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(again, jpeg, "made once, then served as stored");
    assert_eq!(
        owner
            .server
            .sql_number("SELECT COUNT(*) FROM objects")
            .await,
        objects
    );

    // A forged or altered signature shows nothing.
    let forged = url.replace("sig=", "sig=00");
    let r = owner
        .server
        .http
        .get(format!("{}{forged}", owner.server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A truncated image and a decompression bomb: no thumbnail, no crash, not tried again.
    for name in ["broken.png", "bomb.png"] {
        let url = thumbnail_url(&owner, name).await.unwrap();
        for _ in 0..2 {
            let r = owner
                .server
                .http
                .get(format!("{}{url}", owner.server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{name}");
        }
    }
    assert_eq!(
        owner
            .server
            .sql_number("SELECT COUNT(*) FROM thumbnails WHERE object_id = ''")
            .await,
        2
    );
    assert_eq!(owner.server.get("/healthz", None).await.status, 200);

    // Deleted for good, the file takes its thumbnail with it.
    owner.call("/api/files/delete", json!({"id": id})).await;
    owner.call("/api/files/trash/empty", json!({})).await;
    assert_eq!(
        owner
            .server
            .sql_number(&format!(
                "SELECT COUNT(*) FROM thumbnails WHERE file_id = '{id}'"
            ))
            .await,
        0
    );
    let mut left = i64::MAX;
    for _ in 0..100 {
        left = owner
            .server
            .sql_number("SELECT COUNT(*) FROM garbage")
            .await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_link_page_shows_an_images_thumbnail_and_a_drop_shows_none() {
    let owner = Account::start("Pia Link", &[]).await;
    let id = owner
        .put_file("view.png", None, &png(400, 400), None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let share = owner
        .call("/api/shares/create", json!({"item_id": id, "kind": "view"}))
        .await
        .json();
    let link = share["url"].as_str().unwrap().to_owned();
    let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("/thumbnail\""), "{page}");
    let r = reqwest::get(format!("{link}/thumbnail")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");

    let folder = owner
        .call("/api/files/folder", json!({"name": "In"}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let drop = owner
        .call(
            "/api/shares/create",
            json!({"item_id": folder, "kind": "drop"}),
        )
        .await
        .json();
    let r = reqwest::get(format!(
        "{}/thumbnail?file={id}",
        drop["url"].as_str().unwrap()
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
}
