//! WebDAV at /dav/ as real clients use it: the litmus compliance suites, rclone copying a tree
//! both ways, app passwords over Basic auth, and the drive's own rules (quota, trash, versions,
//! names) kept under WebDAV's methods.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use serde_json::{json, Value};
use support::account::Account;
use support::nodes::data;
use support::{Answer, PASSWORD};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

const MIB: usize = 1024 * 1024;
/// The over-quota tests store 5 MB first, which leaves 15 MB free.
const SMALL_QUOTA: [(&str, &str); 1] = [("DEFAULT_QUOTA_BYTES", "20000000")];
/// The suites litmus runs, by the names its summaries give them.
const LITMUS_SUITES: [&str; 5] = ["basic", "copymove", "props", "locks", "http"];
/// Files in the tree rclone copies: small ones over 51 folders, and a big one.
const TREE_FILES: usize = 500;
/// Not a whole number of the drive's 8 MiB blocks.
const BIG_FILE_BYTES: u64 = 200 * 1024 * 1024 + 12_345;
/// Names of the tree's folders (at every level) and files: accents, CJK, Greek and plain.
const FOLDER_NAMES: [&str; 5] = ["café", "naïve", "日本語", "Ελληνικά", "emoji-free"];
const FILE_STEMS: [&str; 6] = ["résumé", "Straße", "メモ", "σημειώσεις", "notes", "Ærø"];

/// An account with one app password, reached over WebDAV as a client would.
struct Dav {
    account: Account,
    password_id: String,
    password: String,
}

impl std::ops::Deref for Dav {
    type Target = Account;
    fn deref(&self) -> &Account {
        &self.account
    }
}

impl Dav {
    async fn start(env: &[(&str, &str)]) -> Dav {
        let account = Account::start("Wanda Webdav", env).await;
        let a = account
            .call(
                "/api/auth/app-passwords/create",
                json!({"name": "laptop rclone", "password": PASSWORD}),
            )
            .await;
        assert_eq!(a.status, 200, "create an app password: {a:?}");
        let created = a.json();
        assert_eq!(created["name"], "laptop rclone");
        Dav {
            password_id: created["id"].as_str().unwrap().to_owned(),
            password: created["app_password"].as_str().unwrap().to_owned(),
            account,
        }
    }

    /// `path` (percent-encoded where it needs to be) under /dav/.
    fn url(&self, path: &str) -> String {
        format!("{}/dav/{path}", self.server.base)
    }

    /// A request with Basic auth as the account's email and `password`; none without.
    fn request_as(
        &self,
        password: Option<&str>,
        method: &str,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self.server.http.request(method, self.url(path));
        match password {
            Some(password) => request.basic_auth(&self.email, Some(password)),
            None => request,
        }
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        self.request_as(Some(self.password.as_str()), method, path)
    }

