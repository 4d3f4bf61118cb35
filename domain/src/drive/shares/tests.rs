#![allow(clippy::unwrap_used, clippy::expect_used)]

use model::shares::{ShareKind, ShareRequest};

use crate::drive::tests::{alice, bob, drive, file_record};
use crate::drive::{Drive, DriveError};
use crate::ids::EntryId;

fn request(item: &str, kind: ShareKind) -> ShareRequest {
    ShareRequest {
        item_id: item.into(),
        kind,
        password: None,
        expires_at: None,
        max_downloads: None,
    }
}

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339()
}

fn token(url: &str) -> &str {
    url.strip_prefix("/s/").unwrap()
}

async fn is_gone(drive: &Drive, url: &str) -> bool {
    matches!(
        drive.open_share(token(url), "1.2.3.4").await,
        Err(DriveError::NotFound(_))
    )
}

#[tokio::test]
async fn a_link_works_until_revoked_and_its_url_is_derived_again_for_the_owner() {
    let (drive, _dir) = drive().await;
    let file = file_record(&drive, "notes.txt", None).await;
    let created = drive
        .create_share(&alice(), &request(&file.id, ShareKind::Download))
        .await
        .unwrap();
    let opened = drive
        .open_share(token(&created.url), "1.2.3.4")
        .await
        .unwrap();
    assert_eq!(opened.root.name, "notes.txt");
    assert!(!opened.needs_password());
    let listed = drive.shares(&alice()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].url, created.url,
        "the owner can copy the link again"
    );
    assert!(drive.shares(&bob()).await.unwrap().is_empty());
    // The token's secret half is not in the database.
    let stored: String = sqlx::query_scalar("SELECT id FROM shares")
        .fetch_one(&drive.db)
        .await
        .unwrap();
    assert!(!created.url.ends_with(&stored));

    let mut altered = created.url.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    assert!(is_gone(&drive, &altered).await);
    assert!(is_gone(&drive, "/s/nonsense").await);

    assert!(matches!(
        drive.revoke_share(&bob(), &created.id).await,
        Err(DriveError::NotFound(_))
    ));
    drive.revoke_share(&alice(), &created.id).await.unwrap();
    assert!(is_gone(&drive, &created.url).await);
    assert!(drive.shares(&alice()).await.unwrap().is_empty());
}

