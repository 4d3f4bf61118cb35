//! The accounts tried as an attacker would, against the real server binary: concurrent
//! guesses, squatting, resets, authenticator apps, headers, client addresses, file modes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use support::{Answer, TestServer, PASSWORD};

const NEW_PASSWORD: &str = "a-whole-new-passphrase-31";

fn wrong_code_for(right: &str) -> &'static str {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
}

async fn verify_login(s: &TestServer, email: &str, code: &str) -> Answer {
    s.post(
        "/api/auth/login/verify",
        json!({"email": email, "code": code}),
        None,
    )
    .await
}

#[tokio::test]
async fn thirty_concurrent_wrong_login_codes_give_no_token_and_take_at_most_five_tries() {
    let s = TestServer::start().await;
    let email = s.verified_user("Code Grinder").await;
    s.start_login(&email).await;
    let right = s.code(&email, "login code").await;
    let wrong = wrong_code_for(&right);
    let guesses = (0..30).map(|_| verify_login(&s, &email, wrong));
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|a| a.json().get("token").is_none()));
    assert!(
        answers.iter().all(|a| a.status == 400 || a.status == 429),
        "{answers:?}"
    );
    let tries = s.sql_number("SELECT MAX(tries) FROM auth_codes").await;
    assert_eq!(tries, 5, "tries counted on the code");
    // The code is dead, even for its owner.
    let late = verify_login(&s, &email, &right).await;
    assert!(late.json().get("token").is_none(), "{late:?}");
}

#[tokio::test]
async fn resends_never_reset_the_hourly_limit_of_ten_wrong_codes() {
    let s = TestServer::start().await;
    let email = s.verified_user("Patient Grinder").await;
    s.start_login(&email).await;
    let (mut refused, mut wrong_answers) = (0, 0);
    for round in 1..=3 {
        if round > 1 {
            // The previous code has no tries left, so a new one is mailed at once.
            let a = s
                .post("/api/auth/resend-code", json!({"email": email}), None)
                .await;
            assert_eq!(a.status, 200);
            s.wait_for_mails(&email, "login code", round).await;
        }
        let right = s.code(&email, "login code").await;
        for _ in 0..5 {
            let a = verify_login(&s, &email, wrong_code_for(&right)).await;
            match a.status {
                400 => wrong_answers += 1,
                429 => {
                    refused += 1;
                    let wait: u64 = a.retry_after.as_deref().unwrap().parse().unwrap();
                    assert!((3000..=3600).contains(&wait), "Retry-After {wait}");
                    assert!(a.message().contains("minutes"), "{}", a.message());
                }
                other => panic!("unexpected {other}: {a:?}"),
            }
        }
        if round == 3 {
            // Locked: even the right code waits for the hour to pass.
            assert_eq!(verify_login(&s, &email, &right).await.status, 429);
        }
    }
    assert_eq!((wrong_answers, refused), (10, 5));
    assert_eq!(s.count_mails(&email, "someone is trying codes"), 1);
}

#[tokio::test]
async fn of_twenty_concurrent_wrong_passwords_at_most_five_are_checked() {
    let s = TestServer::start().await;
    let email = s.verified_user("Password Target").await;
    let body = json!({"email": email, "password": "not-the-password-9"});
    let tries = (0..20).map(|_| s.post("/api/auth/login", body.clone(), None));
    let answers = futures::future::join_all(tries).await;
    let checked = answers.iter().filter(|a| a.status == 400).count();
    let refused = answers.iter().filter(|a| a.status == 429).count();
    assert!(checked <= 5, "{checked} wrong passwords were checked");
    assert_eq!(checked + refused, 20, "{answers:?}");
    // Unknown addresses are throttled alike.
    let body = json!({"email": "nobody@example.com", "password": "not-the-password-9"});
    let tries = (0..20).map(|_| s.post("/api/auth/login", body.clone(), None));
    let unknown = futures::future::join_all(tries).await;
    assert_eq!(unknown.iter().filter(|a| a.status == 400).count(), checked);
}