    /// A request with the app password, `headers` and `body`; its answer.
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let mut request = self.request(method, path).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Answer::of(request.send().await.unwrap()).await
    }

    /// A PROPFIND of the top folder with `password` (no credentials without): the answer and
    /// its WWW-Authenticate.
    async fn propfind_as(&self, password: Option<&str>) -> (Answer, String) {
        let response = self
            .request_as(password, "PROPFIND", "")
            .header("depth", "1")
            .send()
            .await
            .unwrap();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (Answer::of(response).await, challenge)
    }

    /// Sends only the head of a PUT of `length` bytes, on a raw connection, and reads the
    /// reply: a refusal for the quota must come from the Content-Length alone.
    async fn put_head_only(&self, path: &str, length: usize) -> String {
        // reqwest encodes the credentials; the head goes out by hand, with no body after it.
        let request = self.request("PUT", path).build().unwrap();
        let address = self.server.base.trim_start_matches("http://");
        let head = format!(
            "PUT {} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {}\r\n\
             Content-Length: {length}\r\n\r\n",
            request.url().path(),
            request.headers()["authorization"].to_str().unwrap(),
        );
        let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
        socket.write_all(head.as_bytes()).await.unwrap();
        let mut reply = vec![0u8; 4096];
        let read = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut reply));
        let n = read.await.expect("no answer before the body").unwrap();
        String::from_utf8_lossy(&reply[..n]).into_owned()
    }

    async fn app_passwords(&self) -> Vec<Value> {
        let a = self.call("/api/auth/app-passwords/list", json!({})).await;
        assert_eq!(a.status, 200, "{a:?}");
        a.json().as_array().unwrap().clone()
    }

    async fn files(&self, endpoint: &str, body: Value) -> Answer {
        self.call(&format!("/api/files/{endpoint}"), body).await
    }

    /// What is in the trash.
    async fn trash(&self) -> Vec<Value> {
        let trash = self.files("trash", json!({})).await.json();
        trash.as_array().expect("a list").clone()
    }

    /// The entry named `name` at the top of the drive.
    async fn entry(&self, name: &str) -> Value {
        let listing = self.files("list", json!({})).await.json();
        listing["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {listing}"))
    }

    /// 5 MB stored through the JSON API, so that a small quota has 15 MB left.
    async fn store_kept(&self) {
        let a = self
            .put_file("kept.bin", None, &data(5_000_000, 1), None)
            .await;
        assert_eq!(a.status, 200, "{a:?}");
    }

    /// What a failed upload must leave as it was: bytes used (the trash included), bytes
    /// reserved for uploads, and blocks on the cluster.
    async fn footprint(&self) -> (Value, Value, i64) {
        let info = self.server.get("/api/user/info", Some(&self.token)).await;
        let usage = self.files("list", json!({})).await.json()["usage"].clone();
        let objects = self.server.sql_number("SELECT COUNT(*) FROM objects").await;
        (
            info.json()["used_bytes"].clone(),
            usage["reserved_bytes"].clone(),
            objects,
        )
    }

    /// Waits (up to 20 s) for the footprint to be `before` again: a dropped upload releases
    /// its reservation and blocks a moment after its connection ends.
    async fn back_to(&self, before: &(Value, Value, i64)) {
        let mut now = self.footprint().await;
        for _ in 0..200 {
            if now == *before {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            now = self.footprint().await;
        }
        panic!("used, reserved and objects are {now:?}, not {before:?}");
    }
}

/// rclone with the account's drive as `:webdav:`, configured by environment variables alone.
struct Rclone {
    env: Vec<(&'static str, String)>,
}

impl Rclone {
    async fn new(dav: &Dav) -> Rclone {
        // rclone takes passwords only obscured, which only rclone itself does.
        let out = finish(
            Command::new("rclone").args(["obscure", dav.password.as_str()]),
            Duration::from_secs(30),
        )
        .await;
        assert!(out.status.success(), "rclone obscure: {}", said(&out));
        let obscured = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Rclone {
            env: vec![
                ("RCLONE_WEBDAV_URL", dav.url("")),
                ("RCLONE_WEBDAV_VENDOR", "other".to_owned()),
                ("RCLONE_WEBDAV_USER", dav.email.clone()),
                ("RCLONE_WEBDAV_PASS", obscured),
            ],
        }
    }

    /// `rclone ARGS` with no config file and no retries: a retry would hide a failed request.
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new("rclone");
        command
            .args(["--config", "/dev/null"])
            .args(["--retries", "1", "--low-level-retries", "1"])
            .args(args)
            .envs(self.env.iter().cloned());
        finish(&mut command, Duration::from_secs(1200)).await
    }

    async fn ok(&self, args: &[&str]) {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "rclone {}: {}",
            args.join(" "),
            said(&out)
        );
    }
}

/// Runs `command` to its end, killed if it takes longer than `limit`; its output.
async fn finish(command: &mut Command, limit: Duration) -> Output {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let output = command.kill_on_drop(true).output();
    tokio::time::timeout(limit, output)
        .await
        .unwrap_or_else(|_| panic!("{program} ran over {limit:?}"))
        .unwrap_or_else(|e| panic!("start {program} ({e}): scripts/setup.sh --test installs it"))
}

