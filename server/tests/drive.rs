//! The drive over HTTP, against the real server binary with its three storage nodes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use serde_json::{json, Value};
use support::nodes::data;
use support::{Answer, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHUNK: usize = 8 * 1024 * 1024;

struct Drive {
    server: TestServer,
    token: String,
}

impl Drive {
    async fn start(env: &[(&str, &str)]) -> Drive {
        let server = TestServer::start_with(env).await;
        let email = server.verified_user("Dana Drive").await;
        let token = server.login(&email).await;
        Drive { server, token }
    }

    async fn call(&self, endpoint: &str, body: Value) -> Answer {
        self.server
            .post(&format!("/api/files/{endpoint}"), body, Some(&self.token))
            .await
    }

    async fn start_upload(&self, name: &str, size: usize) -> Answer {
        self.call("upload/start", json!({"name": name, "size": size}))
            .await
    }

    async fn put_chunk(&self, upload_id: &str, index: usize, body: reqwest::Body) -> Answer {
        let url = format!("{}/api/files/upload/{upload_id}/{index}", self.server.base);
        let request = self
            .server
            .http
            .put(url)
            .bearer_auth(&self.token)
            .body(body);
        match request.send().await {
            Ok(r) => Answer {
                status: r.status().as_u16(),
                retry_after: None,
                bytes: r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            },
            // The client itself broke the request off (an interrupted chunk).
            Err(_) => Answer {
                status: 0,
                retry_after: None,
                bytes: Vec::new(),
            },
        }
    }

    /// Sends chunks `from..` of `bytes` and finishes; returns the file entry.
    async fn send_rest(&self, upload_id: &str, bytes: &[u8], from: usize) -> Value {
        for (index, chunk) in bytes.chunks(CHUNK).enumerate().skip(from) {
            let a = self
                .put_chunk(upload_id, index, Bytes::copy_from_slice(chunk).into())
                .await;
            assert_eq!(a.status, 200, "chunk {index}: {a:?}");
            assert_eq!(a.json()["next_chunk"], index + 1);
        }
        let a = self
            .call("upload/finish", json!({"upload_id": upload_id}))
            .await;
        assert_eq!(a.status, 200, "finish: {a:?}");
        a.json()
    }

    async fn upload(&self, name: &str, bytes: &[u8]) -> Value {
        let ticket = self.start_upload(name, bytes.len()).await;
        assert_eq!(ticket.status, 200, "start: {ticket:?}");
        let id = ticket.json()["upload_id"].as_str().unwrap().to_owned();
        self.send_rest(&id, bytes, 0).await
    }

    async fn download(&self, id: &str, range: Option<&str>) -> reqwest::Response {
        let a = self.call("link", json!({"id": id})).await;
        assert_eq!(a.status, 200, "link: {a:?}");
        let url = format!("{}{}", self.server.base, a.json()["url"].as_str().unwrap());
        let mut request = self.server.http.get(url);
        if let Some(range) = range {
            request = request.header("range", range);
        }
        request.send().await.unwrap()
    }

    /// A single-request upload of `bytes`, with its Content-Length as `curl -T` sends it (even
    /// for an empty file).
    async fn upload_whole(&self, name: &str, bytes: Vec<u8>) -> Answer {
        let url = format!("{}/api/files/upload?name={name}", self.server.base);
        let request = self
            .server
            .http
            .post(url)
            .bearer_auth(&self.token)
            .header("content-length", bytes.len())
            .body(bytes);
        Answer::of(request.send().await.unwrap()).await
    }

    /// A raw connection that has sent only the head of a single-request upload of `length`
    /// bytes: what follows (or not) is up to the test.
    async fn whole_upload_head(&self, name: &str, length: usize) -> tokio::net::TcpStream {
        let head = format!(
            "POST /api/files/upload?name={name} HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Bearer {}\r\nContent-Length: {length}\r\n\r\n",
            self.token
        );
        let address = self.server.base.trim_start_matches("http://");
        let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
        socket.write_all(head.as_bytes()).await.unwrap();
        socket
    }

    async fn usage(&self) -> Value {
        self.call("list", json!({})).await.json()["usage"].clone()
    }

    /// Waits (up to 20 s) until the reserved bytes and the cluster's object count reach these
    /// values: dropped uploads release their blocks a moment after the answer or sweep.
    async fn settled(&self, reserved: usize, objects: i64) {
        let mut seen = (json!(null), 0);
        for _ in 0..200 {
            seen = (
                self.usage().await["reserved_bytes"].clone(),
                self.server.sql_number("SELECT COUNT(*) FROM objects").await,
            );
            if seen == (json!(reserved), objects) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("reserved and objects are {seen:?}, not ({reserved}, {objects})");
    }

    /// Waits (up to 20 s) until a chunk's bytes are streaming into a storage node: a node's
    /// temporary directory holds a file.
    async fn chunk_reaching_the_nodes(&self) {
        let tmp = self.server.data_dir.path().join("nodes/us-east/tmp");
        for _ in 0..200 {
            if std::fs::read_dir(&tmp).is_ok_and(|mut d| d.next().is_some()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no chunk reached {}", tmp.display());
    }

    async fn names(&self) -> Vec<String> {
        self.server.top_names(&self.token).await
    }
}

/// A body that sends `first` and then breaks off, like a connection dropping mid-chunk.
fn broken_body(first: Vec<u8>) -> reqwest::Body {
    let parts: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(first)),
        Err(std::io::Error::other("connection dropped")),
    ];
    reqwest::Body::wrap_stream(futures::stream::iter(parts))
}

#[tokio::test]
async fn an_interrupted_200_mb_upload_resumes_with_only_the_missing_chunks() {
    let drive = Drive::start(&[]).await;
    let bytes = data(200_000_000, 42);
    let chunks = bytes.len().div_ceil(CHUNK);
    let ticket = drive.start_upload("big.bin", bytes.len()).await.json();
    assert_eq!(ticket["chunks"], chunks);
    let upload_id = ticket["upload_id"].as_str().unwrap().to_owned();

    let half = chunks / 2;
    for (index, chunk) in bytes.chunks(CHUNK).enumerate().take(half) {
        let a = drive
            .put_chunk(&upload_id, index, Bytes::copy_from_slice(chunk).into())
            .await;
        assert_eq!(a.status, 200, "{a:?}");
    }
    // Chunk `half` breaks off after 3 MiB.
    let partial = bytes[half * CHUNK..half * CHUNK + 3 * 1024 * 1024].to_vec();
    let a = drive
        .put_chunk(&upload_id, half, broken_body(partial))
        .await;
    assert_ne!(a.status, 200);

    // A reload starts the same upload again: the server says where to go on.
    let resumed = drive.start_upload("big.bin", bytes.len()).await.json();
    assert_eq!(resumed["upload_id"], upload_id.as_str());
    assert_eq!(resumed["next_chunk"], half, "the broken chunk was not kept");
    assert_eq!(drive.usage().await["reserved_bytes"], 200_000_000);

    let file = drive.send_rest(&upload_id, &bytes, half).await;
    assert_eq!(file["size"], 200_000_000);
    assert_eq!(file["copies"], 3);
    let usage = drive.usage().await;
    assert_eq!(
        (usage["used_bytes"].clone(), usage["reserved_bytes"].clone()),
        (json!(200_000_000), json!(0))
    );
    let body = drive.download(file["id"].as_str().unwrap(), None).await;
    assert_eq!(body.status(), 200);
    assert!(
        body.bytes().await.unwrap() == bytes,
        "stored file is identical"
    );
    // One block per chunk: the broken chunk left no object behind.
    let objects = drive
        .server
        .sql_number("SELECT COUNT(*) FROM objects")
        .await;
    assert_eq!(usize::try_from(objects).unwrap(), chunks);
}

#[tokio::test]
async fn chunks_that_break_the_plan_are_refused_and_change_nothing() {
    let drive = Drive::start(&[]).await;
    let bytes = data(CHUNK + 1000, 7);
    let ticket = drive.start_upload("plan.bin", bytes.len()).await.json();
    let id = ticket["upload_id"].as_str().unwrap().to_owned();
    let first = Bytes::copy_from_slice(&bytes[..CHUNK]);

    let a = drive
        .put_chunk(&id, 1, Bytes::from(vec![0; 1000]).into())
        .await;
    assert_eq!(a.status, 400, "out of order: {a:?}");
    assert!(a.message().contains("send chunk 0 next"), "{a:?}");

    let too_long = Bytes::from([&bytes[..CHUNK], b"extra"].concat());
    let a = drive.put_chunk(&id, 0, too_long.clone().into()).await;
    assert_eq!(a.status, 400, "announced too long: {a:?}");
    assert!(a.message().contains("exactly 8388608 bytes"), "{a:?}");
    // Streamed without a length, the excess is caught as it arrives.
    let streamed =
        reqwest::Body::wrap_stream(futures::stream::iter([Ok::<_, std::io::Error>(too_long)]));
    let a = drive.put_chunk(&id, 0, streamed).await;
    assert_eq!(a.status, 400, "streamed too long: {a:?}");
    assert!(a.message().contains("larger than announced"), "{a:?}");
    let short = reqwest::Body::wrap_stream(futures::stream::iter([Ok::<_, std::io::Error>(
        Bytes::copy_from_slice(&bytes[..100]),
    )]));
    let a = drive.put_chunk(&id, 0, short).await;
    assert_eq!(a.status, 400, "too short: {a:?}");
    assert!(
        a.message().contains("ended after 100 of 8388608 bytes"),
        "{a:?}"
    );
    assert_eq!(
        drive
            .server
            .sql_number("SELECT COUNT(*) FROM objects")
            .await,
        0
    );

    let a = drive.put_chunk(&id, 0, first.clone().into()).await;
    assert_eq!(a.status, 200, "{a:?}");
    let a = drive.put_chunk(&id, 0, first.into()).await;
    assert_eq!(a.status, 409, "repeated: {a:?}");
    assert!(a.message().contains("already received"), "{a:?}");
    let a = drive.call("upload/finish", json!({"upload_id": id})).await;
    assert_eq!(a.status, 400, "finish too early: {a:?}");
    assert!(a.message().contains("missing chunks 1 to 1"), "{a:?}");

    drive.send_rest(&id, &bytes, 1).await;
    assert_eq!(drive.names().await, ["plan.bin"]);
}

#[tokio::test]
async fn an_upload_beyond_the_quota_is_refused_before_any_byte_with_the_room_left() {
    let drive = Drive::start(&[("DEFAULT_QUOTA_BYTES", "20000000")]).await;
    drive.upload("small.bin", &data(5_000_000, 1)).await;
    let a = drive.start_upload("big.bin", 16_000_000).await;
    assert_eq!(a.status, 507, "{a:?}");
    assert_eq!(
        a.message(),
        "Not enough room: this needs 16.0 MB and your drive has 15.0 MB left."
    );
    // The single-request form answers from its Content-Length alone: not one byte of the
    // body is sent here.
    let mut socket = drive.whole_upload_head("big.bin", 16_000_000).await;
    let mut reply = vec![0u8; 4096];
    let n = socket.read(&mut reply).await.unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(reply.starts_with("HTTP/1.1 507"), "{reply}");
    assert!(reply.contains("15.0 MB left"), "{reply}");
    let usage = drive.usage().await;
    assert_eq!(
        (usage["used_bytes"].clone(), usage["reserved_bytes"].clone()),
        (json!(5_000_000), json!(0))
    );

    // Trash still counts; emptying it frees the room, and the message said so.
    let id = drive.names().await;
    assert_eq!(id, ["small.bin"]);
    let listing = drive.call("list", json!({})).await.json();
    let small = listing["entries"][0]["id"].as_str().unwrap().to_owned();
    drive.call("delete", json!({"id": small})).await;
    let a = drive.start_upload("big.bin", 16_000_000).await;
    assert!(
        a.message().contains("Emptying the trash would free 5.0 MB"),
        "{a:?}"
    );
    assert_eq!(drive.call("trash/empty", json!({})).await.status, 200);
    assert_eq!(drive.start_upload("big.bin", 16_000_000).await.status, 200);
    let info = drive
        .server
        .get("/api/user/info", Some(&drive.token))
        .await
        .json();
    assert_eq!(info["used_bytes"], 0);
}

#[tokio::test]
async fn hostile_names_and_empty_files_are_refused_and_nothing_is_created() {
    let drive = Drive::start(&[]).await;
    for name in [
        "../etc/passwd",
        "a/b",
        "nul\u{0}byte",
        "..",
        "...",
        &"n".repeat(1000),
        "tab\there",
    ] {
        let a = drive.start_upload(name, 10).await;
        assert_eq!(a.status, 400, "{name:?}: {a:?}");
        let a = drive.call("folder", json!({"name": name})).await;
        assert_eq!(a.status, 400, "{name:?}: {a:?}");
    }
    // An empty file, in both forms of upload.
    let a = drive.start_upload("empty.txt", 0).await;
    assert_eq!(a.status, 400, "{a:?}");
    assert!(a.message().contains("is empty (0 bytes)"), "{a:?}");
    let a = drive.upload_whole("empty.txt", Vec::new()).await;
    assert_eq!(a.status, 400, "{a:?}");
    assert!(a.message().contains("is empty (0 bytes)"), "{a:?}");
    assert!(drive.names().await.is_empty());
    drive.upload("Re\u{301}sume\u{301}.txt", b"v1").await;
    let a = drive.start_upload("r\u{e9}sum\u{e9}.TXT", 2).await;
    assert_eq!(a.status, 409, "{a:?}");
    assert_eq!(drive.names().await, ["R\u{e9}sum\u{e9}.txt"]);
    assert_eq!(drive.usage().await["reserved_bytes"], 0);
}

#[tokio::test]
async fn a_name_taken_during_an_upload_gets_a_number_and_keeps_the_bytes() {
    let drive = Drive::start(&[]).await;
    let bytes = b"the slow upload".to_vec();
    let ticket = drive.start_upload("Report.pdf", bytes.len()).await.json();
    let upload_id = ticket["upload_id"].as_str().unwrap();
    // Another tab uploads a file of the same name (in other case) first.
    let a = drive
        .upload_whole("report.PDF", b"the quick one".to_vec())
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let file = drive.send_rest(upload_id, &bytes, 0).await;
    assert_eq!(file["name"], "Report (1).pdf");
    let mut names = drive.names().await;
    names.sort();
    assert_eq!(names, ["Report (1).pdf", "report.PDF"]);
    let got = drive.download(file["id"].as_str().unwrap(), None).await;
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert_eq!(drive.usage().await["reserved_bytes"], 0);
}

#[tokio::test]
async fn another_file_of_the_same_name_does_not_cut_off_an_upload_in_flight() {
    let drive = Drive::start(&[]).await;
    let first = vec![1u8; 1000];
    let ticket = drive.start_upload("photo.jpg", first.len()).await.json();
    let first_id = ticket["upload_id"].as_str().unwrap().to_owned();
    // Tab one's chunk is on its way: half of it sent, the rest held back.
    let (rest_tx, rest_rx) = futures::channel::oneshot::channel::<Vec<u8>>();
    let parts =
        futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(first[..500].to_vec()))]).chain(
            futures::stream::once(async move { Ok(Bytes::from(rest_rx.await.unwrap())) }),
        );
    let in_flight = {
        let body = reqwest::Body::wrap_stream(parts);
        let (drive, id) = (&drive, first_id.clone());
        async move { drive.put_chunk(&id, 0, body).await }
    };
    let second_tab = async {
        drive.chunk_reaching_the_nodes().await;
        let other = drive.start_upload("photo.jpg", 2000).await;
        rest_tx.send(first[500..].to_vec()).unwrap();
        other
    };
    let (chunk, other) = futures::join!(in_flight, second_tab);
    assert_eq!(chunk.status, 200, "{chunk:?}");
    assert_eq!(other.status, 200, "{other:?}");
    let other_id = other.json()["upload_id"].as_str().unwrap().to_owned();
    assert_ne!(other_id, first_id);
    // Both files are kept: the second to finish gets a number.
    let a = drive
        .call("upload/finish", json!({"upload_id": first_id}))
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let b = drive.send_rest(&other_id, &[2u8; 2000], 0).await;
    assert_eq!(b["name"], "photo (1).jpg");
    assert_eq!(drive.usage().await["used_bytes"], 3000);
    assert_eq!(drive.usage().await["reserved_bytes"], 0);
}

