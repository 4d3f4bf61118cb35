//! The drive's rules without storage nodes: names, folders, trash, quota reservations and
//! links. (Bytes through the cluster are tested against real nodes in `server/tests/drive.rs`;
//! tests that only need bytes stored and read back use `drive_with_storage`, in memory.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;

use super::*;
use crate::clock::Clock;
use crate::cluster::blob_store::{BlobError, GetBody, PutBody, RehashReport, StoreHealth};
use crate::cluster::{BlobStore, Node as StorageNode, NodeSpec, ObjectMeta, REGIONS};
use crate::db::test_db;
use crate::ids::{EntryId, UploadId, UserId};

pub(super) fn alice() -> UserId {
    UserId::from("alice")
}

pub(super) fn bob() -> UserId {
    UserId::from("bob")
}

fn eid(id: &str) -> EntryId {
    EntryId::from(id)
}

pub(super) async fn drive_with(settings: DriveSettings) -> (Arc<Drive>, tempfile::TempDir) {
    drive_on(settings, Vec::new()).await
}

/// A drive over these storage regions (none: the rules only, no bytes).
async fn drive_on(
    settings: DriveSettings,
    regions: Vec<StorageNode>,
) -> (Arc<Drive>, tempfile::TempDir) {
    let (db, dir) = test_db().await;
    for (id, quota) in [(&alice(), 1000), (&bob(), 1000)] {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, quota_bytes, created_at)
             VALUES ($1, $2 || '@example.com', $3, 'x', $4, 0)",
        )
        .bind(id)
        .bind(id)
        .bind(id)
        .bind(quota)
        .execute(&db)
        .await
        .unwrap();
    }
    // A clock that moves only when a test says so (time taken from a day in 2027).
    let clock = Clock::manual(1_800_000_000);
    let cluster = Cluster::with_stores(db.clone(), regions, clock.clone());
    let secrets = Arc::new(Secrets::for_tests());
    let hasher = crate::auth::Hasher::new(4);
    (
        Drive::new(db, cluster, secrets, settings, hasher, clock),
        dir,
    )
}

pub(super) async fn drive() -> (Arc<Drive>, tempfile::TempDir) {
    drive_with(DriveSettings::default()).await
}

/// A drive that keeps bytes: three regions in memory, and a gigabyte for each user.
pub(super) async fn drive_with_storage() -> (Arc<Drive>, tempfile::TempDir) {
    let regions = REGIONS
        .iter()
        .map(|region| StorageNode {
            spec: NodeSpec {
                name: format!("{region}-1"),
                region: (*region).to_owned(),
                url: format!("memory://{region}"),
            },
            store: Arc::new(MemoryStore::default()),
        })
        .collect();
    let (drive, dir) = drive_on(DriveSettings::default(), regions).await;
    for email in ["alice@example.com", "bob@example.com"] {
        set_quota(&drive.db, email, 1 << 30).await.unwrap();
    }
    (drive, dir)
}

/// Another app server on the same database: its own connections, the same storage and clock.
pub(super) async fn second_server(drive: &Drive) -> Arc<Drive> {
    let url = drive.db.connect_options().database_url.to_string();
    let db = crate::db::open(&url).await.unwrap();
    let cluster = Cluster::with_stores(
        db.clone(),
        drive.cluster.nodes().to_vec(),
        drive.clock.clone(),
    );
    Drive::new(
        db,
        cluster,
        Arc::new(Secrets::for_tests()),
        drive.settings.clone(),
        crate::auth::Hasher::new(4),
        drive.clock.clone(),
    )
}

/// A region's store in memory. An object is kept as the pieces the cluster sent, which the
/// regions share (the cluster hands each the same `Bytes`), so a copy costs no memory.
#[derive(Default)]
struct MemoryStore {
    objects: Mutex<HashMap<String, Vec<Bytes>>>,
}