/// What a process printed, both streams.
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A suite and its failed count, from a line such as
/// "<- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%".
fn litmus_summary(line: &str) -> Option<(&str, u32)> {
    let (suite, counts) = line.strip_prefix("<- summary for `")?.split_once("': ")?;
    let failed = counts.split(", ").nth(1)?.split(' ').next()?.parse().ok()?;
    Some((suite, failed))
}

/// `len` pseudo-random bytes from `seed` into a new file at `path`, streamed.
fn write_random(path: &Path, seed: u64, len: u64) {
    let stream = blake3::Hasher::new()
        .update(&seed.to_le_bytes())
        .finalize_xof();
    let mut file = fs::File::create(path).unwrap();
    assert_eq!(
        std::io::copy(&mut stream.take(len), &mut file).unwrap(),
        len
    );
}

/// The tree rclone copies: 51 folders three levels deep (5, then 3 in each, then 2), the
/// small files spread over them, each with content of its own, and the big file.
fn write_tree(root: &Path) {
    // All NFC, and none equal to another once lower-cased: the drive would refuse it.
    for names in [&FOLDER_NAMES[..], &FILE_STEMS[..]] {
        let keys: std::collections::BTreeSet<String> = names
            .iter()
            .map(|name| {
                let clean = domain::drive::names::clean(name).unwrap();
                assert_eq!(clean.display, *name, "not NFC");
                clean.key
            })
            .collect();
        assert_eq!(keys.len(), names.len(), "{names:?}");
    }
    let mut folders = vec![root.to_path_buf()];
    let mut level = vec![root.to_path_buf()];
    for width in [5, 3, 2] {
        let mut next = Vec::new();
        for parent in &level {
            next.extend(FOLDER_NAMES[..width].iter().map(|name| parent.join(name)));
        }
        folders.extend(next.iter().cloned());
        level = next;
    }
    for folder in &folders {
        fs::create_dir_all(folder).unwrap();
    }
    for (seed, i) in (1u64..).zip(0..TREE_FILES - 1) {
        let name = format!("{} {i:03}.txt", FILE_STEMS[i % FILE_STEMS.len()]);
        // Up to 50 KB; the first is empty (WebDAV keeps those, where the API refuses them).
        let len = (seed - 1) * 7919 % 50_000;
        write_random(&folders[i % folders.len()].join(name), seed, len);
    }
    let big = root.join(FOLDER_NAMES[2]).join("big café.bin");
    write_random(&big, 0, BIG_FILE_BYTES);
}

/// Every file under `root`, by its path inside it: size and BLAKE3.
fn digests(root: &Path) -> BTreeMap<PathBuf, (u64, blake3::Hash)> {
    let mut found = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let mut hasher = blake3::Hasher::new();
            let size = std::io::copy(&mut fs::File::open(&path).unwrap(), &mut hasher).unwrap();
            let inside = path.strip_prefix(root).unwrap().to_path_buf();
            found.insert(inside, (size, hasher.finalize()));
        }
    }
    found
}

/// `len` bytes, then a second later a broken connection: a client going away mid-PUT.
fn cut_body(len: usize) -> reqwest::Body {
    let head = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(data(len, 3)))]);
    let cut = futures::stream::once(async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        Err(std::io::Error::other("the client went away"))
    });
    reqwest::Body::wrap_stream(head.chain(cut))
}