#[tokio::test]
async fn downloads_stream_ranges_and_name_the_file_for_any_language() {
    let drive = Drive::start(&[]).await;
    let bytes = data(CHUNK * 2 + 12345, 3);
    let file = drive.upload("Übersicht 日本.bin", &bytes).await;
    let id = file["id"].as_str().unwrap();

    let r = drive.download(id, None).await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"_bersicht __.bin\"; \
         filename*=UTF-8''%C3%9Cbersicht%20%E6%97%A5%E6%9C%AC.bin"
    );
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(r.bytes().await.unwrap() == bytes);

    // A range across the block boundary, an open range, the last bytes.
    let from = CHUNK as u64 - 10;
    let r = drive
        .download(id, Some(&format!("bytes={from}-{}", from + 19)))
        .await;
    assert_eq!(r.status(), 206);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes {from}-{}/{}", from + 19, bytes.len()).as_str()
    );
    assert_eq!(
        r.bytes().await.unwrap(),
        bytes[usize::try_from(from).unwrap()..][..20]
    );
    let r = drive.download(id, Some("bytes=-5")).await;
    assert_eq!(r.bytes().await.unwrap(), bytes[bytes.len() - 5..]);
    let r = drive
        .download(id, Some(&format!("bytes={}-", bytes.len())))
        .await;
    assert_eq!(r.status(), 416);

    // Tampered and expired links, and another user's file id.
    let link = drive.call("link", json!({"id": id})).await.json();
    let url = link["url"].as_str().unwrap().to_owned();
    let tampered = url.replace("expires=", "expires=9");
    let r = drive.server.get(&tampered, None).await;
    assert_eq!(r.status, 403, "{r:?}");
    let mallory_email = drive.server.verified_user("Mallory").await;
    let mallory = drive.server.login(&mallory_email).await;
    for (endpoint, body) in [
        ("link", json!({"id": id})),
        ("rename", json!({"id": id, "name": "mine.bin"})),
        ("delete", json!({"id": id})),
        ("detail", json!({"id": id})),
    ] {
        let a = drive
            .server
            .post(&format!("/api/files/{endpoint}"), body, Some(&mallory))
            .await;
        assert_eq!(a.status, 404, "{endpoint}: {a:?}");
        assert!(a.message().starts_with("No such"), "{endpoint}: {a:?}");
    }
    let a = drive
        .server
        .get(&format!("/api/files/download/{id}"), Some(&mallory))
        .await;
    assert_eq!(a.status, 404);
    let r = drive
        .server
        .http
        .delete(format!("{}/api/files/delete/{id}", drive.server.base))
        .bearer_auth(&mallory)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The owner's bearer token works without a link, as for curl.
    let a = drive
        .server
        .get(&format!("/api/files/download/{id}"), Some(&drive.token))
        .await;
    assert!(a.bytes == bytes);
}

