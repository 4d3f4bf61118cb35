//! Several items chosen together, downloaded as one zip through a signed link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;

use serde_json::json;
use support::account::Account;

#[tokio::test]
async fn chosen_files_and_folders_download_as_one_zip() {
    let owner = Account::start("Zed Zipper", &[]).await;
    let folder = owner
        .call("/api/files/folder", json!({"name": "Photos"}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let big: Vec<u8> = (0..9_000_000u32)
        .map(|i| u8::try_from(i % 253).unwrap())
        .collect();
    owner.put_file("big.bin", Some(&folder), &big, None).await;
    let note = owner
        .put_file("note.txt", None, b"hi there", None)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    owner
        .put_file("left out.txt", None, b"not chosen", None)
        .await;

    let link = owner
        .call("/api/files/zip/link", json!({"ids": [folder, note]}))
        .await;
    assert_eq!(link.status, 200, "{link:?}");
    let url = format!(
        "{}{}",
        owner.server.base,
        link.json()["url"].as_str().unwrap()
    );
    let r = owner.server.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("Download.zip"));
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["Photos/", "Photos/big.bin", "note.txt"]);
    let mut read = Vec::new();
    zip.by_name("Photos/big.bin")
        .unwrap()
        .read_to_end(&mut read)
        .unwrap();
    assert_eq!(read, big);

    // The link is for those items only, this user, and a minute.
    let tampered = url.replace(&note, &folder);
    let r = owner.server.http.get(&tampered).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let stranger_email = owner.server.verified_user("Not Owner").await;
    let stranger = owner.server.login(&stranger_email).await;
    let a = owner
        .server
        .post(
            "/api/files/zip/link",
            json!({"ids": [note]}),
            Some(&stranger),
        )
        .await;
    assert_eq!(a.status, 404, "{a:?}");
    let a = owner.call("/api/files/zip/link", json!({"ids": []})).await;
    assert_eq!(a.status, 400, "{a:?}");
}
