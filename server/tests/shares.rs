//! Share links over HTTP, as a stranger holding the link uses them: pages, downloads, zips,
//! passwords, limits, and every way a link stops working.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;

use futures::StreamExt;
use serde_json::{json, Value};
use support::account::Account;
use support::Answer;

struct Owner(Account);

impl std::ops::Deref for Owner {
    type Target = Account;
    fn deref(&self) -> &Account {
        &self.0
    }
}

/// Someone opening links from `ip` (the server believes the loopback proxy's
/// `X-Forwarded-For`), without an account; follows no redirects and keeps cookies by hand.
struct Visitor {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Owner {
    async fn start() -> Owner {
        // Ten requests at once in some tests: no slot limit in their way.
        let env = [
            ("TRUSTED_PROXIES", "127.0.0.1/32"),
            ("DEBUG_CLOCK", "1"),
            ("MAX_LINK_DOWNLOADS", "50"),
        ];
        Owner(Account::start("Sam Share", &env).await)
    }

    async fn folder(&self, name: &str, parent: Option<&str>) -> String {
        let a = self
            .call(
                "/api/files/folder",
                json!({"name": name, "parent_id": parent}),
            )
            .await;
        assert_eq!(a.status, 200, "{a:?}");
        a.json()["id"].as_str().unwrap().to_owned()
    }

    async fn upload(&self, name: &str, folder: Option<&str>, bytes: &[u8]) -> String {
        let a = self.put_file(name, folder, bytes, None).await;
        assert_eq!(a.status, 200, "upload {name}: {a:?}");
        a.json()["id"].as_str().unwrap().to_owned()
    }

    /// A link to `item`; its id and the path of its URL (`/s/<token>`).
    async fn share(&self, item: &str, options: Value) -> (String, String) {
        let mut body = json!({"item_id": item, "kind": "download"});
        body.as_object_mut()
            .unwrap()
            .extend(options.as_object().unwrap().clone());
        let a = self.call("/api/shares/create", body).await;
        assert_eq!(a.status, 200, "share: {a:?}");
        let url = a.json()["url"].as_str().unwrap().to_owned();
        assert!(
            url.starts_with(&format!("{}/s/", self.server.base)),
            "{url}"
        );
        let path = url.trim_start_matches(&self.server.base).to_owned();
        (a.json()["id"].as_str().unwrap().to_owned(), path)
    }

    async fn shares(&self) -> Vec<Value> {
        let a = self.call("/api/shares/list", json!({})).await;
        assert_eq!(a.status, 200, "{a:?}");
        a.json().as_array().unwrap().clone()
    }

    fn visitor(&self, ip: &str) -> Visitor {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", ip.parse().unwrap());
        Visitor {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .unwrap(),
            base: self.server.base.clone(),
            cookie: None,
        }
    }
}

impl Visitor {
    async fn get(&self, path: &str, range: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(range) = range {
            request = request.header("range", range);
        }
        request.send().await.unwrap()
    }

    async fn page(&self, path: &str) -> (u16, String) {
        let r = self.get(path, None).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let r = self.get(path, None).await;
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }

    async fn post_json(&self, path: &str, body: Value) -> Answer {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        Answer::of(request.send().await.unwrap()).await
    }

    async fn put(&self, path: &str, bytes: Vec<u8>) -> Answer {
        let mut request = self.http.put(format!("{}{path}", self.base)).body(bytes);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        Answer::of(request.send().await.unwrap()).await
    }

    /// Sends a file through a drop link with the chunked protocol; the finish's answer.
    async fn drop_file(&self, link: &str, name: &str, bytes: &[u8]) -> Answer {
        let start = self
            .post_json(
                &format!("{link}/upload/start"),
                json!({"name": name, "size": bytes.len()}),
            )
            .await;
        if start.status != 200 {
            return start;
        }
        let id = start.json()["upload_id"].as_str().unwrap().to_owned();
        for (index, chunk) in bytes.chunks(8 * 1024 * 1024).enumerate() {
            let a = self
                .put(&format!("{link}/upload/{id}/{index}"), chunk.to_vec())
                .await;
            assert_eq!(a.status, 200, "chunk {index}: {a:?}");
        }
        self.post_json(&format!("{link}/upload/finish"), json!({"upload_id": id}))
            .await
    }