impl MemoryStore {
    fn pieces(&self, id: &str) -> Result<Vec<Bytes>, BlobError> {
        let objects = self.objects.lock().unwrap();
        objects.get(id).cloned().ok_or(BlobError::NotFound)
    }
}

fn meta_of(id: &str, pieces: &[Bytes]) -> ObjectMeta {
    let mut hasher = blake3::Hasher::new();
    for piece in pieces {
        hasher.update(piece);
    }
    ObjectMeta {
        id: id.to_owned(),
        size: pieces.iter().map(|p| u64::try_from(p.len()).unwrap()).sum(),
        checksum: hasher.finalize().to_hex().to_string(),
    }
}

#[async_trait::async_trait]
impl BlobStore for MemoryStore {
    fn location(&self) -> &str {
        "memory"
    }

    async fn health(&self, _timeout: Duration) -> Result<StoreHealth, BlobError> {
        Ok(StoreHealth::default())
    }

    async fn put(
        &self,
        id: &str,
        mut body: PutBody,
        checksum: Option<&str>,
    ) -> Result<ObjectMeta, BlobError> {
        let mut pieces = Vec::new();
        while let Some(piece) = body.next().await {
            pieces.push(piece.map_err(|e| BlobError::Unreachable(e.to_string()))?);
        }
        let meta = meta_of(id, &pieces);
        if checksum.is_some_and(|c| c != meta.checksum) {
            return Err(BlobError::Status(422, "checksum mismatch".into()));
        }
        self.objects.lock().unwrap().insert(id.to_owned(), pieces);
        Ok(meta)
    }

    async fn get_from(&self, id: &str, offset: u64) -> Result<GetBody, BlobError> {
        let mut skip = offset;
        let mut from: Vec<Result<Bytes, BlobError>> = Vec::new();
        for piece in self.pieces(id)? {
            let len = u64::try_from(piece.len()).unwrap();
            if skip >= len {
                skip -= len;
                continue;
            }
            from.push(Ok(piece.slice(usize::try_from(skip).unwrap()..)));
            skip = 0;
        }
        Ok(futures::stream::iter(from).boxed())
    }

    async fn head(&self, id: &str) -> Result<ObjectMeta, BlobError> {
        Ok(meta_of(id, &self.pieces(id)?))
    }

    async fn delete(&self, id: &str) -> Result<(), BlobError> {
        self.objects.lock().unwrap().remove(id);
        Ok(())
    }

    async fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<ObjectMeta>, BlobError> {
        let mut metas: Vec<ObjectMeta> = {
            let objects = self.objects.lock().unwrap();
            objects
                .iter()
                .filter(|(id, _)| after.is_none_or(|a| id.as_str() > a))
                .map(|(id, pieces)| meta_of(id, pieces))
                .collect()
        };
        metas.sort_by(|a, b| a.id.cmp(&b.id));
        metas.truncate(limit);
        Ok(metas)
    }

    async fn rehash(&self, id: &str) -> Result<RehashReport, BlobError> {
        let recorded = self.head(id).await?;
        Ok(RehashReport {
            actual_checksum: recorded.checksum.clone(),
            actual_size: recorded.size,
            recorded,
        })
    }
}

fn upload(name: &str, size: u64) -> UploadStart {
    UploadStart {
        name: name.into(),
        size,
        folder_id: None,
        mime: None,
        fingerprint: None,
        on_conflict: OnConflict::Fail,
    }
}

/// A file's record in `folder`, without bytes (so no storage nodes needed).
pub(super) async fn file_record(drive: &Drive, name: &str, folder: Option<&str>) -> Entry {
    let id = uuid::Uuid::new_v4().to_string();
    let name = names::clean(name).unwrap();
    sqlx::query(
        "INSERT INTO entries (id, user_id, parent_id, kind, name, name_key, size, mime,
                              checksum, created_at, modified_at)
         VALUES ($1, 'alice', $2, 'file', $3, $4, 0, 'text/plain', '', 0, 0)",
    )
    .bind(&id)
    .bind(folder.unwrap_or_default())
    .bind(&name.display)
    .bind(&name.key)
    .execute(&drive.db)
    .await
    .unwrap();
    drive.entry(&alice(), &id).await.unwrap()
}