#[tokio::test]
async fn expiry_and_the_trash_end_a_link_for_good() {
    let (drive, _dir) = drive().await;
    let folder = drive.create_folder(&alice(), None, "Photos").await.unwrap();
    let inside = file_record(&drive, "a.jpg", Some(&folder.id)).await;
    let mut expiring = request(&inside.id, ShareKind::View);
    expiring.expires_at = Some(rfc3339(drive.clock.now() + 3600));
    let expiring = drive.create_share(&alice(), &expiring).await.unwrap();
    let of_folder = drive
        .create_share(&alice(), &request(&folder.id, ShareKind::Download))
        .await
        .unwrap();
    drive.clock.advance(3599);
    assert!(!is_gone(&drive, &expiring.url).await);
    drive.clock.advance(1);
    assert!(is_gone(&drive, &expiring.url).await);

    let mut past = request(&inside.id, ShareKind::View);
    for when in [rfc3339(drive.clock.now() - 1), "next tuesday".into()] {
        past.expires_at = Some(when);
        assert!(matches!(
            drive.create_share(&alice(), &past).await,
            Err(DriveError::Invalid(_))
        ));
    }

    // Trashing the folder kills its link and the links to what is inside; restoring it does
    // not bring them back.
    let file_link = drive
        .create_share(&alice(), &request(&inside.id, ShareKind::Download))
        .await
        .unwrap();
    drive
        .trash(&alice(), &EntryId::from(folder.id.as_str()))
        .await
        .unwrap();
    assert!(is_gone(&drive, &of_folder.url).await);
    assert!(is_gone(&drive, &file_link.url).await);
    drive
        .restore(&alice(), &EntryId::from(folder.id.as_str()))
        .await
        .unwrap();
    assert!(is_gone(&drive, &of_folder.url).await);
    assert!(is_gone(&drive, &file_link.url).await);
    assert!(drive.shares(&alice()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_folder_link_reaches_inside_it_and_nowhere_else() {
    let (drive, _dir) = drive().await;
    let shared = drive.create_folder(&alice(), None, "Shared").await.unwrap();
    let sub = drive
        .create_folder(&alice(), Some(&EntryId::from(shared.id.as_str())), "Sub")
        .await
        .unwrap();
    let deep = file_record(&drive, "deep.txt", Some(&sub.id)).await;
    let private = file_record(&drive, "private.txt", None).await;
    let link = drive
        .create_share(&alice(), &request(&shared.id, ShareKind::Download))
        .await
        .unwrap();
    let share = drive.open_share(token(&link.url), "c").await.unwrap();

    let top = drive.shared_folder(&share, None).await.unwrap();
    assert_eq!(
        top.entries.iter().map(|e| &e.name).collect::<Vec<_>>(),
        ["Sub"]
    );
    let inner = drive.shared_folder(&share, Some(&sub.id)).await.unwrap();
    assert_eq!(
        inner.path.iter().map(|c| &c.name).collect::<Vec<_>>(),
        ["Sub"]
    );
    assert_eq!(inner.entries[0].name, "deep.txt");
    let (found, _) = drive.shared_entry(&share, Some(&deep.id)).await.unwrap();
    assert_eq!(found.id, deep.id);
    let tree = drive.shared_tree(&share, &share.root).await.unwrap();
    let paths: Vec<_> = tree.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["Sub/", "Sub/deep.txt"]);

    // The owner's other ids, and ids that do not exist, are not found through the link.
    for outside in [private.id.as_str(), "nonexistent", ""] {
        assert!(
            matches!(
                drive.shared_entry(&share, Some(outside)).await,
                Err(DriveError::NotFound(_))
            ),
            "{outside}"
        );
    }
    // Something moved out of the shared folder is out of reach at once.
    drive
        .move_to(&alice(), &EntryId::from(deep.id.as_str()), None)
        .await
        .unwrap();
    assert!(drive.shared_entry(&share, Some(&deep.id)).await.is_err());
}

#[tokio::test]
async fn a_drop_is_a_folder_and_shows_nothing_of_it() {
    let (drive, _dir) = drive().await;
    let file = file_record(&drive, "x.txt", None).await;
    assert!(matches!(
        drive
            .create_share(&alice(), &request(&file.id, ShareKind::Drop))
            .await,
        Err(DriveError::Invalid(_))
    ));
    let folder = drive.create_folder(&alice(), None, "Inbox").await.unwrap();
    file_record(&drive, "secret.txt", Some(&folder.id)).await;
    let link = drive
        .create_share(&alice(), &request(&folder.id, ShareKind::Drop))
        .await
        .unwrap();
    let share = drive.open_share(token(&link.url), "c").await.unwrap();
    assert!(drive.shared_folder(&share, None).await.is_err());
    assert!(!share.allows_download());
}

#[tokio::test]
async fn wrong_link_passwords_lock_out_only_the_guessing_client() {
    let (drive, _dir) = drive().await;
    let file = file_record(&drive, "tax.pdf", None).await;
    let mut with_password = request(&file.id, ShareKind::Download);
    with_password.password = Some("open sesame".into());
    let mut short = with_password.clone();
    short.password = Some("1234567".into());
    assert!(matches!(
        drive.create_share(&alice(), &short).await,
        Err(DriveError::Invalid(_))
    ));
    let link = drive.create_share(&alice(), &with_password).await.unwrap();
    let share = drive.open_share(token(&link.url), "c").await.unwrap();
    assert!(share.needs_password());
    assert!(!drive.is_unlocked(&share, None));
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM shares")
        .fetch_one(&drive.db)
        .await
        .unwrap();
    assert!(hash.starts_with("$2"), "stored as bcrypt");

    for _ in 0..5 {
        assert!(matches!(
            drive.unlock_share(&share, "guess", "6.6.6.6").await,
            Err(DriveError::Forbidden(_))
        ));
    }
    // Locked now for the guesser, even with the right password...
    assert!(matches!(
        drive.unlock_share(&share, "open sesame", "6.6.6.6").await,
        Err(DriveError::Throttled { .. })
    ));
    // ...but not for the people the link was sent to.
    let proof = drive
        .unlock_share(&share, "open sesame", "1.2.3.4")
        .await
        .unwrap();
    assert!(drive.is_unlocked(&share, Some(&proof)));
    assert!(!drive.is_unlocked(&share, Some("forged")));
    // Revoking ends the proof with the link.
    drive.revoke_share(&alice(), &link.id).await.unwrap();
    let others = drive.create_share(&alice(), &with_password).await.unwrap();
    let other = drive.open_share(token(&others.url), "c").await.unwrap();
    assert!(!drive.is_unlocked(&other, Some(&proof)));
}

#[tokio::test]
async fn a_download_limit_gives_one_copy_however_many_ask_at_once() {
    let (drive, _dir) = drive().await;
    let file = file_record(&drive, "film.mkv", None).await;
    let mut limited = request(&file.id, ShareKind::Download);
    limited.max_downloads = Some(1);
    let link = drive.create_share(&alice(), &limited).await.unwrap();
    let share = drive.open_share(token(&link.url), "c").await.unwrap();

    let attempts = (0..10).map(|_| drive.count_download(&share, &file.id, "9.9.9.9", true));
    let outcomes = futures::future::join_all(attempts).await;
    let counted: Vec<_> = outcomes.into_iter().filter_map(Result::ok).collect();
    assert_eq!(
        counted.len(),
        1,
        "exactly one of ten starts gets the single download"
    );
    let count = counted.into_iter().next().unwrap().unwrap();
    assert!(drive.open_share(token(&link.url), "8.8.8.8").await.is_err());

    // A download that breaks off gives its count back.
    drop(count);
    let mut given_back = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        if drive.open_share(token(&link.url), "8.8.8.8").await.is_ok() {
            given_back = true;
            break;
        }
    }
    assert!(given_back, "the broken-off download was given back");

    // The same client's ranged requests within the minute reuse a count; another client's do
    // not, and to anyone else the used-up link is gone.
    let count = drive
        .count_download(&share, &file.id, "9.9.9.9", true)
        .await
        .unwrap()
        .unwrap();
    assert!(drive
        .count_download(&share, &file.id, "9.9.9.9", false)
        .await
        .unwrap()
        .is_none());
    assert!(drive
        .count_download(&share, &file.id, "8.8.8.8", false)
        .await
        .is_err());
    assert!(drive.open_share(token(&link.url), "9.9.9.9").await.is_ok());
    assert!(drive.open_share(token(&link.url), "8.8.8.8").await.is_err());
    // Once reused, a count stays even if its first request breaks off (the client may have
    // every byte by then).
    drop(count);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(drive.open_share(token(&link.url), "8.8.8.8").await.is_err());
    drive.clock.advance(61);
    assert!(drive.open_share(token(&link.url), "9.9.9.9").await.is_err());
    assert_eq!(drive.shares(&alice()).await.unwrap()[0].downloads, 1);
}