    /// Sends the link's password form; keeps the cookie a right password earns.
    async fn unlock(&mut self, path: &str, password: &str) -> reqwest::Response {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&[("password", password)])
            .send()
            .await
            .unwrap();
        if let Some(cookie) = r.headers().get("set-cookie") {
            let pair = cookie.to_str().unwrap().split(';').next().unwrap();
            self.cookie = Some(pair.to_owned());
        }
        r
    }
}

fn bytes_of(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| u8::try_from(i % 251).unwrap() ^ seed)
        .collect()
}

#[tokio::test]
async fn a_shared_file_has_a_page_without_script_and_downloads_with_curl() {
    let owner = Owner::start().await;
    let content = bytes_of(3 * 1024 * 1024 + 17, 1);
    let file = owner.upload("Résumé 2027.pdf", None, &content).await;
    let (_, link) = owner.share(&file, json!({})).await;
    let stranger = owner.visitor("203.0.113.7");

    let r = stranger.get(&link, None).await;
    assert_eq!(r.status(), 200);
    let robots = r.headers().get("x-robots-tag").unwrap().to_str().unwrap();
    assert!(robots.contains("noindex"), "{robots}");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Résumé 2027.pdf") && html.contains("3.1 MB"),
        "{html}"
    );
    assert!(
        html.contains(r#"<meta name="robots" content="noindex, nofollow">"#)
            || html.contains("noindex")
    );
    assert!(!html.contains("<script"), "the link's page runs no script");
    assert!(html.contains(&format!("{link}/download")));

    // What `curl -O -J` does: the bytes, named.
    let r = stranger.get(&format!("{link}/download"), None).await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains("R%C3%A9sum%C3%A9"));
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    assert_eq!(r.bytes().await.unwrap().as_ref(), content.as_slice());
    let r = stranger
        .get(&format!("{link}/download"), Some("bytes=1000-1999"))
        .await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &content[1000..2000]);

    // "View" links show the page and nothing downloads.
    let (_, view) = owner.share(&file, json!({"kind": "view"})).await;
    assert_eq!(stranger.page(&view).await.0, 200);
    let (status, _) = stranger.bytes(&format!("{view}/download")).await;
    assert_eq!(status, 404);
    let listed = owner.shares().await;
    assert_eq!(listed.len(), 2);
    let first = listed.iter().find(|s| s["kind"] == "download").unwrap();
    assert_eq!(
        first["downloads"], 1,
        "one full download; the range reused it"
    );
    assert!(first["last_used_at"].is_i64());
}

#[tokio::test]
async fn dead_links_all_read_alike() {
    let owner = Owner::start().await;
    let folder = owner.folder("Gone soon", None).await;
    let inside = owner.upload("a.txt", Some(&folder), b"hello").await;
    let file = owner.upload("b.txt", None, b"world").await;
    let stranger = owner.visitor("203.0.113.8");
    let (revoked_id, revoked) = owner.share(&file, json!({})).await;
    let (_, trashed) = owner.share(&folder, json!({})).await;
    let (_, inside_trashed) = owner.share(&inside, json!({})).await;
    let in_an_hour = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() + 3600, 0)
        .unwrap()
        .to_rfc3339();
    let (_, expiring) = owner.share(&file, json!({"expires_at": in_an_hour})).await;
    let (_, used_up) = owner.share(&file, json!({"max_downloads": 1})).await;
    for live in [&revoked, &trashed, &inside_trashed, &expiring, &used_up] {
        let (status, body) = stranger.page(live).await;
        assert_eq!(status, 200, "{live}");
        assert!(!body.contains("This link does not work"));
    }

    let a = owner
        .call("/api/shares/revoke", json!({"id": revoked_id}))
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let a = owner.call("/api/files/delete", json!({"id": folder})).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(stranger.bytes(&format!("{used_up}/download")).await.0, 200);
    // The next visitor finds it used up (the first one's minute of ranges aside).
    let other = owner.visitor("198.51.100.1");
    owner.server.advance_clock(3601).await;

    let mut pages = Vec::new();
    for dead in [
        revoked.clone(),
        trashed.clone(),
        inside_trashed.clone(),
        expiring.clone(),
        used_up.clone(),
        "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        "/s/short".to_owned(),
    ] {
        let (status, body) = other.page(&dead).await;
        assert_eq!(status, 404, "{dead}");
        assert_eq!(other.bytes(&format!("{dead}/download")).await.0, 404);
        assert_eq!(other.bytes(&format!("{dead}/zip")).await.0, 404);
        pages.push(body);
    }
    assert!(
        pages.windows(2).all(|w| w[0] == w[1]),
        "every dead link answers the same page"
    );
    assert!(pages[0].contains("This link does not work"));
}