async fn names_in(drive: &Drive, user: &UserId, folder: Option<&str>) -> Vec<String> {
    let query = ListQuery {
        folder_id: folder.map(str::to_owned),
        ..ListQuery::default()
    };
    let listing = drive.list(user, &query).await.unwrap();
    listing.entries.into_iter().map(|e| e.name).collect()
}

#[tokio::test]
async fn an_upload_beyond_the_remaining_quota_is_refused_up_front() {
    let (drive, _dir) = drive().await;
    let err = drive
        .start_upload(&alice(), &upload("big.iso", 1001))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        DriveError::QuotaExceeded {
            needed: 1001,
            free: 1000,
            ..
        }
    ));
    assert!(err.to_string().contains("has 1.0 KB left"), "{err}");
    // A size near the largest integer is refused the same way, not by an overflow (which
    // PostgreSQL reports as an error where SQLite went on in floating point).
    for size in [i64::MAX as u64, u64::MAX] {
        let err = drive
            .start_upload(&alice(), &upload("huge.iso", size))
            .await
            .unwrap_err();
        assert!(
            matches!(err, DriveError::QuotaExceeded { .. }),
            "{size}: {err:?}"
        );
    }
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 0);
}

#[tokio::test]
async fn a_users_quota_can_be_raised_on_its_own() {
    let (drive, _dir) = drive().await;
    set_quota(&drive.db, "alice@example.com", 5000)
        .await
        .unwrap();
    drive
        .start_upload(&alice(), &upload("big.iso", 4000))
        .await
        .unwrap();
    assert!(drive
        .start_upload(&bob(), &upload("big.iso", 4000))
        .await
        .is_err());
    assert!(matches!(
        set_quota(&drive.db, "nobody@example.com", 1).await,
        Err(DriveError::NotFound(_))
    ));
}

#[tokio::test]
async fn concurrent_uploads_cannot_overshoot_the_quota() {
    let (drive, _dir) = drive().await;
    let starts = (0..10).map(|i| {
        let drive = drive.clone();
        async move {
            drive
                .start_upload(&alice(), &upload(&format!("f{i}"), 300))
                .await
        }
    });
    let outcomes = futures::future::join_all(starts).await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 3);
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 900);
}

#[tokio::test]
async fn cancelled_and_abandoned_uploads_release_their_reservation() {
    let settings = DriveSettings {
        upload_expiry: Duration::ZERO,
        ..DriveSettings::default()
    };
    let (drive, _dir) = drive_with(settings).await;
    let ticket = drive
        .start_upload(&alice(), &upload("a", 400))
        .await
        .unwrap();
    drive
        .cancel_upload(&alice(), &UploadId::from(ticket.upload_id.as_str()))
        .await
        .unwrap();
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 0);

    let ticket = drive
        .start_upload(&alice(), &upload("b", 400))
        .await
        .unwrap();
    drive.clock.advance(1);
    drive.sweep().await.unwrap();
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 0);
    assert!(matches!(
        drive
            .finish_upload(&alice(), &UploadId::from(ticket.upload_id.as_str()))
            .await,
        Err(DriveError::NotFound(_))
    ));
}