#[tokio::test]
async fn litmus_suites_pass() {
    let dav = Dav::start(&[]).await;
    // litmus writes its debug.log and child.log into the working directory.
    let workdir = tempfile::tempdir().unwrap();
    let out = finish(
        Command::new("litmus")
            // Every suite, not only those up to the first failure (then it exits 0 either
            // way: the summaries tell).
            .arg("--keep-going")
            .args([dav.url(""), dav.email.clone(), dav.password.clone()])
            .env("TESTS", LITMUS_SUITES.join(" "))
            .current_dir(workdir.path()),
        Duration::from_secs(600),
    )
    .await;
    let report = String::from_utf8_lossy(&out.stdout);
    // The counts, skips and warnings show with --nocapture; warnings do not fail the test.
    for line in report.lines() {
        if line.starts_with("<- ") || line.starts_with("-> ") || line.contains("WARNING") {
            println!("{line}");
        }
    }
    assert!(out.status.success(), "litmus: {}", said(&out));
    let failed: BTreeMap<&str, u32> = report.lines().filter_map(litmus_summary).collect();
    for suite in LITMUS_SUITES {
        assert_eq!(
            failed.get(suite),
            Some(&0),
            "litmus {suite} failed or did not run:\n{report}"
        );
    }
}

#[tokio::test]
async fn rclone_round_trip() {
    let dav = Dav::start(&[]).await;
    let rclone = Rclone::new(&dav).await;
    let dir = tempfile::tempdir().unwrap();
    let (up_dir, down_dir) = (dir.path().join("up"), dir.path().join("down"));
    write_tree(&up_dir);
    let sent = digests(&up_dir);
    assert_eq!(sent.len(), TREE_FILES);
    let (up, down) = (up_dir.to_str().unwrap(), down_dir.to_str().unwrap());

    rclone
        .ok(&["copy", "--transfers", "4", up, ":webdav:tree"])
        .await;
    rclone
        .ok(&["copy", "--transfers", "4", ":webdav:tree", down])
        .await;
    // Every byte, both ways (WebDAV gives rclone no hashes to compare instead).
    rclone
        .ok(&["check", "--download", up, ":webdav:tree"])
        .await;
    let back = digests(&down_dir);
    let differing: Vec<&PathBuf> = sent
        .keys()
        .chain(back.keys())
        .filter(|path| sent.get(*path) != back.get(*path))
        .collect();
    assert!(differing.is_empty(), "changed on the way: {differing:?}");
    let total: u64 = sent.values().map(|(size, _)| size).sum();
    assert_eq!(
        dav.footprint().await.0,
        json!(total),
        "the tree's bytes, no more"
    );
}

#[tokio::test]
async fn rclone_over_quota_fails_cleanly() {
    let dav = Dav::start(&SMALL_QUOTA).await;
    dav.store_kept().await;
    let before = dav.footprint().await;
    let rclone = Rclone::new(&dav).await;
    let dir = tempfile::tempdir().unwrap();
    write_random(&dir.path().join("too big.bin"), 7, 16_000_000);

    let out = rclone
        .run(&["copy", dir.path().to_str().unwrap(), ":webdav:"])
        .await;
    assert!(
        !out.status.success(),
        "16 MB into 15 MB free: {}",
        said(&out)
    );
    // The server answers 507 before reading the body and closes the connection; rclone,
    // still sending, may see that as a broken pipe rather than read the answer.
    let said = said(&out);
    assert!(
        ["507", "broken pipe", "connection reset"]
            .iter()
            .any(|s| said.contains(s)),
        "refused, but not for room: {said}"
    );
    dav.back_to(&before).await;
    assert_eq!(dav.names().await, ["kept.bin"]);
}

