//! File versions over HTTP: an upload that replaces keeps the old content as a version, which
//! downloads, restores and deletes; versions count against the quota and go by age and count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

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

impl Owner {
    async fn start(env: &[(&str, &str)]) -> Owner {
        Owner(Account::start("Vera Version", env).await)
    }

    async fn put(&self, name: &str, bytes: &[u8], on_conflict: Option<&str>) -> Answer {
        self.put_file(name, None, bytes, on_conflict).await
    }

    async fn files(&self, endpoint: &str, body: Value) -> Answer {
        self.call(&format!("/api/files/{endpoint}"), body).await
    }

    async fn download(&self, id: &str) -> Vec<u8> {
        let link = self.files("link", json!({"id": id})).await;
        assert_eq!(link.status, 200, "{link:?}");
        let url = format!(
            "{}{}",
            self.server.base,
            link.json()["url"].as_str().unwrap()
        );
        let r = self.server.http.get(url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap().to_vec()
    }

    async fn versions(&self, id: &str) -> Vec<Value> {
        let a = self.files("versions", json!({"id": id})).await;
        assert_eq!(a.status, 200, "{a:?}");
        a.json().as_array().unwrap().clone()
    }

    async fn used(&self) -> i64 {
        self.files("list", json!({})).await.json()["usage"]["used_bytes"]
            .as_i64()
            .unwrap()
    }
}

#[tokio::test]
async fn replacing_keeps_a_version_that_downloads_restores_and_deletes() {
    let owner = Owner::start(&[]).await;
    let first = vec![1u8; 10_000];
    let second = vec![2u8; 25_000];
    let a = owner.put("plan.txt", &first, None).await;
    assert_eq!(a.status, 200, "{a:?}");
    let id = a.json()["id"].as_str().unwrap().to_owned();

    // The default is today's refusal; "keep both" numbers the name.
    let a = owner.put("plan.txt", &second, None).await;
    assert_eq!(a.status, 409, "{a:?}");
    let a = owner.put("plan.txt", &second, Some("keep_both")).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json()["name"], "plan (1).txt");
    assert_eq!(owner.names().await, ["plan (1).txt", "plan.txt"]);
    let used = owner.used().await;

    // "Replace": the same file (id, links) with the new content; the old one is a version.
    let a = owner.put("plan.txt", &second, Some("replace")).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json()["id"], id.as_str());
    assert_eq!(a.json()["size"], second.len());
    assert_eq!(owner.download(&id).await, second);
    let versions = owner.versions(&id).await;
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["size"], first.len());
    assert_eq!(versions[0]["share_id"], "");
    let old = versions[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(owner.download(&old).await, first);
    assert_eq!(
        owner.used().await,
        used + i64::try_from(second.len()).unwrap()
    );

    // Restoring swaps them: the replaced content is a version in turn.
    let a = owner.files("versions/restore", json!({"id": old})).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.json()["size"], first.len());
    assert_eq!(owner.download(&id).await, first);
    let versions = owner.versions(&id).await;
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["size"], second.len());
    assert_eq!(
        owner.download(versions[0]["id"].as_str().unwrap()).await,
        second
    );
    assert_eq!(
        owner.used().await,
        used + i64::try_from(second.len()).unwrap()
    );

    // Someone else's version ids are not found; deleting frees the bytes.
    let stranger_email = owner.server.verified_user("Someone Else").await;
    let stranger = owner.server.login(&stranger_email).await;
    let version = versions[0]["id"].as_str().unwrap();
    for endpoint in ["versions/restore", "versions/delete", "link"] {
        let a = owner
            .server
            .post(
                &format!("/api/files/{endpoint}"),
                json!({"id": version}),
                Some(&stranger),
            )
            .await;
        assert_eq!(a.status, 404, "{endpoint}: {a:?}");
    }
    let a = owner.files("versions/delete", json!({"id": version})).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(owner.versions(&id).await.is_empty());
    assert_eq!(owner.used().await, used);
    let a = owner
        .files("versions/restore", json!({"id": version}))
        .await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn versions_go_beyond_the_newest_few_and_after_their_days_and_with_their_file() {
    let mut owner = Owner::start(&[
        ("VERSIONS_KEEP", "2"),
        ("VERSIONS_DAYS", "30"),
        ("DEBUG_CLOCK", "1"),
        ("DRIVE_SWEEP_INTERVAL_SECS", "1"),
    ])
    .await;
    let id = owner.put("log.txt", &[0u8; 1000], None).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 1..=4u8 {
        let a = owner
            .put("log.txt", &vec![n; 1000 + usize::from(n)], Some("replace"))
            .await;
        assert_eq!(a.status, 200, "{a:?}");
    }
    let versions = owner.versions(&id).await;
    let sizes: Vec<i64> = versions
        .iter()
        .map(|v| v["size"].as_i64().unwrap())
        .collect();
    assert_eq!(sizes, [1003, 1002], "the newest two stay");
    assert_eq!(owner.used().await, 1004 + 1003 + 1002);
    let objects = owner.server.sql_number("SELECT COUNT(*) FROM blocks").await;
    assert_eq!(objects, 3);

    // Thirty days on, the sweeper takes them; the file stays.
    owner.server.advance_clock(31 * 24 * 3600).await;
    owner.0.token = owner.server.login(&owner.email).await;
    let mut left = usize::MAX;
    for _ in 0..100 {
        left = owner.versions(&id).await.len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0);
    assert_eq!(owner.used().await, 1004);
    assert_eq!(owner.download(&id).await, vec![4u8; 1004]);

    // A file deleted for good takes its versions with it.
    owner.put("log.txt", &[9u8; 10], Some("replace")).await;
    assert_eq!(owner.versions(&id).await.len(), 1);
    assert_eq!(owner.files("delete", json!({"id": id})).await.status, 200);
    let trash = owner.files("list", json!({})).await.json()["usage"]["trash_bytes"].clone();
    assert_eq!(
        trash,
        1004 + 10,
        "the trash counts the versions it would free"
    );
    assert_eq!(owner.files("trash/empty", json!({})).await.status, 200);
    assert_eq!(owner.used().await, 0);
    assert_eq!(
        owner
            .server
            .sql_number("SELECT COUNT(*) FROM versions")
            .await,
        0
    );
    assert_eq!(
        owner.server.sql_number("SELECT COUNT(*) FROM blocks").await,
        0
    );
}
