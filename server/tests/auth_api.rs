//! The accounts API over HTTP against the real server binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use support::{TestServer, PASSWORD};

#[tokio::test]
async fn five_wrong_codes_kill_the_code() {
    let s = TestServer::start().await;
    let email = s.verified_user("Wrong Coder").await;
    s.start_login(&email).await;
    let right = s.code(&email, "login code").await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let mut answers = Vec::new();
    for _ in 0..5 {
        let a = s
            .post(
                "/api/auth/login/verify",
                json!({"email": email, "code": wrong}),
                None,
            )
            .await;
        assert_eq!(a.status, 400);
        assert!(a.message().contains("5 tries"), "{}", a.message());
        answers.push(a.bytes);
    }
    // Even the right code is dead now, and says so in the same words.
    let a = s
        .post(
            "/api/auth/login/verify",
            json!({"email": email, "code": right}),
            None,
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.json().get("token").is_none());
    answers.push(a.bytes);
    // A stranger guessing at an address with no login under way reads the same.
    let stranger = s
        .post(
            "/api/auth/login/verify",
            json!({"email": "nobody@example.com", "code": wrong}),
            None,
        )
        .await;
    answers.push(stranger.bytes);
    answers.dedup();
    assert_eq!(answers.len(), 1, "login/verify answers differ");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let s = TestServer::start().await;
    let email = s.verified_user("Late Comer").await;
    s.start_login(&email).await;
    let code = s.code(&email, "login code").await;
    // Eleven minutes pass.
    s.sql("UPDATE auth_codes SET created_at = created_at - 660, expires_at = expires_at - 660")
        .await;
    let a = s
        .post(
            "/api/auth/login/verify",
            json!({"email": email, "code": code}),
            None,
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.message().contains("no longer valid"), "{}", a.message());
}

#[tokio::test]
async fn a_resent_code_replaces_the_old_one() {
    let s = TestServer::start().await;
    let email = s.verified_user("Re Sender").await;
    s.start_login(&email).await;
    let first = s.code(&email, "login code").await;

    // Within 30 s a resend answers as always but mails nothing.
    let early = s
        .post("/api/auth/resend-code", json!({"email": email}), None)
        .await;
    assert_eq!(early.status, 200);
    assert!(
        early.message().contains("ask again in 30 s"),
        "{}",
        early.message()
    );

    s.sql("UPDATE limit_events SET at = at - 31").await;
    s.sql("UPDATE auth_codes SET created_at = created_at - 31")
        .await;
    let a = s
        .post("/api/auth/resend-code", json!({"email": email}), None)
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        early.bytes, a.bytes,
        "a sent and an unsent code answer alike"
    );
    s.wait_for_mails(&email, "login code", 2).await;
    assert_eq!(s.count_mails(&email, "login code"), 2);
    let second = s.code(&email, "login code").await;
    if first != second {
        let old = s
            .post(
                "/api/auth/login/verify",
                json!({"email": email, "code": first}),
                None,
            )
            .await;
        assert_eq!(old.status, 400, "the old code still worked");
    }
    let new = s
        .post(
            "/api/auth/login/verify",
            json!({"email": email, "code": second}),
            None,
        )
        .await;
    assert_eq!(new.status, 200, "{new:?}");
}

#[tokio::test]
async fn the_same_code_submitted_twice_at_once_succeeds_once() {
    let s = TestServer::start().await;
    let email = s.verified_user("Double Clicker").await;
    for round in 0..5 {
        s.sql("DELETE FROM auth_codes").await;
        s.sql("DELETE FROM limit_events").await;
        s.start_login(&email).await;
        let code = s.code(&email, "login code").await;
        let body = json!({"email": email, "code": code});
        let (a, b) = tokio::join!(
            s.post("/api/auth/login/verify", body.clone(), None),
            s.post("/api/auth/login/verify", body.clone(), None),
        );
        let wins = [a.status, b.status].iter().filter(|&&st| st == 200).count();
        assert_eq!(wins, 1, "round {round}: {a:?} {b:?}");
    }
}

