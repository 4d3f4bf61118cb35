//! The drive by path, as WebDAV clients use it: bodies of unknown length, empty files,
//! overwrites and moves onto files, locks across app servers, dead properties.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::*;
use crate::drive::tests::{alice, bob, drive, drive_with_storage, second_server};
use crate::drive::{set_quota, CHUNK_SIZE};

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What is at `path` ("" for the top); it must be there.
async fn at(dav: &WebDav<'_>, path: &str) -> Node {
    dav.lookup(&segments(path))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("nothing at {path:?}"))
}

async fn is_gone(dav: &WebDav<'_>, path: &str) -> bool {
    dav.lookup(&segments(path)).await.unwrap().is_none()
}

/// `len` bytes that do not repeat (BLAKE3's output stream for `seed`).
fn random_bytes(len: u64, seed: u8) -> Vec<u8> {
    let mut out = vec![0; usize::try_from(len).unwrap()];
    let mut hasher = blake3::Hasher::new();
    hasher.update(&[seed]);
    hasher.finalize_xof().fill(&mut out);
    out
}

/// A request body: `content` arriving in pieces of 64 KiB.
fn body(content: &[u8]) -> impl AsyncRead + Unpin + Send + 'static {
    let pieces: Vec<std::io::Result<Bytes>> = content
        .chunks(64 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    tokio_util::io::StreamReader::new(futures::stream::iter(pieces))
}

async fn collect(mut stream: BoxStream<'static, Result<Bytes, DriveError>>) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(piece) = stream.next().await {
        out.extend_from_slice(&piece.unwrap());
    }
    out
}

/// The whole content of the file at `path`.
async fn read_back(dav: &WebDav<'_>, path: &str) -> Vec<u8> {
    let file = at(dav, path).await;
    collect(dav.open(&file).await.unwrap().read(0..file.size)).await
}

fn hex_hash(content: &[u8]) -> String {
    blake3::hash(content).to_hex().to_string()
}

#[tokio::test]
async fn a_put_of_unknown_length_is_stored_whole_with_the_right_checksum() {
    let (drive, _dir) = drive_with_storage().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    let len = 2 * CHUNK_SIZE + 123;
    let content = random_bytes(len, 1);
    dav.put(&top, "streamed.bin", None, body(&content))
        .await
        .unwrap();
    dav.put(&top, "told.bin", Some(len), body(&content))
        .await
        .unwrap();
    let streamed = at(&dav, "streamed.bin").await;
    assert_eq!(streamed.size, len);
    assert_eq!(streamed.checksum, hex_hash(&content));
    assert_eq!(streamed.checksum, at(&dav, "told.bin").await.checksum);
    assert!(
        read_back(&dav, "streamed.bin").await == content,
        "the bytes read back differ"
    );
    // The reservation grew with the body and went once the file was stored.
    let usage = drive.usage(&me).await.unwrap();
    let stored = 2 * i64::try_from(len).unwrap();
    assert_eq!((usage.used_bytes, usage.reserved_bytes), (stored, 0));
}

#[tokio::test]
async fn a_put_of_unknown_length_beyond_the_quota_keeps_nothing() {
    let (drive, _dir) = drive_with_storage().await;
    // Room for two chunks; three arrive, so the reservation cannot grow for the second.
    let room = i64::try_from(2 * CHUNK_SIZE).unwrap();
    set_quota(&drive.db, "alice@example.com", room)
        .await
        .unwrap();
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    let content = random_bytes(3 * CHUNK_SIZE, 2);
    let err = dav
        .put(&top, "big.bin", None, body(&content))
        .await
        .unwrap_err();
    assert!(matches!(err, DriveError::QuotaExceeded { .. }), "{err:?}");
    assert!(is_gone(&dav, "big.bin").await);
    let usage = drive.usage(&me).await.unwrap();
    assert_eq!((usage.used_bytes, usage.reserved_bytes), (0, 0));
    let uploads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uploads")
        .fetch_one(&drive.db)
        .await
        .unwrap();
    assert_eq!(uploads, 0);
    // The chunk stored before the refusal is deleted from storage too.
    for region in drive.cluster.nodes() {
        let held = region.store.list(None, 10).await.unwrap();
        assert!(held.is_empty(), "{} holds {held:?}", region.spec.name);
    }
}

#[tokio::test]
async fn an_empty_file_can_be_put() {
    let (drive, _dir) = drive().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    dav.put(&top, "new.txt", Some(0), &b""[..]).await.unwrap();
    dav.put(&top, "untold.txt", None, &b""[..]).await.unwrap();
    for name in ["new.txt", "untold.txt"] {
        let file = at(&dav, name).await;
        assert_eq!((file.folder, file.size), (false, 0), "{name}");
        assert_eq!(file.checksum, hex_hash(b""), "{name}");
    }
}