#[tokio::test]
async fn expired_links_and_abandoned_uploads_are_dropped() {
    let drive = Drive::start(&[
        ("DOWNLOAD_LINK_SECS", "60"),
        ("UPLOAD_EXPIRY_SECS", "3600"),
        ("DRIVE_SWEEP_INTERVAL_SECS", "1"),
        ("DEBUG_CLOCK", "1"),
    ])
    .await;
    let file = drive.upload("a.txt", b"hello").await;
    let link = drive.call("link", json!({"id": file["id"]})).await.json();
    let abandoned = drive.start_upload("abandoned.bin", CHUNK * 2).await.json();
    let upload_id = abandoned["upload_id"].as_str().unwrap().to_owned();
    let chunk = Bytes::from(data(CHUNK, 9));
    assert_eq!(
        drive.put_chunk(&upload_id, 0, chunk.into()).await.status,
        200
    );
    assert_eq!(drive.usage().await["reserved_bytes"], CHUNK * 2);

    // An hour without a chunk later, the sweeper drops the upload: only the finished file's
    // block is left on the cluster. By then the one-minute link has expired too.
    drive.server.advance_clock(3601).await;
    drive.settled(0, 1).await;
    let r = drive.server.get(link["url"].as_str().unwrap(), None).await;
    assert_eq!(r.status, 403);
    assert!(r.message().contains("expired"), "{r:?}");
    let a = drive
        .put_chunk(&upload_id, 1, Bytes::from(vec![0; CHUNK]).into())
        .await;
    assert_eq!(a.status, 404, "{a:?}");
}