#[tokio::test]
async fn revoked_app_password_is_refused() {
    let dav = Dav::start(&[]).await;
    // Making one takes the account password.
    let a = dav
        .call(
            "/api/auth/app-passwords/create",
            json!({"name": "stolen laptop", "password": "not-the-password-9"}),
        )
        .await;
    assert_ne!(a.status, 200, "{a:?}");
    assert!(a.json().get("app_password").is_none(), "{a:?}");

    let (a, _) = dav.propfind_as(Some(dav.password.as_str())).await;
    assert_eq!(a.status, 207, "{a:?}");
    // Listed with its last use (which may be written just after the answer), never with
    // the password itself.
    let mut listed = dav.app_passwords().await;
    for _ in 0..50 {
        if listed.first().is_some_and(|p| !p["last_used_at"].is_null()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        listed = dav.app_passwords().await;
    }
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], dav.password_id.as_str());
    assert_eq!(listed[0]["name"], "laptop rclone");
    assert!(listed[0]["last_used_at"].is_i64(), "{listed:?}");
    assert!(!Value::from(listed).to_string().contains(&dav.password));

    // Only app passwords open /dav/: not the account's own, and not nothing.
    for password in [Some(PASSWORD), None] {
        let (a, challenge) = dav.propfind_as(password).await;
        assert_eq!(a.status, 401, "{password:?}: {a:?}");
        assert!(
            challenge.starts_with(r#"Basic realm="CloudDrive""#),
            "{challenge:?}"
        );
    }
    let a = dav
        .call(
            "/api/auth/app-passwords/revoke",
            json!({"id": dav.password_id}),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let (a, _) = dav.propfind_as(Some(dav.password.as_str())).await;
    assert_eq!(a.status, 401, "revoked: {a:?}");
    assert!(dav.app_passwords().await.is_empty());

    // Guesses are throttled like login passwords: 401s, then 429 with Retry-After.
    let mut statuses = Vec::new();
    let throttled = loop {
        let (a, _) = dav.propfind_as(Some("wrong-app-password")).await;
        statuses.push(a.status);
        if a.status != 401 || statuses.len() == 10 {
            break a;
        }
    };
    assert_eq!(throttled.status, 429, "after {statuses:?}");
    assert!(throttled.retry_after.is_some(), "{throttled:?}");
}

#[tokio::test]
async fn put_over_quota_is_507_and_cut_put_leaves_nothing() {
    let dav = Dav::start(&SMALL_QUOTA).await;
    dav.store_kept().await;
    let before = dav.footprint().await;

    let reply = dav.put_head_only("too-big.bin", 16_000_000).await;
    assert!(reply.starts_with("HTTP/1.1 507"), "{reply}");
    // 12 MiB fit; the client goes away after 9 MiB, a whole 8 MiB block and some.
    let sent = dav
        .request("PUT", "cut.bin")
        .header("content-length", 12 * MIB)
        .body(cut_body(9 * MIB))
        .send()
        .await;
    assert!(
        !sent.as_ref().is_ok_and(|r| r.status().is_success()),
        "{sent:?}"
    );
    dav.back_to(&before).await;
    assert_eq!(dav.send("GET", "cut.bin", &[], &[]).await.status, 404);
    assert_eq!(dav.names().await, ["kept.bin"]);
}

#[tokio::test]
async fn delete_goes_to_trash_and_overwrite_makes_version() {
    let dav = Dav::start(&[]).await;
    let (first, second) = (data(10_000, 1), data(25_000, 2));
    let a = dav.send("PUT", "plan.txt", &[], &first).await;
    assert_eq!(a.status, 201, "{a:?}");
    // RFC 4918 9.7.1: replacing answers 200 or 204.
    let a = dav.send("PUT", "plan.txt", &[], &second).await;
    assert!(matches!(a.status, 200 | 204), "{a:?}");
    assert_eq!(dav.send("GET", "plan.txt", &[], &[]).await.bytes, second);
    let id = dav.entry("plan.txt").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let versions = dav.files("versions", json!({"id": id})).await.json();
    assert_eq!(versions.as_array().map(Vec::len), Some(1), "{versions}");
    assert_eq!(versions[0]["size"], first.len());

    assert_eq!(dav.send("MKCOL", "old", &[], &[]).await.status, 201);
    let a = dav
        .send("PUT", "old/inside.txt", &[], b"in the trash")
        .await;
    assert_eq!(a.status, 201, "{a:?}");
    for path in ["plan.txt", "old/"] {
        let a = dav.send("DELETE", path, &[], &[]).await;
        assert!(matches!(a.status, 200 | 204), "DELETE {path}: {a:?}");
    }
    assert_eq!(dav.send("GET", "plan.txt", &[], &[]).await.status, 404);
    assert!(dav.names().await.is_empty());
    let trashed = dav.trash().await;
    // The same file (its id, so its version too), not a copy.
    assert!(
        trashed.iter().any(|e| e["id"] == id.as_str()),
        "{trashed:?}"
    );
    assert!(trashed.iter().any(|e| e["name"] == "old"), "{trashed:?}");
}

#[tokio::test]
async fn infinity_propfind_forbidden_and_hostile_names_refused() {
    let dav = Dav::start(&[]).await;
    for (name, body) in [("a.txt", b"alpha"), ("b.txt", b"bravo")] {
        let a = dav.send("PUT", name, &[], body).await;
        assert_eq!(a.status, 201, "{a:?}");
    }
    // RFC 4918 9.1: 403 with this precondition, rather than a walk of the whole drive.
    let a = dav
        .send("PROPFIND", "", &[("depth", "infinity")], &[])
        .await;
    assert_eq!(a.status, 403, "{a:?}");
    assert!(
        String::from_utf8_lossy(&a.bytes).contains("propfind-finite-depth"),
        "{a:?}"
    );

    // What the drive refuses everywhere: NUL and other control characters, a backslash,
    // only dots.
    for name in [
        "nul%00byte",
        "bell%07name",
        "line%0Abreak",
        "back%5Cslash",
        "...",
    ] {
        let a = dav.send("MKCOL", name, &[], &[]).await;
        assert_eq!(a.status, 400, "MKCOL {name}: {a:?}");
    }
    assert_eq!(dav.names().await, ["a.txt", "b.txt"]);

    let onto_b = dav.url("b.txt");
    let headers = [("destination", onto_b.as_str()), ("overwrite", "F")];
    let a = dav.send("MOVE", "a.txt", &headers, &[]).await;
    assert_eq!(a.status, 412, "{a:?}");
    // RFC 4918 9.9.4: 502 for a destination this WebDAV does not serve (403 is for a
    // destination equal to the source).
    let outside = format!("{}/api/files/moved.txt", dav.server.base);
    for destination in [outside.as_str(), "http://elsewhere.example/dav/moved.txt"] {
        let a = dav
            .send("MOVE", "a.txt", &[("destination", destination)], &[])
            .await;
        assert_eq!(a.status, 502, "MOVE to {destination}: {a:?}");
    }
    assert_eq!(dav.names().await, ["a.txt", "b.txt"]);
    assert_eq!(dav.send("GET", "a.txt", &[], &[]).await.bytes, b"alpha");
    assert_eq!(dav.send("GET", "b.txt", &[], &[]).await.bytes, b"bravo");
}

/// The text of the first `<D:name>` element of a PROPFIND answer.
fn prop(answer: &Answer, name: &str) -> String {
    let text = String::from_utf8_lossy(&answer.bytes);
    let start = text.find(&format!(":{name}>")).expect(name) + name.len() + 2;
    text[start..]
        .split('<')
        .next()
        .unwrap()
        .trim_matches('"')
        .to_owned()
}

#[tokio::test]
async fn etags_follow_the_content_quota_is_reported_and_a_move_onto_a_file_keeps_a_version() {
    let dav = Dav::start(&SMALL_QUOTA).await;
    let depth0 = [("depth", "0")];
    assert_eq!(dav.send("PUT", "a.txt", &[], b"first").await.status, 201);
    let etag = |a: &Answer| prop(a, "getetag");
    let one = dav.send("PROPFIND", "a.txt", &depth0, &[]).await;
    let again = dav.send("PROPFIND", "a.txt", &depth0, &[]).await;
    assert_eq!(etag(&one), etag(&again), "stable while the content is");
    dav.send("PUT", "a.txt", &[], b"second").await;
    let changed = dav.send("PROPFIND", "a.txt", &depth0, &[]).await;
    assert_ne!(etag(&one), etag(&changed), "changes with the content");

    let quota = br#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>
        <D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>"#;
    let top = dav.send("PROPFIND", "", &depth0, quota).await;
    assert_eq!(top.status, 207, "{top:?}");
    let used: u64 = prop(&top, "quota-used-bytes").parse().unwrap();
    let free: u64 = prop(&top, "quota-available-bytes").parse().unwrap();
    // "second" and the version "first".
    assert_eq!(used, 11);
    assert_eq!(used + free, 20_000_000);

    assert_eq!(dav.send("PUT", "b.txt", &[], b"moved in").await.status, 201);
    let target = dav.entry("a.txt").await["id"].as_str().unwrap().to_owned();
    let destination = dav.url("a.txt");
    let refused = dav
        .send(
            "MOVE",
            "b.txt",
            &[("destination", &destination), ("overwrite", "F")],
            &[],
        )
        .await;
    assert_eq!(refused.status, 412, "{refused:?}");
    let moved = dav
        .send("MOVE", "b.txt", &[("destination", &destination)], &[])
        .await;
    assert_eq!(moved.status, 204, "{moved:?}");
    assert_eq!(dav.send("GET", "a.txt", &[], &[]).await.bytes, b"moved in");
    assert_eq!(dav.names().await, ["a.txt"]);
    // The file keeps its id; what it held before is its newest version.
    assert_eq!(dav.entry("a.txt").await["id"], target.as_str());
    let versions = dav.files("versions", json!({"id": target})).await.json();
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
    assert_eq!(versions[0]["size"], 6);
}

#[tokio::test]
async fn a_folder_renamed_to_another_case_keeps_its_files() {
    let dav = Dav::start(&[]).await;
    assert_eq!(dav.send("MKCOL", "Docs", &[], &[]).await.status, 201);
    assert_eq!(
        dav.send("PUT", "Docs/a.txt", &[], b"kept").await.status,
        201
    );
    let destination = dav.url("docs/");
    let moved = dav
        .send("MOVE", "Docs/", &[("destination", &destination)], &[])
        .await;
    assert!(moved.status < 300, "{moved:?}");
    assert_eq!(dav.names().await, ["docs"]);
    assert_eq!(dav.send("GET", "docs/a.txt", &[], &[]).await.bytes, b"kept");
    assert!(dav.trash().await.is_empty());
}

#[tokio::test]
async fn a_folder_moved_into_itself_is_refused_and_nothing_is_trashed() {
    let dav = Dav::start(&[]).await;
    for folder in ["a", "a/sub"] {
        assert_eq!(dav.send("MKCOL", folder, &[], &[]).await.status, 201);
    }
    for method in ["MOVE", "COPY"] {
        let destination = dav.url("A/sub/");
        let a = dav
            .send(method, "a/", &[("destination", &destination)], &[])
            .await;
        assert_eq!(a.status, 403, "{method}: {a:?}");
    }
    assert_eq!(
        dav.send("PROPFIND", "a/sub/", &[("depth", "0")], &[])
            .await
            .status,
        207
    );
    assert!(dav.trash().await.is_empty());
}

#[tokio::test]
async fn a_script_or_a_page_put_over_webdav_is_served_inert_in_its_sandbox() {
    let dav = Dav::start(&[]).await;
    for (name, body, served_as) in [
        (
            "evil.js",
            "alert(document.domain)",
            "application/octet-stream",
        ),
        (
            "evil.css",
            "body { display: none }",
            "application/octet-stream",
        ),
        ("page.html", "<script>alert(1)</script>", "text/html"),
    ] {
        let put = dav.send("PUT", name, &[], body.as_bytes()).await;
        assert!(put.status == 201 || put.status == 204, "{name}: {put:?}");
        let got = dav.request("GET", name).send().await.unwrap();
        assert_eq!(got.status(), 200, "{name}");
        let header = |h: &str| got.headers()[h].to_str().unwrap().to_owned();
        assert!(header("content-type").starts_with(served_as), "{name}");
        assert_eq!(header("content-security-policy"), "sandbox", "{name}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{name}");
        assert_eq!(got.text().await.unwrap(), body, "{name}");
    }
}