#[tokio::test]
async fn a_put_onto_an_existing_file_keeps_the_old_content_as_a_version() {
    let (drive, _dir) = drive_with_storage().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    dav.put(&top, "notes.txt", Some(3), &b"old"[..])
        .await
        .unwrap();
    let before = at(&dav, "notes.txt").await;
    dav.put(&top, "notes.txt", Some(5), &b"newer"[..])
        .await
        .unwrap();
    let after = at(&dav, "notes.txt").await;
    assert_eq!(after.id, before.id, "the file keeps its id");
    assert_eq!(read_back(&dav, "notes.txt").await, b"newer");
    assert_eq!(dav.children(&top).await.unwrap().len(), 1);
    let versions = drive
        .versions(&me, &EntryId::from(after.id.as_str()))
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].size, 3);
}

fn prop(name: &str, value: &str) -> DeadProp {
    DeadProp {
        namespace: "urn:example:props".into(),
        name: name.into(),
        prefix: Some("x".into()),
        xml: Some(format!("<x:{name}>{value}</x:{name}>").into_bytes()),
    }
}

#[tokio::test]
async fn moving_a_file_onto_another_replaces_its_content_only_when_asked() {
    let (drive, _dir) = drive_with_storage().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    dav.put(&top, "draft.txt", Some(5), &b"draft"[..])
        .await
        .unwrap();
    dav.put(&top, "final.txt", Some(3), &b"old"[..])
        .await
        .unwrap();
    let (draft, target) = (at(&dav, "draft.txt").await, at(&dav, "final.txt").await);
    dav.patch_props(&draft, &[(true, prop("status", "draft"))])
        .await
        .unwrap();
    dav.patch_props(&target, &[(true, prop("status", "old"))])
        .await
        .unwrap();
    let used = drive.usage(&me).await.unwrap().used_bytes;

    let refused = dav.relocate(&draft, &top, "final.txt", false).await;
    assert!(
        matches!(refused, Err(DriveError::NameTaken(_))),
        "{refused:?}"
    );
    assert_eq!(read_back(&dav, "final.txt").await, b"old");

    dav.relocate(&draft, &top, "final.txt", true).await.unwrap();
    let moved = at(&dav, "final.txt").await;
    assert_eq!(moved.id, target.id, "the target keeps its id");
    assert_eq!(read_back(&dav, "final.txt").await, b"draft");
    assert_eq!(dav.props(&moved).await.unwrap(), [prop("status", "draft")]);
    assert!(is_gone(&dav, "draft.txt").await);
    let versions = drive
        .versions(&me, &EntryId::from(target.id.as_str()))
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    let old = drive
        .open(&me, &EntryId::from(versions[0].id.as_str()))
        .await
        .unwrap();
    assert_eq!(collect(old.read(0..3)).await, b"old");
    assert_eq!(drive.usage(&me).await.unwrap().used_bytes, used);
}

fn request(path: &str, shared: bool, deep: bool) -> LockRequest<'_> {
    LockRequest {
        path,
        root: format!("/dav/{path}"),
        principal: Some("alice"),
        owner_xml: None,
        timeout_secs: Some(60),
        shared,
        deep,
    }
}

/// Whether a lock is granted (`Ok(Err(_))` is the lock in the way).
async fn granted(dav: &WebDav<'_>, request: LockRequest<'_>) -> bool {
    dav.lock(request).await.unwrap().is_ok()
}

#[tokio::test]
async fn an_exclusive_lock_stops_any_other_while_shared_ones_go_together() {
    let (drive, _dir) = drive().await;
    let me = alice();
    let dav = drive.webdav(&me);
    assert!(granted(&dav, request("a.txt", false, false)).await);
    assert!(!granted(&dav, request("a.txt", false, false)).await);
    assert!(!granted(&dav, request("a.txt", true, false)).await);
    assert!(granted(&dav, request("b.txt", true, false)).await);
    assert!(granted(&dav, request("b.txt", true, false)).await);
    assert!(!granted(&dav, request("b.txt", false, false)).await);
    // Another user's drive has locks of its own.
    assert!(granted(&drive.webdav(&bob()), request("a.txt", false, false)).await);
}

#[tokio::test]
async fn a_deep_lock_covers_everything_inside_its_folder() {
    let (drive, _dir) = drive().await;
    let me = alice();
    let dav = drive.webdav(&me);
    // Locks are kept by the names as the drive compares them (without case).
    let folder = lock_path(&segments("Docs"));
    let inside = lock_path(&segments("docs/Plan.txt"));
    assert!(granted(&dav, request(&folder, false, true)).await);
    assert!(!granted(&dav, request(&inside, false, false)).await);
    assert!(granted(&dav, request("docsx", false, false)).await);
    // And the other way round: a lock inside stops a deep one above it.
    assert!(granted(&dav, request("other/x", false, false)).await);
    assert!(!granted(&dav, request("other", false, true)).await);
}