#[tokio::test]
async fn starting_the_same_upload_again_resumes_it() {
    let (drive, _dir) = drive().await;
    let first = drive
        .start_upload(&alice(), &upload("movie.mp4", 500))
        .await
        .unwrap();
    let again = drive
        .start_upload(&alice(), &upload("movie.mp4", 500))
        .await
        .unwrap();
    assert_eq!(first.upload_id, again.upload_id);
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 500);
    // Another file of the same name and size (another fingerprint) starts over.
    let edited = UploadStart {
        fingerprint: Some("modified 2026-11-24".into()),
        ..upload("movie.mp4", 500)
    };
    let fresh = drive.start_upload(&alice(), &edited).await.unwrap();
    assert_ne!(fresh.upload_id, first.upload_id);
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 500);
    // Another size under the same name replaces the unfinished attempt.
    let other = drive
        .start_upload(&alice(), &upload("movie.mp4", 600))
        .await
        .unwrap();
    assert_ne!(other.upload_id, first.upload_id);
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 600);
}

#[tokio::test]
async fn chunks_out_of_order_or_of_the_wrong_size_are_refused() {
    let (drive, _dir) = drive().await;
    let ticket = drive
        .start_upload(&alice(), &upload("a", 100))
        .await
        .unwrap();
    let (alice, upload_id) = (alice(), UploadId::from(ticket.upload_id.as_str()));
    let put =
        |index, announced| drive.put_chunk(&alice, &upload_id, index, announced, &[0u8; 100][..]);
    assert!(put(1, None)
        .await
        .unwrap_err()
        .to_string()
        .contains("there is no chunk 1"));
    assert!(put(0, Some(99))
        .await
        .unwrap_err()
        .to_string()
        .contains("exactly 100 bytes"));
    assert!(matches!(
        drive
            .put_chunk(
                &bob(),
                &UploadId::from(ticket.upload_id.as_str()),
                0,
                None,
                &[0u8; 100][..]
            )
            .await,
        Err(DriveError::NotFound(_))
    ));
}

#[tokio::test]
async fn an_empty_file_is_refused() {
    let (drive, _dir) = drive().await;
    let err = drive
        .start_upload(&alice(), &upload("empty.txt", 0))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"empty.txt\" is empty (0 bytes): there is nothing to upload."
    );
    assert!(drive.pending_uploads(&alice()).await.unwrap().is_empty());
    assert!(names_in(&drive, &alice(), None).await.is_empty());
}

#[tokio::test]
async fn names_collide_after_normalisation_and_case_folding() {
    let (drive, _dir) = drive().await;
    drive
        .create_folder(&alice(), None, "R\u{e9}sum\u{e9}")
        .await
        .unwrap();
    let err = drive
        .create_folder(&alice(), None, "re\u{301}sume\u{301}")
        .await
        .unwrap_err();
    assert!(matches!(err, DriveError::NameTaken(_)), "{err}");
    let err = drive
        .start_upload(&alice(), &upload("RÉSUMÉ", 1))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already in this folder"));
    // Another user's drive is another namespace.
    drive.create_folder(&bob(), None, "Résumé").await.unwrap();
    assert_eq!(names_in(&drive, &alice(), None).await, ["Résumé"]);
}