/// The squatter registers the owner's address first; the owner registers, then verifies with
/// one of the two codes in their inbox and their own password.
async fn squatting(use_squatters_code: bool) {
    let s = TestServer::start().await;
    let email = "owner@example.com";
    let squatter = "squatter-chose-this-77";
    let register = |password: &'static str, name: &'static str| {
        s.post(
            "/api/auth/register",
            json!({"email": email, "password": password, "name": name}),
            None,
        )
    };
    assert_eq!(register(squatter, "Squatter").await.status, 200);
    let squatters_code = s.code(email, "verification code").await;
    // The next sign-up is past the 30 s between two codes.
    s.sql("UPDATE limit_events SET at = at - 31").await;
    assert_eq!(register(PASSWORD, "Owner").await.status, 200);
    s.wait_for_mails(email, "verification code", 2).await;
    let code = if use_squatters_code {
        squatters_code
    } else {
        s.code(email, "verification code").await
    };
    let verified = s
        .post(
            "/api/auth/verify-email",
            json!({"email": email, "code": code, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(verified.status, 200, "{verified:?}");
    let owner = s
        .post(
            "/api/auth/login",
            json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(owner.json()["next"], "code", "{owner:?}");
    let intruder = s
        .post(
            "/api/auth/login",
            json!({"email": email, "password": squatter}),
            None,
        )
        .await;
    assert_eq!(intruder.status, 400);
    let token = s.login(email).await;
    assert_eq!(
        s.get("/api/user/info", Some(&token)).await.json()["name"],
        "Owner"
    );
}

#[tokio::test]
async fn a_squatter_loses_the_address_when_the_owner_verifies_with_their_code() {
    squatting(false).await;
}

#[tokio::test]
async fn a_squatter_loses_the_address_when_the_owner_verifies_with_the_squatters_code() {
    squatting(true).await;
}

#[tokio::test]
async fn a_verification_code_without_the_sign_up_password_activates_nothing() {
    let s = TestServer::start().await;
    let email = "careful@example.com";
    s.post(
        "/api/auth/register",
        json!({"email": email, "password": PASSWORD, "name": "Careful"}),
        None,
    )
    .await;
    let code = s.code(email, "verification code").await;
    let wrong = s
        .post(
            "/api/auth/verify-email",
            json!({"email": email, "code": code, "password": "some-other-password-1"}),
            None,
        )
        .await;
    let unknown = s
        .post(
            "/api/auth/verify-email",
            json!({"email": "nobody@example.com", "code": code, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.bytes, unknown.bytes, "known and unknown read alike");
    assert_eq!(s.sql_number("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_does_not_log_in() {
    let s = TestServer::start().await;
    let email = s.verified_user("Reset Me").await;
    let phone = s.login(&email).await;
    let laptop = s.login(&email).await;
    let known = s
        .post("/api/auth/password/forgot", json!({"email": email}), None)
        .await;
    let unknown = s
        .post(
            "/api/auth/password/forgot",
            json!({"email": "nobody@example.com"}),
            None,
        )
        .await;
    assert_eq!(known.status, 200);
    assert_eq!(known.bytes, unknown.bytes, "forgot answers alike");
    s.wait_for_mails(&email, "password reset code", 1).await;
    let code = s.code(&email, "password reset code").await;

    let weak = s
        .post(
            "/api/auth/password/reset",
            json!({"email": email, "code": code, "password": "password1"}),
            None,
        )
        .await;
    assert_eq!(weak.status, 400);
    assert!(
        weak.message().contains("too easy to guess"),
        "{}",
        weak.message()
    );
    let done = s
        .post(
            "/api/auth/password/reset",
            json!({"email": email, "code": code, "password": NEW_PASSWORD}),
            None,
        )
        .await;
    assert_eq!(done.status, 200, "{done:?}");
    assert!(
        done.json().get("token").is_none(),
        "a reset does not log in"
    );
    for token in [&phone, &laptop] {
        assert_eq!(s.get("/api/user/info", Some(token)).await.status, 401);
    }
    let again = s
        .post(
            "/api/auth/password/reset",
            json!({"email": email, "code": code, "password": "yet-another-passphrase-5"}),
            None,
        )
        .await;
    assert_eq!(again.status, 400, "a reset code works once");
    assert_eq!(s.count_mails(&email, "your password was changed"), 1);
    let old = s
        .post(
            "/api/auth/login",
            json!({"email": email, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(old.status, 400);
    let new = s
        .post(
            "/api/auth/login",
            json!({"email": email, "password": NEW_PASSWORD}),
            None,
        )
        .await;
    assert_eq!(new.json()["next"], "code");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let s = TestServer::start().await;
    let email = s.verified_user("Changer").await;
    let here = s.login(&email).await;
    let elsewhere = s.login(&email).await;
    let change = |current: &'static str| {
        s.post(
            "/api/auth/password/change",
            json!({"current_password": current, "new_password": NEW_PASSWORD}),
            Some(&here),
        )
    };
    let wrong = change("not-the-password-9").await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.message().contains("current password"),
        "{}",
        wrong.message()
    );
    assert_eq!(change(PASSWORD).await.status, 200);
    assert_eq!(s.get("/api/user/info", Some(&here)).await.status, 200);
    assert_eq!(s.get("/api/user/info", Some(&elsewhere)).await.status, 401);
    assert_eq!(s.count_mails(&email, "your password was changed"), 1);
    let none = s
        .post(
            "/api/auth/password/change",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
            None,
        )
        .await;
    assert_eq!(none.status, 401);
}

/// Switches `email` to an authenticator app; returns the app's secret and recovery codes.
async fn enable_app(s: &TestServer, email: &str, token: &str) -> (String, Vec<String>) {
    let setup = s
        .post("/api/auth/second-factor/app/setup", json!({}), Some(token))
        .await;
    assert_eq!(setup.status, 200, "{setup:?}");
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    assert!(setup.json()["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let mailed = s
        .post(
            "/api/auth/second-factor/confirm-code",
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(mailed.status, 200, "{mailed:?}");
    let emailed = s.code(email, "confirmation code").await;
    let app = app_code(&secret, 0);
    // Without the emailed code (the current second factor) nothing changes.
    let bad = s
        .post(
            "/api/auth/second-factor/app/enable",
            json!({"password": PASSWORD, "emailed_code": wrong_code_for(&emailed), "app_code": app}),
            Some(token),
        )
        .await;
    assert_eq!(bad.status, 400);
    let enabled = s
        .post(
            "/api/auth/second-factor/app/enable",
            json!({"password": PASSWORD, "emailed_code": emailed, "app_code": app}),
            Some(token),
        )
        .await;
    assert_eq!(enabled.status, 200, "{enabled:?}");
    let codes: Vec<String> = enabled.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

fn app_code(secret: &str, steps_from_now: i64) -> String {
    let now = domain::clock::Clock::system().now() + steps_from_now * 30;
    domain::auth::totp::code_at(secret, u64::try_from(now).unwrap()).unwrap()
}

async fn password_step(s: &TestServer, email: &str) -> Answer {
    s.post(
        "/api/auth/login",
        json!({"email": email, "password": PASSWORD}),
        None,
    )
    .await
}

#[tokio::test]
async fn an_app_code_is_not_accepted_twice_and_recovery_codes_work_once() {
    let s = TestServer::start().await;
    let email = s.verified_user("App User").await;
    let token = s.login(&email).await;
    let (secret, recovery) = enable_app(&s, &email, &token).await;
    let stored = s.sql_strings("SELECT totp_secret FROM users").await;
    assert!(!stored[0].contains(&secret), "the secret is stored sealed");
    assert_eq!(
        s.post("/api/auth/second-factor", json!({}), Some(&token))
            .await
            .json()["app"],
        true
    );

    let mails_before = s.count_mails(&email, "login code");
    assert_eq!(password_step(&s, &email).await.json()["next"], "app");
    assert_eq!(
        s.count_mails(&email, "login code"),
        mails_before,
        "no email code"
    );
    // The next step's code (the app runs a little fast): accepted once.
    let code = app_code(&secret, 1);
    let first = verify_login(&s, &email, &code).await;
    assert_eq!(first.status, 200, "{first:?}");
    password_step(&s, &email).await;
    let replay = verify_login(&s, &email, &code).await;
    assert_eq!(replay.status, 400, "a used step came back: {replay:?}");
    assert!(replay.json().get("token").is_none());

    let with_recovery = verify_login(&s, &email, &recovery[0]).await;
    assert_eq!(with_recovery.status, 200, "{with_recovery:?}");
    password_step(&s, &email).await;
    assert_eq!(verify_login(&s, &email, &recovery[0]).await.status, 400);
    assert_eq!(
        verify_login(&s, &email, &recovery[1].to_uppercase())
            .await
            .status,
        200
    );
    let left = s
        .post("/api/auth/second-factor", json!({}), Some(&token))
        .await;
    assert_eq!(left.json()["recovery_codes_left"], 8);

    // A stolen token alone cannot switch the app off.
    let no_password = s
        .post(
            "/api/auth/second-factor/app/disable",
            json!({"password": "guess-the-password-1", "code": recovery[2]}),
            Some(&token),
        )
        .await;
    assert_eq!(no_password.status, 400);
    let off = s
        .post(
            "/api/auth/second-factor/app/disable",
            json!({"password": PASSWORD, "code": recovery[2]}),
            Some(&token),
        )
        .await;
    assert_eq!(off.status, 200, "{off:?}");
    assert_eq!(password_step(&s, &email).await.json()["next"], "code");
    assert!(s.count_mails(&email, "authenticator app was switched on") == 1);
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_fresh_nonce() {
    let s = TestServer::start_with(&[("PUBLIC_URL", "https://drive.example")]).await;
    let mut nonces = Vec::new();
    for path in ["/", "/login", "/no/such/page", "/skillshare"] {
        let response = s
            .http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        let csp = header(&response, "content-security-policy").to_owned();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
            "{csp}"
        );
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe-inline"), "{csp}");
        assert_eq!(header(&response, "referrer-policy"), "no-referrer");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(
            header(&response, "cross-origin-opener-policy"),
            "same-origin"
        );
        assert_eq!(header(&response, "cache-control"), "no-store", "{path}");
        assert!(header(&response, "strict-transport-security").starts_with("max-age="));
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap()
            .to_owned();
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: scripts lack the header's nonce"
        );
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "a nonce was reused");
    let api = s
        .http
        .get(format!("{}/api/user/info", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&api, "x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn links_in_mails_use_public_url_never_the_host_header() {
    let s = TestServer::start_with(&[("PUBLIC_URL", "https://drive.example")]).await;
    let response = s
        .http
        .post(format!("{}/api/auth/register", s.base))
        .header("host", "evil.example")
        .json(&json!({"email": "hosted@example.com", "password": PASSWORD, "name": "Hosted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    s.wait_for_mails("hosted@example.com", "verification code", 1)
        .await;
    let outbox = s.data_dir.path().join("outbox");
    let mail = std::fs::read_dir(outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .next()
        .unwrap();
    assert!(mail.contains("https://drive.example/verify"), "{mail}");
    assert!(!mail.contains("evil.example"));
}

async fn resend_from(s: &TestServer, forwarded_for: &str) -> u16 {
    s.http
        .post(format!("{}/api/auth/resend-code", s.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": "who@example.com"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_ipv6_shares_a_64() {
    let s = TestServer::start_with(&[
        ("AUTH_RATE_LIMIT_PER_MINUTE", "3"),
        ("TRUSTED_PROXIES", "127.0.0.1/32"),
    ])
    .await;
    for _ in 0..3 {
        assert_eq!(resend_from(&s, "198.51.100.1").await, 200);
    }
    assert_eq!(resend_from(&s, "198.51.100.1").await, 429);
    // A forged first hop does not help: the proxy's own entry is the rightmost.
    assert_eq!(resend_from(&s, "10.9.9.9, 198.51.100.1").await, 429);
    assert_eq!(resend_from(&s, "198.51.100.2").await, 200);
    for i in 1..=3 {
        assert_eq!(resend_from(&s, &format!("2001:db8:0:7::{i}")).await, 200);
    }
    assert_eq!(resend_from(&s, "2001:db8:0:7::99").await, 429, "same /64");
    assert_eq!(resend_from(&s, "2001:db8:0:8::1").await, 200);
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_is_ignored() {
    let s = TestServer::start_with(&[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    for i in 1..=3 {
        assert_eq!(resend_from(&s, &format!("198.51.100.{i}")).await, 200);
    }
    assert_eq!(resend_from(&s, "198.51.100.200").await, 429);
}

#[tokio::test]
async fn resend_answers_alike_whatever_the_address() {
    let s = TestServer::start().await;
    let with_code = s.verified_user("Pending Code").await;
    s.start_login(&with_code).await;
    let without_code = s.verified_user("No Code").await;
    let mut bodies = Vec::new();
    for email in [
        with_code.as_str(),
        without_code.as_str(),
        "nobody@example.com",
    ] {
        let a = s
            .post("/api/auth/resend-code", json!({"email": email}), None)
            .await;
        assert_eq!(a.status, 200, "{email}: {a:?}");
        bodies.push(a.bytes);
    }
    bodies.dedup();
    assert_eq!(bodies.len(), 1);
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let s = TestServer::start().await;
    s.verified_user("Private Person").await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = s.data_dir.path();
    assert_eq!(mode(dir), 0o700);
    if s.on_postgres() {
        // The key comes from SECRET_KEY and the database is elsewhere: neither is written here.
        assert!(!dir.join("secret.key").exists() && !dir.join("clouddrive.sqlite3").exists());
    } else {
        for file in ["clouddrive.sqlite3", "secret.key"] {
            assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
        }
    }
    let mail = std::fs::read_dir(dir.join("outbox"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(mode(&mail.path()), 0o600, "outbox mail");
    let token = s.login(&s.verified_user("Uploader").await).await;
    let upload = s
        .http
        .put(format!("{}/api/files/upload?name=note.txt", s.base))
        .bearer_auth(&token)
        .body("kept private")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 200);
    let mut objects = 0;
    let mut stack = vec![dir.join("nodes")];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                assert_eq!(mode(&entry.path()) & 0o077, 0, "{}", entry.path().display());
                objects += 1;
            }
        }
    }
    assert!(objects >= 3, "no stored objects found");
}

#[tokio::test]
async fn signing_up_then_logging_in_reads_alike_for_known_and_unknown_addresses() {
    let s = TestServer::start().await;
    let known = s.verified_user("Known Person").await;
    // Past the 30 s between two sign-up mails to one address.
    s.sql("UPDATE limit_events SET at = at - 31").await;
    let probe = "attacker-chose-this-55";
    let mut answers = Vec::new();
    for email in [known.as_str(), "unknown@example.com"] {
        let body = json!({"email": email, "password": probe, "name": "Probe"});
        let signed_up = s.post("/api/auth/register", body, None).await;
        let body = json!({"email": email, "password": probe});
        let logged_in = s.post("/api/auth/login", body, None).await;
        answers.push((
            signed_up.status,
            signed_up.bytes,
            logged_in.status,
            logged_in.bytes,
        ));
    }
    assert_eq!(
        answers[0], answers[1],
        "known and unknown addresses answered differently"
    );
    // The probe's sign-up changes nothing for the real account.
    let token = s.login(&known).await;
    assert_eq!(
        s.get("/api/user/info", Some(&token)).await.json()["name"],
        "Known Person"
    );
}

#[tokio::test]
async fn strangers_cannot_lock_anyone_out_of_login() {
    let s = TestServer::start().await;
    let email = s.verified_user("Never Locked").await;
    for _ in 0..15 {
        let a = verify_login(&s, &email, "000000").await;
        assert_eq!(a.status, 400, "{a:?}");
    }
    assert_eq!(s.count_mails(&email, "someone is trying codes"), 0);
    let token = s.login(&email).await;
    assert_eq!(s.get("/api/user/info", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn an_uploaded_script_is_served_inert_in_its_sandbox() {
    let s = TestServer::start().await;
    let token = s.login(&s.verified_user("Script Kid").await).await;
    let upload = s
        .http
        .put(format!(
            "{}/api/files/upload?name=evil.js&mime=text/javascript",
            s.base
        ))
        .bearer_auth(&token)
        .body("alert(document.domain)")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 200);
    let id = upload.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let download = s
        .http
        .get(format!("{}/api/files/download/{id}", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(
        header(&download, "content-type"),
        "application/octet-stream"
    );
    assert_eq!(header(&download, "content-security-policy"), "sandbox");
    assert_eq!(header(&download, "x-content-type-options"), "nosniff");
    assert_eq!(download.text().await.unwrap(), "alert(document.domain)");
}

#[tokio::test]
async fn a_database_out_of_reach_at_start_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATA_DIR", dir.path())
        .env(
            "LEPTOS_SITE_ADDR",
            format!("127.0.0.1:{}", support::free_port()),
        )
        .env("LEPTOS_OUTPUT_NAME", "clouddrive")
        // Port 9 on loopback: nothing listens there.
        .env("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:9/drive")
        .env("SECRET_KEY", "ab".repeat(32))
        .env("CLUSTER_NODES", "us-east@us-east=http://127.0.0.1:9")
        .env("RUST_LOG", "info")
        .output()
        .await
        .unwrap();
    assert!(
        !out.status.success(),
        "the server must not start without its database"
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("127.0.0.1:9"), "{said}");
    assert!(!said.contains("hunter2"), "the password leaked: {said}");
}