#[tokio::test]
async fn a_locked_file_can_be_changed_only_with_its_token() {
    let (drive, _dir) = drive().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let lock = dav
        .lock(request("a.txt", false, false))
        .await
        .unwrap()
        .unwrap();
    let token = [lock.token.clone()];
    assert!(dav
        .check("a.txt", Some("alice"), false, &token)
        .await
        .unwrap()
        .is_none());
    let stopped = dav.check("a.txt", Some("alice"), false, &[]).await.unwrap();
    assert_eq!(stopped.map(|l| l.token), Some(lock.token.clone()));
    assert!(dav
        .check("a.txt", Some("mallory"), false, &token)
        .await
        .unwrap()
        .is_some());
    assert!(dav.unlock("a.txt", &lock.token).await.unwrap());
    assert!(dav
        .check("a.txt", Some("alice"), false, &[])
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_lock_ends_when_its_timeout_passes_unless_refreshed() {
    let (drive, _dir) = drive().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let lock = dav
        .lock(request("a.txt", false, false))
        .await
        .unwrap()
        .unwrap();
    drive.clock.advance(59);
    assert!(!granted(&dav, request("a.txt", false, false)).await);
    dav.refresh("a.txt", &lock.token, Some(60))
        .await
        .unwrap()
        .unwrap();
    drive.clock.advance(59);
    assert!(!granted(&dav, request("a.txt", false, false)).await);
    drive.clock.advance(2);
    assert!(dav
        .check("a.txt", None, false, &[])
        .await
        .unwrap()
        .is_none());
    assert!(granted(&dav, request("a.txt", false, false)).await);
    // A lock asking for a day gets an hour.
    let long = LockRequest {
        timeout_secs: Some(86_400),
        ..request("b.txt", false, false)
    };
    let lock = dav.lock(long).await.unwrap().unwrap();
    assert_eq!(lock.timeout_secs, 3600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_ten_exclusive_locks_asked_at_once_of_two_servers_one_is_granted() {
    let (one, _dir) = drive().await;
    let two = second_server(&one).await;
    let tries = (0..10).map(|i| {
        let server = if i % 2 == 0 { one.clone() } else { two.clone() };
        tokio::spawn(async move {
            let alice = alice();
            let dav = server.webdav(&alice);
            // Whether it was granted.
            dav.lock(request("report.docx", false, false))
                .await
                .unwrap()
                .is_ok()
        })
    });
    let granted: Vec<bool> = futures::future::join_all(tries)
        .await
        .into_iter()
        .map(|joined| joined.unwrap())
        .collect();
    assert_eq!(granted.iter().filter(|g| **g).count(), 1, "{granted:?}");
}

#[tokio::test]
async fn properties_are_set_removed_and_follow_a_move() {
    let (drive, _dir) = drive().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    dav.put(&top, "a.txt", Some(0), &b""[..]).await.unwrap();
    dav.create_folder(&top, "Archive").await.unwrap();
    let file = at(&dav, "a.txt").await;
    dav.patch_props(
        &file,
        &[(true, prop("colour", "red")), (true, prop("size", "L"))],
    )
    .await
    .unwrap();
    assert_eq!(
        dav.props(&file).await.unwrap(),
        [prop("colour", "red"), prop("size", "L")]
    );
    dav.patch_props(
        &file,
        &[(true, prop("colour", "blue")), (false, prop("size", ""))],
    )
    .await
    .unwrap();
    assert_eq!(dav.props(&file).await.unwrap(), [prop("colour", "blue")]);

    let archive = at(&dav, "Archive").await;
    dav.relocate(&file, &archive, "b.txt", false).await.unwrap();
    let moved = at(&dav, "Archive/b.txt").await;
    assert_eq!(moved.id, file.id);
    assert_eq!(dav.props(&moved).await.unwrap(), [prop("colour", "blue")]);
}

#[tokio::test]
async fn a_copy_carries_the_bytes_and_the_properties() {
    let (drive, _dir) = drive_with_storage().await;
    let me = alice();
    let dav = drive.webdav(&me);
    let top = at(&dav, "").await;
    dav.put(&top, "a.txt", Some(5), &b"hello"[..])
        .await
        .unwrap();
    let file = at(&dav, "a.txt").await;
    dav.patch_props(&file, &[(true, prop("colour", "red"))])
        .await
        .unwrap();
    dav.copy(&file, &top, "copy.txt").await.unwrap();
    let copy = at(&dav, "copy.txt").await;
    assert_ne!(copy.id, file.id);
    assert_eq!(read_back(&dav, "copy.txt").await, b"hello");
    assert_eq!(dav.props(&copy).await.unwrap(), [prop("colour", "red")]);
    assert_eq!(dav.props(&file).await.unwrap(), [prop("colour", "red")]);
}