#[tokio::test]
async fn a_password_link_throttles_the_guesser_and_opens_for_the_recipient() {
    let owner = Owner::start().await;
    let content = bytes_of(70_000, 2);
    let file = owner.upload("tax.pdf", None, &content).await;
    let (_, link) = owner
        .share(&file, json!({"password": "plum blossom 7"}))
        .await;
    let mut guesser = owner.visitor("2001:db8:1:2::99");
    let mut recipient = owner.visitor("192.0.2.10");

    let (status, form) = guesser.page(&link).await;
    assert_eq!(status, 200);
    assert!(
        form.contains(r#"type="password""#) && !form.contains("tax.pdf"),
        "{form}"
    );
    assert_eq!(guesser.bytes(&format!("{link}/download")).await.0, 403);
    for _ in 0..5 {
        let r = guesser.unlock(&link, "wrong guess").await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("not right"));
    }
    // Locked, for the guesser's whole /64, even with the right password...
    let r = guesser.unlock(&link, "plum blossom 7").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let mut neighbour = owner.visitor("2001:db8:1:2::1234");
    assert_eq!(
        neighbour.unlock(&link, "plum blossom 7").await.status(),
        429
    );
    assert!(guesser.cookie.is_none() && neighbour.cookie.is_none());

    // ...not for the person it was sent to.
    let r = recipient.unlock(&link, "plum blossom 7").await;
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains(&format!("Path={link}")),
        "{cookie}"
    );
    let (status, page) = recipient.page(&link).await;
    assert_eq!(status, 200);
    assert!(page.contains("tax.pdf"));
    let (status, bytes) = recipient.bytes(&format!("{link}/download")).await;
    assert_eq!((status, bytes.len()), (200, content.len()));
    assert_eq!(bytes, content);
    // A view link with a password has nothing to download, password or not.
    let (_, view) = owner
        .share(&file, json!({"kind": "view", "password": "plum blossom 7"}))
        .await;
    assert_eq!(guesser.bytes(&format!("{view}/download")).await.0, 404);
    // A forged cookie opens nothing.
    guesser.cookie = Some(recipient.cookie.clone().unwrap().replace('a', "b"));
    assert_eq!(guesser.bytes(&format!("{link}/download")).await.0, 403);
}

#[tokio::test]
async fn a_download_limit_of_one_gives_one_copy_to_ten_requests_at_once() {
    let owner = Owner::start().await;
    let content = bytes_of(9 * 1024 * 1024, 3);
    let file = owner.upload("film.mkv", None, &content).await;
    let (_, link) = owner.share(&file, json!({"max_downloads": 1})).await;
    let crowd = owner.visitor("203.0.113.50");
    let url = format!("{link}/download");

    let answers = futures::future::join_all((0..10).map(|_| crowd.bytes(&url))).await;
    let full: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(
        full.len(),
        1,
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(full[0].1, content);
    assert!(answers.iter().all(|(s, _)| *s == 200 || *s == 404));
    // Within the minute, the same client's ranges reuse that download; a range from byte 0
    // would be a second copy.
    let r = crowd.get(&url, Some("bytes=5000000-")).await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &content[5_000_000..]);
    assert_eq!(crowd.get(&url, Some("bytes=0-99")).await.status(), 404);
    assert_eq!(owner.visitor("198.51.100.9").page(&link).await.0, 404);
    assert_eq!(owner.shares().await[0]["downloads"], 1);

    // A download that breaks off gives its count back.
    let (_, again) = owner.share(&file, json!({"max_downloads": 1})).await;
    let quitter = owner.visitor("203.0.113.51");
    let r = quitter.get(&format!("{again}/download"), None).await;
    assert_eq!(r.status(), 200);
    let mut body = r.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(!first.is_empty());
    drop(body);
    let finisher = owner.visitor("203.0.113.52");
    let mut status = 0;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let (s, bytes) = finisher.bytes(&format!("{again}/download")).await;
        status = s;
        if s == 200 {
            assert_eq!(bytes, content);
            break;
        }
    }
    assert_eq!(status, 200, "the broken-off download was given back");
    let listed = owner.shares().await;
    assert!(listed.iter().all(|s| s["downloads"] == 1), "{listed:?}");

    // The trick of fetching the rest by range and then breaking the first request off keeps
    // the count: no second copy for anyone.
    let (_, third) = owner.share(&file, json!({"max_downloads": 1})).await;
    let trickster = owner.visitor("203.0.113.53");
    let url = format!("{third}/download");
    let r = trickster.get(&url, None).await;
    assert_eq!(r.status(), 200);
    let mut first = r.bytes_stream();
    let head = first.next().await.unwrap().unwrap();
    let r = trickster
        .get(&url, Some(&format!("bytes={}-", head.len())))
        .await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &content[head.len()..]);
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(owner.visitor("203.0.113.54").page(&third).await.0, 404);
    assert_eq!(trickster.get(&url, None).await.status(), 404);
}