#[tokio::test]
async fn folders_nest_move_and_refuse_cycles() {
    let (drive, _dir) = drive().await;
    let docs = drive.create_folder(&alice(), None, "Docs").await.unwrap();
    let inner = drive
        .create_folder(&alice(), Some(&eid(&docs.id)), "2026")
        .await
        .unwrap();
    let file = file_record(&drive, "notes.txt", None).await;

    drive
        .move_to(&alice(), &eid(&file.id), Some(&eid(&inner.id)))
        .await
        .unwrap();
    let listing = drive
        .list(
            &alice(),
            &ListQuery {
                folder_id: Some(inner.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let crumbs: Vec<_> = listing.path.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(crumbs, ["Docs", "2026"]);
    assert_eq!(listing.entries[0].name, "notes.txt");

    let err = drive
        .move_to(&alice(), &eid(&docs.id), Some(&eid(&inner.id)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("into itself"));
    let renamed = drive
        .rename(&alice(), &eid(&file.id), "Notes (final).txt")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Notes (final).txt");
    assert!(matches!(
        drive.rename(&alice(), &eid(&file.id), "a/b").await,
        Err(DriveError::Invalid(_))
    ));

    let search = ListQuery {
        search: Some("FINAL".into()),
        ..Default::default()
    };
    let found = drive.list(&alice(), &search).await.unwrap().entries;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].parent_id.as_deref(), Some(inner.id.as_str()));
}

/// A chain of `levels` folders named `name 0`, `name 1`...; returns their ids, top first.
async fn folder_chain(drive: &Drive, name: &str, levels: usize) -> Vec<EntryId> {
    let mut ids: Vec<EntryId> = Vec::new();
    for level in 0..levels {
        let parent = ids.last();
        let folder = drive
            .create_folder(&alice(), parent, &format!("{name} {level}"))
            .await
            .unwrap();
        ids.push(eid(&folder.id));
    }
    ids
}

#[tokio::test]
async fn folders_nest_at_most_64_deep_whether_created_or_moved() {
    let (drive, _dir) = drive().await;
    let deep = folder_chain(&drive, "deep", 64).await;
    let err = drive
        .create_folder(&alice(), deep.last(), "one more")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Folders nest at most 64 deep.");

    // Three levels fit under level 60 (61 + 3 = 64), not under level 61.
    let three = folder_chain(&drive, "three", 3).await;
    let err = drive
        .move_to(&alice(), &three[0], Some(&deep[61]))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Folders nest at most 64 deep.");
    drive
        .move_to(&alice(), &three[0], Some(&deep[60]))
        .await
        .unwrap();
    // A file goes anywhere a folder is, and the deepest breadcrumbs reach the top.
    let file = file_record(&drive, "deep.txt", None).await;
    drive
        .move_to(&alice(), &eid(&file.id), Some(&three[2]))
        .await
        .unwrap();
    let listing = drive
        .list(
            &alice(),
            &ListQuery {
                folder_id: Some(three[2].to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listing.path.len(), 64);
    assert_eq!(listing.path[0].id, deep[0].as_str());
    assert_eq!(listing.entries[0].name, "deep.txt");
}

#[tokio::test]
async fn another_users_ids_read_as_missing() {
    let (drive, _dir) = drive().await;
    let folder = drive
        .create_folder(&alice(), None, "Private")
        .await
        .unwrap();
    for outcome in [
        drive
            .rename(&bob(), &eid(&folder.id), "mine")
            .await
            .map(|_| ()),
        drive.trash(&bob(), &eid(&folder.id)).await.map(|_| ()),
        drive
            .move_to(&bob(), &eid(&folder.id), None)
            .await
            .map(|_| ()),
        drive.restore(&bob(), &eid(&folder.id)).await.map(|_| ()),
        drive
            .download_link(&bob(), &eid(&folder.id))
            .await
            .map(|_| ()),
        drive
            .create_folder(&bob(), Some(&eid(&folder.id)), "x")
            .await
            .map(|_| ()),
    ] {
        assert!(
            matches!(outcome, Err(DriveError::NotFound(_))),
            "{outcome:?}"
        );
    }
    assert_eq!(names_in(&drive, &alice(), None).await, ["Private"]);
}

#[tokio::test]
async fn trash_hides_restores_and_empties() {
    let (drive, _dir) = drive().await;
    let folder = drive.create_folder(&alice(), None, "Old").await.unwrap();
    let file = file_record(&drive, "a.txt", Some(&folder.id)).await;

    drive.trash(&alice(), &eid(&folder.id)).await.unwrap();
    assert!(names_in(&drive, &alice(), None).await.is_empty());
    let search = ListQuery {
        search: Some("a.txt".into()),
        ..Default::default()
    };
    assert!(drive
        .list(&alice(), &search)
        .await
        .unwrap()
        .entries
        .is_empty());
    assert!(drive.download_link(&alice(), &eid(&file.id)).await.is_err());
    let trash: Vec<_> = drive
        .trash_list(&alice())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(trash, ["Old"]);

    // A new "Old" meanwhile: restoring the trashed one says why it cannot.
    let newer = drive.create_folder(&alice(), None, "Old").await.unwrap();
    assert!(matches!(
        drive.restore(&alice(), &eid(&folder.id)).await,
        Err(DriveError::NameTaken(_))
    ));
    drive.trash(&alice(), &eid(&newer.id)).await.unwrap();
    drive.restore(&alice(), &eid(&folder.id)).await.unwrap();
    assert_eq!(
        names_in(&drive, &alice(), Some(&folder.id)).await,
        ["a.txt"]
    );

    drive.empty_trash(&alice()).await.unwrap();
    assert!(drive.trash_list(&alice()).await.unwrap().is_empty());
    assert_eq!(names_in(&drive, &alice(), None).await, ["Old"]);
}

#[tokio::test]
async fn download_links_are_bound_to_file_user_and_time() {
    let (drive, _dir) = drive().await;
    let file = file_record(&drive, "a.txt", None).await;
    let signed = drive.download_link(&alice(), &eid(&file.id)).await.unwrap();
    let (link, sig) = (signed.clone(), signed.sig.clone());
    assert_eq!(
        drive.check_link(&eid(&file.id), &signed).await.unwrap(),
        alice()
    );

    let later = SignedLink {
        expires: link.expires + 3600,
        sig: sig.clone(),
    };
    assert!(matches!(
        drive.check_link(&eid(&file.id), &later).await,
        Err(DriveError::Forbidden(_))
    ));
    let mut forged = sig.into_bytes();
    forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
    let forged = SignedLink {
        expires: link.expires,
        sig: String::from_utf8(forged).unwrap(),
    };
    assert!(matches!(
        drive.check_link(&eid(&file.id), &forged).await,
        Err(DriveError::Forbidden(_))
    ));
    let expired = SignedLink {
        expires: 1,
        sig: drive.link_mac(&alice(), &file.id, 1),
    };
    let err = drive
        .check_link(&eid(&file.id), &expired)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_account_has_at_most_so_many_unfinished_uploads_however_they_race() {
    let (drive, _dir) = drive_with(DriveSettings {
        max_unfinished_uploads: 3,
        ..DriveSettings::default()
    })
    .await;
    // Ten starts at once, each of its own file: three get in.
    let started = futures::future::join_all((0..10).map(|i| {
        let drive = drive.clone();
        tokio::spawn(async move {
            let name = format!("f{i}");
            (
                name.clone(),
                drive.start_upload(&alice(), &upload(&name, 10)).await,
            )
        })
    }))
    .await;
    let ok: Vec<_> = started.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(ok.iter().filter(|(_, r)| r.is_ok()).count(), 3);
    let refused = ok.iter().find_map(|(_, r)| r.as_ref().err()).unwrap();
    assert!(matches!(refused, DriveError::Conflict(_)), "{refused:?}");
    assert!(
        refused.to_string().contains("3 unfinished uploads"),
        "{refused}"
    );
    // Only what the three reserved is held; another account is not affected.
    assert_eq!(drive.usage(&alice()).await.unwrap().reserved_bytes, 30);
    drive.start_upload(&bob(), &upload("b", 10)).await.unwrap();
    // Resuming one of the three is no new upload; cancelling one makes room.
    let (name, first) = ok
        .iter()
        .find_map(|(name, r)| Some((name, r.as_ref().ok()?)))
        .unwrap();
    let again = drive
        .start_upload(&alice(), &upload(name, 10))
        .await
        .unwrap();
    assert_eq!(again.upload_id, first.upload_id);
    drive
        .cancel_upload(&alice(), &UploadId::from(first.upload_id.as_str()))
        .await
        .unwrap();
    drive
        .start_upload(&alice(), &upload("after", 10))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_account_holds_at_most_so_many_items_counting_the_trash_and_uploads() {
    let (drive, _dir) = drive_with(DriveSettings {
        max_items: 3,
        ..DriveSettings::default()
    })
    .await;
    let a = drive.create_folder(&alice(), None, "a").await.unwrap();
    drive.create_folder(&alice(), None, "b").await.unwrap();
    drive
        .start_upload(&alice(), &upload("c.bin", 10))
        .await
        .unwrap();
    let err = drive.create_folder(&alice(), None, "d").await.unwrap_err();
    assert!(
        matches!(err, DriveError::TooManyItems { items: 2, max: 3 }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("the most an account may have (3)"),
        "{err}"
    );
    assert!(matches!(
        drive.start_upload(&alice(), &upload("e.bin", 10)).await,
        Err(DriveError::TooManyItems { .. })
    ));
    // Other accounts are not touched; the trash still counts until emptied.
    drive.create_folder(&bob(), None, "d").await.unwrap();
    drive.trash(&alice(), &eid(&a.id)).await.unwrap();
    assert!(drive.create_folder(&alice(), None, "d").await.is_err());
    drive.empty_trash(&alice()).await.unwrap();
    drive.create_folder(&alice(), None, "d").await.unwrap();
}

/// Every page of a listing, following the cursors; the names in order.
async fn all_pages(drive: &Drive, query: ListQuery) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    let mut pages = 0;
    let mut cursor = None;
    loop {
        let page = drive
            .list(
                &alice(),
                &ListQuery {
                    cursor,
                    ..query.clone()
                },
            )
            .await
            .unwrap();
        pages += 1;
        names.extend(page.entries.into_iter().map(|e| e.name));
        cursor = page.next_cursor;
        if cursor.is_none() {
            return (names, pages);
        }
    }
}

#[tokio::test]
async fn listings_come_in_pages_that_neither_repeat_nor_skip() {
    let (drive, _dir) = drive().await;
    for name in ["delta", "Alpha", "charlie", "bravo"] {
        drive.create_folder(&alice(), None, name).await.unwrap();
        drive.clock.advance(1);
    }
    for name in ["z.txt", "y.txt", "x.txt", "w.txt", "v.txt"] {
        file_record(&drive, name, None).await;
    }
    let by_name = ListQuery {
        limit: Some(2),
        ..ListQuery::default()
    };
    let (names, pages) = all_pages(&drive, by_name.clone()).await;
    assert_eq!(
        names,
        ["Alpha", "bravo", "charlie", "delta", "v.txt", "w.txt", "x.txt", "y.txt", "z.txt"]
    );
    assert_eq!(pages, 5);
    let descending = ListQuery {
        descending: true,
        sort: SortBy::Date,
        limit: Some(4),
        ..ListQuery::default()
    };
    let (names, _) = all_pages(&drive, descending.clone()).await;
    assert_eq!(names.len(), 9, "{names:?}");
    assert_eq!(
        &names[..4],
        ["bravo", "charlie", "Alpha", "delta"],
        "newest first"
    );

    // Something added before where a page ended does not push a row onto the next page twice.
    let first = drive.list(&alice(), &by_name).await.unwrap();
    drive
        .create_folder(&alice(), None, "aardvark")
        .await
        .unwrap();
    let second = drive
        .list(
            &alice(),
            &ListQuery {
                cursor: first.next_cursor.clone(),
                ..by_name.clone()
            },
        )
        .await
        .unwrap();
    let names: Vec<_> = second.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["charlie", "delta"]);

    // A cursor is for the order it came from; a forged one is refused, not obeyed.
    for cursor in [first.next_cursor.clone().unwrap(), "garbage".into()] {
        let err = drive
            .list(
                &alice(),
                &ListQuery {
                    cursor: Some(cursor),
                    ..descending.clone()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, DriveError::Invalid(_)), "{err:?}");
    }
}