#[tokio::test]
async fn unknown_account_and_wrong_password_answer_byte_for_byte_alike() {
    let s = TestServer::start().await;
    let email = s.verified_user("Probe Target").await;
    let wrong = s
        .post(
            "/api/auth/login",
            json!({"email": email, "password": "not-the-password-9"}),
            None,
        )
        .await;
    let unknown = s
        .post(
            "/api/auth/login",
            json!({"email": "nobody@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.bytes, unknown.bytes);

    // Registering an existing email answers like a new registration; the owner is told.
    s.sql("UPDATE limit_events SET at = at - 31").await;
    let fresh = s
        .post(
            "/api/auth/register",
            json!({"email": "new@example.com", "password": PASSWORD, "name": "New"}),
            None,
        )
        .await;
    let taken = s
        .post(
            "/api/auth/register",
            json!({"email": email, "password": PASSWORD, "name": "Imposter"}),
            None,
        )
        .await;
    assert_eq!(fresh.status, taken.status);
    assert_eq!(fresh.bytes, taken.bytes);
    s.wait_for_mails(&email, "someone tried to sign up", 1)
        .await;
}

#[tokio::test]
async fn unverified_accounts_are_sent_to_verification() {
    let s = TestServer::start().await;
    let a = s
        .post(
            "/api/auth/register",
            json!({"email": "unv@example.com", "password": PASSWORD, "name": "Unv"}),
            None,
        )
        .await;
    assert_eq!(a.status, 200);
    let a = s
        .post(
            "/api/auth/login",
            json!({"email": "unv@example.com", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["next"], "verify_email");
    assert!(s
        .subjects_to("unv@example.com")
        .iter()
        .all(|m| !m.contains("login code")));
}

#[tokio::test]
async fn revoked_and_expired_tokens_get_401() {
    let s = TestServer::start().await;
    let email = s.verified_user("Token Holder").await;

    let token = s.login(&email).await;
    let info = s.get("/api/user/info", Some(&token)).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["name"], "Token Holder");
    assert_eq!(info.json()["quota_bytes"], 5_000_000_000i64);

    // Logout revokes the token on the server.
    assert_eq!(
        s.post("/api/auth/logout", json!({}), Some(&token))
            .await
            .status,
        200
    );
    assert_eq!(s.get("/api/user/info", Some(&token)).await.status, 401);

    // Revoked from another session.
    let a = s.login(&email).await;
    let b = s.login(&email).await;
    assert_ne!(a, b, "every login gets a new token");
    let sessions = s
        .post("/api/auth/sessions", json!({}), Some(&b))
        .await
        .json();
    let list = sessions.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let a_id = list.iter().find(|x| x["current"] == false).unwrap()["id"].clone();
    let revoked = s
        .post("/api/auth/sessions/revoke", json!({"id": a_id}), Some(&b))
        .await;
    assert_eq!(revoked.status, 200);
    assert_eq!(
        s.post("/api/user/info", json!({}), Some(&a)).await.status,
        401
    );
    assert_eq!(
        s.post("/api/user/info", json!({}), Some(&b)).await.status,
        200
    );

    // Idle for longer than the idle timeout (7 days by default).
    s.sql("UPDATE sessions SET last_used_at = last_used_at - 8 * 86400")
        .await;
    assert_eq!(s.get("/api/user/info", Some(&b)).await.status, 401);

    // Past the absolute lifetime, however recently used.
    let c = s.login(&email).await;
    s.sql("UPDATE sessions SET expires_at = 0").await;
    assert_eq!(s.get("/api/user/info", Some(&c)).await.status, 401);
}

#[tokio::test]
async fn another_users_session_cannot_be_revoked() {
    let s = TestServer::start().await;
    let mallory = s.login(&s.verified_user("Mallory").await).await;
    let alice = s.login(&s.verified_user("Alice").await).await;
    let alice_sessions = s.get("/api/auth/sessions", Some(&alice)).await.json();
    let alice_id = alice_sessions[0]["id"].clone();
    let a = s
        .post(
            "/api/auth/sessions/revoke",
            json!({"id": alice_id}),
            Some(&mallory),
        )
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(s.get("/api/user/info", Some(&alice)).await.status, 200);
}

#[tokio::test]
async fn private_endpoints_need_a_bearer_token() {
    let s = TestServer::start().await;
    for path in [
        "/api/user/info",
        "/api/auth/sessions",
        "/api/auth/logout",
        "/api/auth/sessions/revoke",
    ] {
        let none = s.post(path, json!({}), None).await;
        assert_eq!(none.status, 401, "{path} without a token");
        assert!(
            none.message().contains("log in"),
            "{path}: {}",
            none.message()
        );
        let bogus = s.post(path, json!({}), Some("not-a-token")).await;
        assert_eq!(bogus.status, 401, "{path} with a bogus token");
    }
}

#[tokio::test]
async fn repeated_password_failures_back_off() {
    let s = TestServer::start().await;
    let email = s.verified_user("Guess Target").await;
    let bad = json!({"email": email, "password": "wrong-password-123"});
    for _ in 0..5 {
        assert_eq!(
            s.post("/api/auth/login", bad.clone(), None).await.status,
            400
        );
    }
    let locked = s.post("/api/auth/login", bad.clone(), None).await;
    assert_eq!(locked.status, 429);
    // 30 s from the fifth failure, counted when it arrived: a second or two less by now on the
    // wall clock (a bcrypt check ran in between). The exact figures: domain's throttle tests.
    let wait = locked.retry_after.clone().unwrap_or_default();
    let secs: u32 = wait.parse().unwrap_or(0);
    assert!((25..=30).contains(&secs), "Retry-After: {wait:?}");
    assert!(
        locked.message().contains(&format!("Try again in {wait} s")),
        "{}",
        locked.message()
    );
    // Even the right password waits out the lock.
    let right = s
        .post(
            "/api/auth/login",
            json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(right.status, 429);
}

#[tokio::test]
async fn one_address_is_limited_on_the_auth_endpoints() {
    let s = TestServer::start_with(&[("AUTH_RATE_LIMIT_PER_MINUTE", "5")]).await;
    let body = json!({"email": "who@example.com"});
    for _ in 0..5 {
        assert_eq!(
            s.post("/api/auth/resend-code", body.clone(), None)
                .await
                .status,
            200
        );
    }
    let limited = s.post("/api/auth/resend-code", body.clone(), None).await;
    assert_eq!(limited.status, 429);
    assert!(limited.retry_after.is_some());
    // Pages and other APIs are not limited.
    assert_eq!(s.get("/", None).await.status, 200);
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_creates_nothing() {
    let s = TestServer::start().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "X"}),
            "valid email",
        ),
        (
            json!({"email": "x@example.com", "password": "short", "name": "X"}),
            "at least 8",
        ),
        (
            json!({"email": "x@example.com", "password": "a".repeat(73), "name": "X"}),
            "at most 72 bytes",
        ),
        (
            json!({"email": "x@example.com", "password": "password123", "name": "X"}),
            "too easy to guess",
        ),
        (
            json!({"email": "x@example.com", "password": PASSWORD, "name": "  "}),
            "Enter your name",
        ),
        (json!({"email": "x@example.com"}), "malformed"),
    ];
    for (body, expected) in cases {
        let a = s.post("/api/auth/register", body.clone(), None).await;
        assert_eq!(a.status, 400, "{body}");
        assert!(a.message().contains(expected), "{body}: {}", a.message());
    }
    assert!(s.subjects_to("x@example.com").is_empty());
}

#[tokio::test]
async fn the_home_page_is_server_rendered() {
    let s = TestServer::start().await;
    let home = s.get("/", None).await;
    assert_eq!(home.status, 200);
    let html = String::from_utf8_lossy(&home.bytes);
    assert!(html.contains("Your files, kept in three regions at once."));
    assert_eq!(s.get("/no/such/page", None).await.status, 404);

    // The page names its script, WASM and stylesheet by content hash; each is served and may
    // be cached for a year.
    let assets: Vec<&str> = html
        .split('"')
        .filter(|part| part.starts_with("/pkg/clouddrive."))
        .collect();
    for kind in [".js", ".wasm", ".css"] {
        let asset = assets.iter().find(|a| a.ends_with(kind));
        let asset = asset.unwrap_or_else(|| panic!("no {kind} in {assets:?}"));
        assert_ne!(*asset, format!("/pkg/clouddrive{kind}"), "not hashed");
        let answer = s
            .http
            .get(format!("{}{asset}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{asset}");
        assert_eq!(
            answer.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    let missing = s
        .get("/pkg/clouddrive.AAAAAAAAAAAAAAAAAAAAAA.js", None)
        .await;
    assert_eq!(
        (missing.status, missing.bytes.len()),
        (404, 0),
        "a plain 404"
    );
}

#[tokio::test]
async fn pages_and_json_are_compressed_for_clients_that_accept_it() {
    let s = TestServer::start().await;
    let get = |path: &str, accept: &str| {
        s.http
            .get(format!("{}{path}", s.base))
            .header("accept-encoding", accept)
            .send()
    };
    let encoding = |r: &reqwest::Response| {
        r.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let plain = get("/api/skillshare/teachers", "identity").await.unwrap();
    assert_eq!(encoding(&plain), None);
    let json = plain.bytes().await.unwrap();
    assert!(json.len() > 1024, "the catalogue is {} bytes", json.len());
    let packed = get("/api/skillshare/teachers", "br").await.unwrap();
    assert_eq!(encoding(&packed).as_deref(), Some("br"));
    assert!(packed.bytes().await.unwrap().len() < json.len() / 2);
    let page = get("/", "gzip").await.unwrap();
    assert_eq!(encoding(&page).as_deref(), Some("gzip"));
    assert_eq!(&page.bytes().await.unwrap()[..2], &[0x1f, 0x8b]);
    // Small answers are not worth it.
    let small = get("/api/user/info", "br").await.unwrap();
    assert_eq!((small.status().as_u16(), encoding(&small)), (401, None));
}

#[tokio::test]
async fn every_answer_names_its_request_id_and_errors_carry_their_own_status() {
    let s = TestServer::start().await;
    let request_id = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let page = s.http.get(format!("{}/", s.base)).send().await.unwrap();
    let id = request_id(&page).expect("an id on a page");
    assert!(
        id.len() == 36 && id.matches('-').count() == 4,
        "a UUID: {id}"
    );
    // A server function that fails answers its own status (not 500), with an id too.
    let refused = s
        .http
        .post(format!("{}/api/auth/sessions", s.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let other = request_id(&refused).expect("an id on an error");
    assert_ne!(other, id, "one id per request");
    // An id sent by any client is not taken over...
    let sent = |s: &TestServer, id: &'static str| {
        s.http
            .get(format!("{}/healthz", s.base))
            .header("x-request-id", id)
            .send()
    };
    let replaced = sent(&s, "from-the-proxy-42").await.unwrap();
    assert_ne!(request_id(&replaced).as_deref(), Some("from-the-proxy-42"));
    // ...but one from a trusted proxy is, so both logs tell the same story (if it looks like
    // an id).
    let behind_proxy = TestServer::start_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let kept = sent(&behind_proxy, "from-the-proxy-42").await.unwrap();
    assert_eq!(request_id(&kept).as_deref(), Some("from-the-proxy-42"));
    let odd = sent(&behind_proxy, "two words").await.unwrap();
    assert_ne!(request_id(&odd).as_deref(), Some("two words"));
}
