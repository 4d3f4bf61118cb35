//! Two app servers behind one name, on one PostgreSQL database and one set of storage nodes,
//! answering any request in any order (no sticky sessions). Run by the test command's
//! PostgreSQL pass (`TEST_PG_ADMIN_URL`); without it these tests fail rather than skip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{json, Value};
use support::{TestServer, PASSWORD};

const CHUNK: usize = 8 * 1024 * 1024;

async fn pair(env: &[(&str, &str)]) -> (TestServer, TestServer) {
    assert!(
        support::on_postgres(),
        "two app servers need PostgreSQL: run through scripts/test.sh (it sets TEST_PG_ADMIN_URL)"
    );
    let mut a_env = vec![("SERVER_NAME", "app-a")];
    a_env.extend_from_slice(env);
    let a = TestServer::start_with(&a_env).await;
    let mut b_env = vec![("SERVER_NAME", "app-b")];
    b_env.extend_from_slice(env);
    let b = a.sibling(&b_env).await;
    (a, b)
}

async fn download(s: &TestServer, token: &str, id: &str) -> Vec<u8> {
    let link = s
        .post("/api/files/link", json!({"id": id}), Some(token))
        .await;
    assert_eq!(link.status, 200, "link: {link:?}");
    let url = format!("{}{}", s.base, link.json()["url"].as_str().unwrap());
    let r = s.http.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

async fn usage(s: &TestServer, token: &str) -> Value {
    s.post("/api/files/list", json!({}), Some(token))
        .await
        .json()["usage"]
        .clone()
}

#[tokio::test]
async fn an_upload_whose_chunks_alternate_between_servers_is_one_identical_file() {
    let (a, b) = pair(&[]).await;
    let email = a.verified_user("Alternating Uploader").await;
    let token = a.login(&email).await;
    let data = support::nodes::data(2 * CHUNK + 12_345, 11);
    let upload = b.start_upload(&token, "spread.bin", data.len()).await;
    for (index, chunk) in data.chunks(CHUNK).enumerate() {
        let server = if index % 2 == 0 { &a } else { &b };
        let sent = server
            .put_chunk(&token, &upload, index, chunk.to_vec())
            .await;
        assert_eq!(sent.status, 200, "chunk {index}: {sent:?}");
    }
    let id = a.finish_upload(&token, &upload).await;
    let id = id.as_str();
    // The checksum is the whole file's BLAKE3, though no server saw every chunk.
    let detail = b
        .post("/api/files/detail", json!({"id": id}), Some(&token))
        .await;
    assert_eq!(
        detail.json()["checksum"],
        blake3::hash(&data).to_hex().to_string()
    );
    assert_eq!(download(&a, &token, id).await, data);
    assert_eq!(download(&b, &token, id).await, data);
}

#[tokio::test]
async fn a_login_on_one_server_works_on_the_other_and_a_logout_on_either_ends_it() {
    let (a, b) = pair(&[]).await;
    let email = a.verified_user("Roaming User").await;
    // The password step on one server, the mailed code on the other: one secret key.
    let login = a
        .post(
            "/api/auth/login",
            json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, 200);
    let code = a.code(&email, "login code").await;
    let verified = b
        .post(
            "/api/auth/login/verify",
            json!({"email": email, "code": code}),
            None,
        )
        .await;
    assert_eq!(verified.status, 200, "{verified:?}");
    let token = verified.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(a.get("/api/user/info", Some(&token)).await.status, 200);
    assert_eq!(b.get("/api/user/info", Some(&token)).await.status, 200);
    assert_eq!(
        b.post("/api/auth/logout", json!({}), Some(&token))
            .await
            .status,
        200
    );
    assert_eq!(a.get("/api/user/info", Some(&token)).await.status, 401);
    assert_eq!(b.get("/api/user/info", Some(&token)).await.status, 401);
}

#[tokio::test]
async fn wrong_codes_and_the_per_ip_limit_count_across_servers() {
    let (a, b) = pair(&[("AUTH_RATE_LIMIT_PER_MINUTE", "1000")]).await;
    let email = a.verified_user("Guessed At").await;
    a.start_login(&email).await;
    let code = a.code(&email, "login code").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    // Five wrong tries in all kill the code, whichever server each reached.
    for (i, server) in [&a, &b, &a, &b, &b].into_iter().enumerate() {
        let r = server
            .post(
                "/api/auth/login/verify",
                json!({"email": email, "code": wrong}),
                None,
            )
            .await;
        assert_ne!(r.status, 200, "wrong try {i}");
    }
    let right = a
        .post(
            "/api/auth/login/verify",
            json!({"email": email, "code": code}),
            None,
        )
        .await;
    assert_ne!(
        right.status, 200,
        "the code died after five wrong tries: {right:?}"
    );
    drop((a, b));

    // The per-client limit: three requests a minute, spread over both servers.
    let (a, b) = pair(&[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    let resend = |s: &TestServer| {
        let url = format!("{}/api/auth/resend-code", s.base);
        let http = s.http.clone();
        async move {
            http.post(url)
                .json(&json!({"email": "who@example.com"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(resend(&a).await, 200);
    assert_eq!(resend(&b).await, 200);
    assert_eq!(resend(&a).await, 200);
    assert_eq!(resend(&b).await, 429);
    assert_eq!(resend(&a).await, 429);
}

#[tokio::test]
async fn a_server_killed_during_a_chunk_leaves_the_upload_to_the_other() {
    let (mut a, b) = pair(&[]).await;
    let email = a.verified_user("Crash Survivor").await;
    let token = a.login(&email).await;
    let data = support::nodes::data(2 * CHUNK, 23);
    let upload = a.start_upload(&token, "survivor.bin", data.len()).await;
    // Chunk 0 trickles into server A, which dies with part of it received.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let url = format!("{}/api/files/upload/{upload}/0", a.base);
    let sending = tokio::spawn({
        let request = a
            .http
            .put(url)
            .bearer_auth(&token)
            .header("content-length", CHUNK)
            .body(reqwest::Body::wrap_stream(
                tokio_stream::wrappers::ReceiverStream::new(rx),
            ));
        async move { request.send().await }
    });
    tx.send(Ok(Bytes::copy_from_slice(&data[..CHUNK / 2])))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.signal("KILL");
    a.wait_exit(Duration::from_secs(10)).await.expect("A died");
    drop(tx);
    // What A's client saw does not matter (the connection died with A).
    let _ = sending.await;
    // The client retries the chunk on B: it waits out A's claim (a few seconds), then goes on.
    let retried = Instant::now();
    let sent = b
        .put_chunk(&token, &upload, 0, data[..CHUNK].to_vec())
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert!(retried.elapsed() < Duration::from_secs(10));
    let sent = b
        .put_chunk(&token, &upload, 1, data[CHUNK..].to_vec())
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let id = b.finish_upload(&token, &upload).await;
    assert_eq!(download(&b, &token, &id).await, data);
    // Nothing is left reserved: what is used is exactly the file.
    let used = usage(&b, &token).await;
    assert_eq!(used["reserved_bytes"], 0);
    assert_eq!(used["used_bytes"], data.len());
}

#[tokio::test]
async fn the_leader_role_moves_to_the_other_server_when_the_leader_dies() {
    let (mut a, b) = pair(&[("ADMIN_EMAILS", "boss@example.com")]).await;
    let email = a.verified_user("Boss").await;
    assert_eq!(email, "boss@example.com");
    let token = a.login(&email).await;
    let jobs = |s: &TestServer| {
        let (http, url, token) = (
            s.http.clone(),
            format!("{}/api/cluster/jobs", s.base),
            token.clone(),
        );
        async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    // A started first and leads; B stands by, and says who leads.
    let seen = jobs(&b).await;
    assert_eq!(seen["server"], "app-b");
    assert_eq!(seen["leader"], "app-a");
    let standby = seen["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["state"] == "standby")
        .count();
    assert!(
        standby > 0,
        "B runs no leader-only job while A leads: {seen}"
    );
    a.signal("KILL");
    a.wait_exit(Duration::from_secs(10)).await.expect("A died");
    let killed = Instant::now();
    loop {
        let seen = jobs(&b).await;
        if seen["leader"] == "app-b" {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "B did not take over: {seen}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(killed.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn a_database_lost_while_running_answers_503_and_the_server_recovers_by_itself() {
    use sqlx::Connection;
    let (a, _b) = pair(&[]).await;
    let email = a.verified_user("Patient User").await;
    let token = a.login(&email).await;
    assert_eq!(a.get("/api/user/info", Some(&token)).await.status, 200);
    // The database goes away: it refuses new connections and drops the open ones.
    let url = a.database_url();
    let name = url.rsplit('/').next().unwrap().to_owned();
    sqlx::any::install_default_drivers();
    let admin_url = std::env::var("TEST_PG_ADMIN_URL").unwrap();
    let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
    for sql in [
        format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
        format!(
            "SELECT CAST(COUNT(pg_terminate_backend(pid)) AS BIGINT) FROM pg_stat_activity
             WHERE datname = '{name}'"
        ),
    ] {
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    }
    let lost = a.get("/api/user/info", Some(&token)).await;
    assert_eq!(lost.status, 503, "{lost:?}");
    assert!(lost.retry_after.is_some());
    assert!(
        !String::from_utf8_lossy(&lost.bytes).contains("postgres"),
        "{lost:?}"
    );
    // It comes back: the server reconnects by itself, the session still good.
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    let back = Instant::now();
    loop {
        let answer = a.get("/api/user/info", Some(&token)).await;
        if answer.status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "not recovered: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_share_link_holds_its_password_and_its_limit_across_servers() {
    let (a, b) = pair(&[("MAX_LINK_DOWNLOADS", "50")]).await;
    let email = a.verified_user("Sharing Twice").await;
    let token = a.login(&email).await;
    let content = support::nodes::data(3 * 1024 * 1024, 4);
    let sent = a
        .http
        .put(format!("{}/api/files/upload?name=shared.bin", a.base))
        .bearer_auth(&token)
        .body(content.clone())
        .send()
        .await
        .unwrap();
    let file: Value = sent.json().await.unwrap();
    let created = a
        .post(
            "/api/shares/create",
            json!({"item_id": file["id"], "kind": "download",
                   "password": "twin servers 1", "max_downloads": 1}),
            Some(&token),
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    let path = created.json()["url"].as_str().unwrap()[a.base.len()..].to_owned();

    // The password is given on one server; its cookie opens the link on the other.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let unlocked = plain
        .post(format!("{}{path}", a.base))
        .form(&[("password", "twin servers 1")])
        .send()
        .await
        .unwrap();
    assert_eq!(unlocked.status(), 303);
    let cookie = unlocked.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Ten downloads at once, half on each server, from a limit of one: one copy.
    let attempts = (0..10).map(|n| {
        let server = if n % 2 == 0 { &a } else { &b };
        let (plain, cookie) = (plain.clone(), cookie.clone());
        let url = format!("{}{path}/download", server.base);
        async move {
            let r = plain
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap().len())
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let copies = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(copies, 1, "{answers:?}");
    assert!(answers
        .iter()
        .all(|(s, len)| *s == 404 || (*s == 200 && *len == content.len())));
}

#[tokio::test]
async fn a_webdav_lock_taken_on_one_server_holds_on_the_other() {
    let (a, b) = pair(&[]).await;
    let email = a.verified_user("Locking Twice").await;
    let token = a.login(&email).await;
    let made = a
        .post(
            "/api/auth/app-passwords/create",
            json!({"name": "two servers", "password": PASSWORD}),
            Some(&token),
        )
        .await;
    assert_eq!(made.status, 200, "{made:?}");
    let app_password = made.json()["app_password"].as_str().unwrap().to_owned();
    let dav = |s: &TestServer, method: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        s.http
            .request(method, format!("{}/dav/notes.txt", s.base))
            .basic_auth(&email, Some(&app_password))
    };
    let lockinfo = r#"<?xml version="1.0" encoding="utf-8"?>
        <D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>
        <D:locktype><D:write/></D:locktype><D:owner>twin</D:owner></D:lockinfo>"#;
    let locked = dav(&a, "LOCK")
        .header("timeout", "Second-600")
        .body(lockinfo)
        .send()
        .await
        .unwrap();
    // A lock on a name not in use makes an empty file there (RFC 4918 9.10.4).
    assert_eq!(locked.status(), 201);
    let lock_token = locked.headers()["lock-token"].to_str().unwrap().to_owned();

    // Without the token the other server refuses the write; with it, it takes it.
    let refused = dav(&b, "PUT").body("from b").send().await.unwrap();
    assert_eq!(refused.status(), 423);
    let written = dav(&b, "PUT")
        .header("if", format!("({lock_token})"))
        .body("from b, holding the lock")
        .send()
        .await
        .unwrap();
    assert!(written.status().is_success(), "{}", written.status());
    let unlocked = dav(&b, "UNLOCK")
        .header("lock-token", &lock_token)
        .send()
        .await
        .unwrap();
    assert_eq!(unlocked.status(), 204);
    let after = dav(&a, "PUT")
        .body("from a, unlocked")
        .send()
        .await
        .unwrap();
    assert!(after.status().is_success(), "{}", after.status());
    let read = dav(&b, "GET").send().await.unwrap();
    assert_eq!(read.text().await.unwrap(), "from a, unlocked");
}