#[tokio::test]
async fn a_folder_link_browses_and_zips_inside_it_and_reaches_nothing_else() {
    let owner = Owner::start().await;
    let shared = owner.folder("Holiday 2027", None).await;
    let sub = owner.folder("Día 1", Some(&shared)).await;
    let _empty = owner.folder("Empty", Some(&shared)).await;
    let beach = bytes_of(9 * 1024 * 1024 + 5, 4);
    let notes = b"sand, sun\n".to_vec();
    let beach_id = owner.upload("beach.jpg", Some(&sub), &beach).await;
    owner.upload("notes.txt", Some(&shared), &notes).await;
    let private_folder = owner.folder("Private", None).await;
    let private = owner
        .upload("diary.txt", Some(&private_folder), b"secret")
        .await;
    let (_, link) = owner.share(&shared, json!({})).await;
    let visitor = owner.visitor("203.0.113.60");

    let (status, top) = visitor.page(&link).await;
    assert_eq!(status, 200);
    for name in ["Día 1", "Empty", "notes.txt", "Download all as zip"] {
        assert!(top.contains(name), "{name} in {top}");
    }
    assert!(!top.contains("diary.txt") && !top.contains("Private"));
    let (status, inner) = visitor.page(&format!("{link}?folder={sub}")).await;
    assert_eq!(status, 200);
    assert!(inner.contains("beach.jpg") && inner.contains("Holiday 2027"));
    let (status, bytes) = visitor
        .bytes(&format!("{link}/download?file={beach_id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes, beach);

    // The owner's other ids, asked for through the link, are not there.
    for outside in [
        format!("{link}/download?file={private}"),
        format!("{link}?folder={private_folder}"),
        format!("{link}/zip?folder={private_folder}"),
    ] {
        assert_eq!(visitor.bytes(&outside).await.0, 404, "{outside}");
    }

    let r = visitor.get(&format!("{link}/zip"), None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("Holiday%202027.zip"));
    let archive = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Holiday 2027/Día 1/",
            "Holiday 2027/Día 1/beach.jpg",
            "Holiday 2027/Empty/",
            "Holiday 2027/notes.txt"
        ]
    );
    for (name, expected) in [
        ("Holiday 2027/Día 1/beach.jpg", &beach),
        ("Holiday 2027/notes.txt", &notes),
    ] {
        let mut entry = zip.by_name(name).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
        let mut read = Vec::new();
        entry.read_to_end(&mut read).unwrap();
        assert_eq!(&read, expected, "{name}");
    }
    let (status, sub_zip) = visitor.bytes(&format!("{link}/zip?folder={sub}")).await;
    assert_eq!(status, 200);
    let sub_zip = zip::ZipArchive::new(std::io::Cursor::new(sub_zip)).unwrap();
    let sub_names: Vec<String> = sub_zip
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert_eq!(sub_names, ["Día 1/beach.jpg"]);

    // A view link to the folder browses but neither downloads nor zips.
    let (_, view) = owner.share(&shared, json!({"kind": "view"})).await;
    assert_eq!(visitor.page(&view).await.0, 200);
    assert_eq!(visitor.bytes(&format!("{view}/zip")).await.0, 404);
    assert_eq!(
        visitor
            .bytes(&format!("{view}/download?file={beach_id}"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_drop_link_takes_files_and_shows_nothing_of_the_folder() {
    let owner = Owner::start().await;
    let inbox = owner.folder("Inbox", None).await;
    let secret = b"the owner's own report".to_vec();
    owner.upload("report.pdf", Some(&inbox), &secret).await;
    let (_, link) = owner.share(&inbox, json!({"kind": "drop"})).await;
    let stranger = owner.visitor("203.0.113.70");

    // The link opens the upload page; nothing of the folder can be read through it.
    let r = stranger.get(&link, None).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/drop{}", &link[2..]));
    for path in [format!("{link}/download"), format!("{link}/zip")] {
        let (status, body) = stranger.bytes(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("report"));
    }

    // A file whose name is taken is kept under a numbered name, and the answer names neither.
    let sent = bytes_of(9 * 1024 * 1024 + 3, 9);
    let a = stranger.drop_file(&link, "report.pdf", &sent).await;
    assert_eq!(a.status, 200, "{a:?}");
    let told = String::from_utf8_lossy(&a.bytes).to_string();
    assert!(!told.contains("report"), "{told}");
    // `curl -T` works too.
    let a = stranger
        .put(&format!("{link}/upload?name=notes.txt"), b"hello".to_vec())
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(!String::from_utf8_lossy(&a.bytes).contains("notes"));

    let listing = owner
        .call("/api/files/list", json!({"folder_id": inbox}))
        .await
        .json();
    let names: Vec<&str> = listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["notes.txt", "report (1).pdf", "report.pdf"]);
    let dropped = listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "report (1).pdf")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let got = owner
        .server
        .http
        .get(format!(
            "{}/api/files/download/{dropped}",
            owner.server.base
        ))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), sent.as_slice());
    assert_eq!(owner.shares().await[0]["kind"], "drop");

    // Bad input changes nothing: hostile names, a file larger than the owner's room (the
    // refusal tells nothing of the quota), another uploader's upload id.
    let before = owner
        .call("/api/files/list", json!({"folder_id": inbox}))
        .await
        .json();
    for name in ["../escape.txt", "a/b.txt", ""] {
        let a = stranger
            .post_json(
                &format!("{link}/upload/start"),
                json!({"name": name, "size": 10}),
            )
            .await;
        assert_eq!(a.status, 400, "{name}: {a:?}");
    }
    let a = stranger
        .post_json(
            &format!("{link}/upload/start"),
            json!({"name": "huge.iso", "size": 30_000_000_000u64}),
        )
        .await;
    assert_eq!(a.status, 507, "{a:?}");
    assert_eq!(
        a.message(),
        "This file drop is full: it cannot take this file."
    );
    let mine = owner
        .server
        .start_upload(&owner.token, "mine.bin", 100)
        .await;
    let a = stranger
        .put(&format!("{link}/upload/{mine}/0"), vec![0; 100])
        .await;
    assert_eq!(a.status, 404, "{a:?}");
    let a = stranger
        .post_json(&format!("{link}/upload/cancel"), json!({"upload_id": mine}))
        .await;
    assert_eq!(a.status, 404, "{a:?}");
    let after = owner
        .call("/api/files/list", json!({"folder_id": inbox}))
        .await
        .json();
    assert_eq!(before["entries"], after["entries"]);

    // A stranger's unfinished uploads are not the owner's to resume, and a link holds at
    // most ten of them.
    let mut started = 0;
    let mut refusal = None;
    for n in 0..11 {
        let a = stranger
            .post_json(
                &format!("{link}/upload/start"),
                json!({"name": format!("part {n}.bin"), "size": 10}),
            )
            .await;
        if a.status == 200 {
            started += 1;
        } else {
            refusal = Some(a);
            break;
        }
    }
    assert_eq!(started, 10);
    let refusal = refusal.unwrap();
    assert_eq!(refusal.status, 409, "{refusal:?}");
    let pending = owner.call("/api/files/uploads", json!({})).await.json();
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");

    // Other kinds of link take no files; a drop whose folder went to the trash is gone.
    let (_, download) = owner.share(&inbox, json!({})).await;
    let a = stranger
        .post_json(
            &format!("{download}/upload/start"),
            json!({"name": "x.txt", "size": 1}),
        )
        .await;
    assert_eq!(a.status, 404);
    owner.call("/api/files/delete", json!({"id": inbox})).await;
    let a = stranger.drop_file(&link, "late.txt", b"late").await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn a_drop_with_a_password_takes_files_only_after_it() {
    let owner = Owner::start().await;
    let inbox = owner.folder("Homework", None).await;
    let (_, link) = owner
        .share(&inbox, json!({"kind": "drop", "password": "class of 2027"}))
        .await;
    let mut pupil = owner.visitor("203.0.113.80");
    let a = pupil.drop_file(&link, "essay.txt", b"my essay").await;
    assert_eq!(a.status, 403, "{a:?}");
    assert_eq!(pupil.unlock(&link, "class of 2027").await.status(), 303);
    let a = pupil.drop_file(&link, "essay.txt", b"my essay").await;
    assert_eq!(a.status, 200, "{a:?}");
    let listing = owner
        .call("/api/files/list", json!({"folder_id": inbox}))
        .await
        .json();
    assert_eq!(listing["entries"][0]["name"], "essay.txt");
}

#[tokio::test]
async fn a_link_serves_so_many_downloads_at_once_and_then_asks_to_wait() {
    let env = [
        ("TRUSTED_PROXIES", "127.0.0.1/32"),
        ("MAX_LINK_DOWNLOADS", "2"),
    ];
    let owner = Owner(Account::start("Busy Link", &env).await);
    // Large enough that a download not read stays under way.
    let content = bytes_of(24 * 1024 * 1024, 5);
    let file = owner.upload("big.iso", None, &content).await;
    let (_, link) = owner.share(&file, json!({})).await;
    let url = format!("{link}/download");
    let first = owner.visitor("203.0.113.90").get(&url, None).await;
    let second = owner.visitor("203.0.113.91").get(&url, None).await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = owner.visitor("203.0.113.92").get(&url, None).await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().get("retry-after").is_some());
    // Another link is not held up.
    let folder = owner.folder("F", None).await;
    let (_, other) = owner.share(&folder, json!({})).await;
    assert_eq!(
        owner
            .visitor("203.0.113.93")
            .bytes(&format!("{other}/zip"))
            .await
            .0,
        200
    );

    // One ends: a slot is free again.
    let whole = first.bytes().await.unwrap();
    assert_eq!(whole.len(), content.len());
    let mut status = 0;
    for _ in 0..50 {
        let r = owner.visitor("203.0.113.92").get(&url, None).await;
        status = r.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    drop(second);
}

#[tokio::test]
async fn strangers_on_one_drop_link_cannot_take_or_end_each_others_uploads() {
    let owner = Owner::start().await;
    let inbox = owner.folder("Class", None).await;
    let (_, link) = owner.share(&inbox, json!({"kind": "drop"})).await;
    let (ann, ben) = (
        owner.visitor("203.0.113.101"),
        owner.visitor("203.0.113.102"),
    );
    let body = |size: usize| json!({"name": "essay.txt", "size": size, "fingerprint": "same"});
    let path = format!("{link}/upload/start");
    let ann_ticket = ann.post_json(&path, body(5)).await.json();
    // The same name, size and fingerprint from someone else is a new upload, not Ann's...
    let ben_ticket = ben.post_json(&path, body(5)).await.json();
    assert_ne!(ann_ticket["upload_id"], ben_ticket["upload_id"]);
    // ...and another size does not drop hers.
    assert_eq!(ben.post_json(&path, body(7)).await.status, 200);
    let ann_id = ann_ticket["upload_id"].as_str().unwrap();
    let a = ann
        .put(&format!("{link}/upload/{ann_id}/0"), b"hers!".to_vec())
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let a = ann
        .post_json(
            &format!("{link}/upload/finish"),
            json!({"upload_id": ann_id}),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
}