#[tokio::test]
async fn single_request_upload_trash_restore_and_admin_replication() {
    let drive = Drive::start(&[("ADMIN_EMAILS", "root@example.com")]).await;
    let bytes = data(CHUNK + 5, 11);
    let a = drive.upload_whole("whole.bin", bytes.clone()).await;
    assert_eq!(a.status, 200, "{a:?}");
    let file = a.json();
    let id = file["id"].as_str().unwrap().to_owned();

    let folder = drive
        .call("folder", json!({"name": "Archive"}))
        .await
        .json();
    let a = drive
        .call("move", json!({"id": id, "folder_id": folder["id"]}))
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let r = drive
        .server
        .http
        .delete(format!("{}/api/files/delete/{id}", drive.server.base))
        .bearer_auth(&drive.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let inside = drive
        .call("list", json!({"folder_id": folder["id"]}))
        .await
        .json();
    assert_eq!(inside["entries"], json!([]));
    let trash = drive.call("trash", json!({})).await.json();
    assert_eq!(trash[0]["name"], "whole.bin");
    assert_eq!(
        drive.call("trash/restore", json!({"id": id})).await.status,
        200
    );
    let inside = drive
        .call("list", json!({"folder_id": folder["id"]}))
        .await
        .json();
    assert_eq!(inside["entries"][0]["name"], "whole.bin");

    let detail = drive.call("detail", json!({"id": id})).await.json();
    assert_eq!(detail["blocks"], 2);
    assert_eq!(detail["checksum"], blake3::hash(&bytes).to_hex().as_str());
    let holders: Vec<_> = detail["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["blocks_held"].clone())
        .collect();
    assert_eq!(holders, [json!(2), json!(2), json!(2)]);

    let replicate = format!("/api/files/replicate/{id}");
    let a = drive
        .server
        .post(&replicate, json!({}), Some(&drive.token))
        .await;
    assert_eq!(a.status, 403, "{a:?}");
    let root = drive.server.verified_user("Root").await;
    let root = drive.server.login(&root).await;
    // Copies lost on one node are put back by the administrator's re-replication.
    let blocks = drive
        .server
        .sql_strings(&format!(
            "SELECT object_id FROM blocks WHERE file_id = '{id}'"
        ))
        .await;
    for block in &blocks {
        let path = drive
            .server
            .data_dir
            .path()
            .join("nodes/asia/objects")
            .join(&block[..2])
            .join(block);
        std::fs::remove_file(&path).unwrap();
    }
    let a = drive.server.post(&replicate, json!({}), Some(&root)).await;
    assert_eq!(a.status, 200, "{a:?}");
    let holders: Vec<_> = a.json()["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["blocks_held"].clone())
        .collect();
    assert_eq!(holders, [json!(2), json!(2), json!(2)]);
}

#[tokio::test]
async fn a_single_request_upload_cut_off_by_the_client_keeps_nothing() {
    let drive = Drive::start(&[]).await;
    let mut socket = drive.whole_upload_head("cut.bin", 20_000_000).await;
    // A chunk and a half arrive, then the connection is gone.
    socket.write_all(&data(12 * 1024 * 1024, 5)).await.unwrap();
    drop(socket);

    // The chunk that was stored goes to the garbage and off the nodes.
    drive.settled(0, 0).await;
    assert_eq!(drive.usage().await["used_bytes"], 0);
    assert!(drive.names().await.is_empty());
    assert_eq!(
        drive
            .server
            .sql_number("SELECT COUNT(*) FROM uploads")
            .await,
        0
    );
}

/// Spoils one byte (at 1234, whose right value is `right`) of the object behind the file's
/// first block, on the given nodes' disks.
async fn rot(drive: &Drive, file_id: &str, right: u8, regions: &[&str]) {
    let object = drive
        .server
        .sql_strings(&format!(
            "SELECT object_id FROM blocks WHERE file_id = '{file_id}' AND idx = 0"
        ))
        .await
        .remove(0);
    for region in regions {
        let path = drive
            .server
            .data_dir
            .path()
            .join("nodes")
            .join(region)
            .join("objects")
            .join(&object[..2])
            .join(&object);
        let mut on_disk = std::fs::read(&path).unwrap();
        on_disk[1234] = !right;
        std::fs::write(&path, on_disk).unwrap();
    }
}

#[tokio::test]
async fn a_download_never_serves_a_rotten_byte() {
    let drive = Drive::start(&[]).await;
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = drive.upload("precious.bin", &bytes).await;
    let id = file["id"].as_str().unwrap().to_owned();
    let url = format!("/api/files/download/{id}");
    let ranged = |range: &'static str| {
        drive
            .server
            .http
            .get(format!("{}{url}", drive.server.base))
            .bearer_auth(&drive.token)
            .header("range", range)
            .send()
    };

    // Two of three copies rot: reads still return exactly the stored bytes (whichever copy a
    // read tries first).
    rot(&drive, &id, bytes[1234], &["us-east", "eu-west"]).await;
    for _ in 0..3 {
        let whole = drive.server.get(&url, Some(&drive.token)).await;
        assert_eq!(whole.status, 200);
        assert!(whole.bytes == bytes, "a rotten byte was served");
        let part = Answer::of(ranged("bytes=1000-1999").await.unwrap()).await;
        assert_eq!(part.status, 206);
        assert!(part.bytes == bytes[1000..2000]);
    }
    // All three rot: the download fails clearly, whole or ranged, and never with wrong bytes.
    rot(&drive, &id, bytes[1234], &["us-east", "eu-west", "asia"]).await;
    let whole = drive.server.get(&url, Some(&drive.token)).await;
    assert_eq!(whole.status, 503, "{whole:?}");
    assert!(
        whole.message().contains("No intact copy"),
        "{}",
        whole.message()
    );
    let part = Answer::of(ranged("bytes=10-20").await.unwrap()).await;
    assert_eq!(part.status, 503);
    // Every copy was tried, found bad and queued for repair; none is read as good any more.
    let good = drive
        .server
        .sql_number(&format!(
            "SELECT COUNT(*) FROM replicas r JOIN blocks b ON b.object_id = r.object_id
             WHERE b.file_id = '{id}' AND r.state = 'ok'"
        ))
        .await;
    assert_eq!(good, 0);
    let queued = drive
        .server
        .sql_number("SELECT COUNT(*) FROM repair_queue")
        .await;
    assert!(queued >= 1, "no repair was queued");
}

#[tokio::test]
async fn sigterm_during_a_64_mib_upload_exits_within_10_s_and_the_upload_resumes() {
    let mut drive = Drive::start(&[]).await;
    let bytes = data(64 * 1024 * 1024, 21);
    let ticket = drive.start_upload("big.bin", bytes.len()).await;
    let id = ticket.json()["upload_id"].as_str().unwrap().to_owned();
    for index in 0..3 {
        let chunk = Bytes::copy_from_slice(&bytes[index * CHUNK..(index + 1) * CHUNK]);
        assert_eq!(drive.put_chunk(&id, index, chunk.into()).await.status, 200);
    }
    // Chunk 3 is half sent, and its sender goes quiet: then the server is told to stop.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let half = Bytes::copy_from_slice(&bytes[3 * CHUNK..3 * CHUNK + CHUNK / 2]);
    tx.send(Ok(half)).await.unwrap();
    let body = reqwest::Body::wrap_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let (http, url, token) = (
        drive.server.http.clone(),
        format!("{}/api/files/upload/{id}/3", drive.server.base),
        drive.token.clone(),
    );
    let in_flight =
        tokio::spawn(async move { http.put(url).bearer_auth(token).body(body).send().await });
    drive.chunk_reaching_the_nodes().await;

    let signalled = std::time::Instant::now();
    drive.server.signal("TERM");
    let exit = drive.server.wait_exit(Duration::from_secs(15)).await;
    let took = signalled.elapsed();
    assert!(exit.is_some_and(|s| s.success()), "exit: {exit:?}");
    assert!(took < Duration::from_secs(10), "took {took:?} to exit");
    let cut_off = in_flight.await.unwrap();
    assert!(
        !cut_off.is_ok_and(|r| r.status().is_success()),
        "the half-sent chunk was not taken"
    );
    drop(tx);

    drive.server.restart().await;
    let again = drive.start_upload("big.bin", bytes.len()).await;
    assert_eq!(again.json()["upload_id"], id.as_str(), "the same upload");
    assert_eq!(
        again.json()["next_chunk"],
        3,
        "resumes after its last stored chunk"
    );
    let entry = drive.send_rest(&id, &bytes, 3).await;
    let back = drive.download(entry["id"].as_str().unwrap(), None).await;
    assert_eq!(back.status(), 200);
    assert!(back.bytes().await.unwrap() == bytes, "identical bytes");
}

#[tokio::test]
async fn a_crash_during_single_request_uploads_leaves_no_reservation_behind() {
    let env = [("DRIVE_SWEEP_INTERVAL_SECS", "1"), ("DEBUG_CLOCK", "1")];
    let mut drive = Drive::start(&env).await;
    let kept = drive.upload("kept.bin", &data(3 * 1024 * 1024, 3)).await;
    // A chunked upload that stays resumable across the crash.
    let resumable = drive.start_upload("later.bin", 2 * CHUNK).await;
    assert_eq!(resumable.status, 200);
    // 18 single-request uploads of 16 MiB, each with its first chunk sent.
    let mut sockets = Vec::new();
    for n in 0..18 {
        let mut socket = drive
            .whole_upload_head(&format!("whole-{n}.bin"), 16 * 1024 * 1024)
            .await;
        socket.write_all(&data(CHUNK + 1024, n)).await.unwrap();
        sockets.push(socket);
    }
    for _ in 0..200 {
        let stored = "SELECT COUNT(*) FROM blocks b JOIN uploads u ON u.id = b.file_id
                      WHERE u.single_request = 1";
        if drive.server.sql_number(stored).await >= 18 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drive.server.signal("KILL");
    assert!(drive
        .server
        .wait_exit(Duration::from_secs(5))
        .await
        .is_some());
    drop(sockets);
    drive.server.restart().await;

    // What the user sees adds up: used is the files they have, reserved the uploads they can
    // resume, once the silent single-request uploads are dropped (after five minutes; never by
    // a start-up sweep, as another app server may still be streaming them).
    drive.server.advance_clock(301).await;
    let mut seen = json!(null);
    for _ in 0..100 {
        let usage = drive.usage().await;
        let pending = drive.call("uploads", json!({})).await.json();
        let resumable_bytes: u64 = pending
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["size"].as_u64().unwrap())
            .sum();
        seen = json!([
            usage["used_bytes"],
            usage["reserved_bytes"],
            resumable_bytes
        ]);
        if seen == json!([kept["size"], 2 * CHUNK, 2 * CHUNK]) {
            assert_eq!(drive.names().await, ["kept.bin"]);
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("[used, reserved, resumable] is {seen}, not [3 MiB, 16 MiB, 16 MiB]");
}

#[tokio::test]
async fn a_slow_upload_stays_alive_while_its_bytes_arrive() {
    // Another app server sweeping sees only the database: while bytes arrive, the upload's
    // expiry keeps moving, though no chunk is complete yet.
    let drive = Drive::start(&[("SINGLE_UPLOAD_SILENCE_SECS", "4")]).await;
    let mut socket = drive.whole_upload_head("slow.bin", 3 * 1024 * 1024).await;
    socket.write_all(&[7u8; 1024]).await.unwrap();
    let expiry = "SELECT COALESCE(MAX(expires_at), 0) FROM uploads WHERE single_request = 1";
    let mut first = 0;
    for _ in 0..100 {
        first = drive.server.sql_number(expiry).await;
        if first > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(first > 0, "the upload started");
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        socket.write_all(&[7u8; 1024]).await.unwrap();
    }
    let later = drive.server.sql_number(expiry).await;
    assert!(
        later > first,
        "renewed while bytes arrive: {first} then {later}"
    );
    assert_eq!(
        drive.server.sql_number("SELECT COUNT(*) FROM blocks").await,
        0,
        "no chunk yet"
    );
}

#[tokio::test]
async fn the_51st_unfinished_upload_is_refused_until_one_ends() {
    let drive = Drive::start(&[]).await;
    let mut first = None;
    for i in 0..50 {
        let a = drive.start_upload(&format!("part-{i}.bin"), 1000).await;
        assert_eq!(a.status, 200, "upload {i}: {a:?}");
        first.get_or_insert(a.json()["upload_id"].as_str().unwrap().to_owned());
    }
    let refused = drive.start_upload("one-too-many.bin", 1000).await;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert!(
        refused.message().contains("50 unfinished uploads"),
        "{refused:?}"
    );
    // Nothing was reserved for it.
    assert_eq!(drive.usage().await["reserved_bytes"], 50 * 1000);
    let cancelled = drive
        .call("upload/cancel", json!({"upload_id": first.unwrap()}))
        .await;
    assert_eq!(cancelled.status, 200, "{cancelled:?}");
    assert_eq!(
        drive.start_upload("one-too-many.bin", 1000).await.status,
        200
    );
}

#[tokio::test]
async fn a_trickling_chunk_is_cut_off_within_60_s_and_the_upload_resumes() {
    let drive = Drive::start(&[]).await;
    let bytes = data(CHUNK + 5000, 31);
    let ticket = drive.start_upload("trickle.bin", bytes.len()).await;
    let id = ticket.json()["upload_id"].as_str().unwrap().to_owned();
    // Chunk 0 at 4 KB a second, far under the 64 KB/s floor, for as long as the server takes it.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let first = bytes[..CHUNK].to_vec();
    tokio::spawn(async move {
        for piece in first.chunks(4096) {
            if tx.send(Ok(Bytes::copy_from_slice(piece))).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let started = std::time::Instant::now();
    let body = reqwest::Body::wrap_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let cut = drive.put_chunk(&id, 0, body).await;
    let took = started.elapsed();
    assert_ne!(cut.status, 200, "{cut:?}");
    assert!(
        took >= Duration::from_secs(29) && took < Duration::from_secs(60),
        "cut after {took:?}: {cut:?}"
    );
    // The answer reaches a client still sending (0 would be a connection cut instead).
    assert_eq!(cut.status, 408, "{cut:?}");
    assert!(cut.message().contains("cut off"), "{cut:?}");
    // Nothing of it was kept, and the upload goes on from chunk 0.
    let pending = drive.call("uploads", json!({})).await.json();
    assert_eq!(pending[0]["received_bytes"], 0, "{pending}");
    let file = drive.send_rest(&id, &bytes, 0).await;
    let got = drive.download(file["id"].as_str().unwrap(), None).await;
    assert!(got.bytes().await.unwrap() == bytes);
}
