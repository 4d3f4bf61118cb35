#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::clock::Clock;
use crate::db;

struct Fixture {
    accounts: Accounts,
    dir: tempfile::TempDir,
    /// Code mails already taken, per address (some mails go out after the answer).
    codes_taken: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

async fn fixture() -> Fixture {
    let (db, dir) = db::test_db().await;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bcrypt_cost: 4,
        admin_emails: vec!["boss@example.com".into()],
        ..Config::default()
    };
    let mailer = Arc::new(Mailer::from_config(&config).unwrap());
    let accounts = Accounts::new(
        db,
        mailer,
        Arc::new(Secrets::for_tests()),
        &config,
        Clock::system(),
    )
    .await
    .unwrap();
    Fixture {
        accounts,
        dir,
        codes_taken: Default::default(),
    }
}

impl Fixture {
    /// Subjects of the mails sent to `to`, oldest first.
    fn subjects_to(&self, to: &str) -> Vec<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> =
            std::fs::read_dir(self.dir.path().join("outbox"))
                .unwrap()
                .map(|e| {
                    let path = e.unwrap().path();
                    (
                        path.metadata().unwrap().modified().unwrap(),
                        std::fs::read_to_string(path).unwrap(),
                    )
                })
                .filter(|(_, eml)| eml.contains(&format!("To: {to}")))
                .collect();
        mails.sort();
        mails
            .into_iter()
            .filter_map(|(_, eml)| {
                eml.lines()
                    .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
            })
            .collect()
    }

    /// The code of the next code mail to `to` (waiting for it if it is on its way).
    async fn last_code_to(&self, to: &str) -> String {
        for _ in 0..500 {
            let codes: Vec<String> = self
                .subjects_to(to)
                .into_iter()
                .filter(|s| s.contains(" code is "))
                .collect();
            let fresh = {
                let mut taken = self.codes_taken.lock().unwrap();
                let seen = taken.entry(to.to_owned()).or_default();
                let fresh = codes.len() > *seen;
                *seen = codes.len();
                fresh
            };
            if fresh {
                return codes.last().unwrap().rsplit(' ').next().unwrap().to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("no new code mail to {to}");
    }
}

const PASSWORD: &str = "tangerine-orbit-saddle-42";

#[tokio::test]
async fn register_verify_login_and_use_the_session() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register(" Ann@Example.com ", PASSWORD, "Ann")
        .await
        .unwrap();
    // Unverified: the password leads to verification, not to a login code.
    assert_eq!(
        a.login("ann@example.com", PASSWORD).await.unwrap(),
        LoginStep::VerifyEmail
    );
    a.verify_email(
        "ann@example.com",
        &f.last_code_to("ann@example.com").await,
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(
        a.login("ann@example.com", PASSWORD).await.unwrap(),
        LoginStep::CodeSent
    );
    let subject = f.subjects_to("ann@example.com").pop().unwrap();
    assert!(subject.contains("login code"), "{subject}");
    let session = a
        .login_verify(
            "ann@example.com",
            &f.last_code_to("ann@example.com").await,
            "test-agent",
        )
        .await
        .unwrap();
    assert_eq!(session.profile.name, "Ann");
    assert_eq!(
        session.profile.quota_bytes,
        crate::config::DEFAULT_QUOTA_BYTES
    );
    let current = a.authenticate(&session.token).await.unwrap();
    let listed = a.sessions(&current).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_agent, "test-agent");
    a.logout(&current).await.unwrap();
    assert!(matches!(
        a.authenticate(&session.token).await,
        Err(AuthError::Unauthenticated)
    ));
}

#[tokio::test]
async fn registering_an_existing_email_answers_alike_and_tells_the_owner() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register("bo@example.com", PASSWORD, "Bo").await.unwrap();
    a.verify_email(
        "bo@example.com",
        &f.last_code_to("bo@example.com").await,
        PASSWORD,
    )
    .await
    .unwrap();
    // Past the 30 s between two mails of a sign-up.
    sqlx::query("UPDATE limit_events SET at = at - 31")
        .execute(&a.db)
        .await
        .unwrap();
    a.register("BO@example.com", "another-strong-passphrase-9", "Mallory")
        .await
        .unwrap();
    wait_for_mail(&f, "bo@example.com", 2).await;
    let subject = f.subjects_to("bo@example.com").pop().unwrap();
    assert!(subject.contains("someone tried to sign up"), "{subject}");
    // The original password still works. The intruder's reads as it would for an address
    // without an account (a sign-up to verify), and leads nowhere without the owner's inbox.
    assert!(a.login("bo@example.com", PASSWORD).await.is_ok());
    assert_eq!(
        a.login("bo@example.com", "another-strong-passphrase-9")
            .await
            .unwrap(),
        LoginStep::VerifyEmail
    );
    assert!(a
        .verify_email("bo@example.com", "123456", "another-strong-passphrase-9")
        .await
        .is_err());
    assert_eq!(
        a.find_user("bo@example.com").await.unwrap().unwrap().name,
        "Bo"
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_read_the_same() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register("cy@example.com", PASSWORD, "Cy").await.unwrap();
    let wrong = a
        .login("cy@example.com", "wrong-password-123")
        .await
        .unwrap_err();
    let unknown = a.login("nobody@example.com", PASSWORD).await.unwrap_err();
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(wrong.kind(), unknown.kind());
}

#[tokio::test]
async fn weak_password_is_refused_and_nothing_is_stored() {
    let f = fixture().await;
    let err = f
        .accounts
        .register("di@example.com", "password1", "Di")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("too easy to guess"), "{err}");
    assert!(f
        .accounts
        .find_user("di@example.com")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn verification_code_failures_all_read_the_same() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register("ed@example.com", PASSWORD, "Ed").await.unwrap();
    let wrong = a
        .verify_email("ed@example.com", "000000x", PASSWORD)
        .await
        .unwrap_err();
    let unknown = a
        .verify_email("zed@example.com", "123456", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(wrong.to_string(), unknown.to_string());
}

use crate::error::UserFacing;

const SQUATTER_PASSWORD: &str = "squatter-chose-this-77";

/// Squatter registers, then the owner; the owner verifies with `code_of` (one of the two
/// codes in their inbox) and their own password.
async fn squatting(f: &Fixture, pick_squatters_code: bool) {
    let a = &f.accounts;
    let email = "owner@example.com";
    a.register(email, SQUATTER_PASSWORD, "Squatter")
        .await
        .unwrap();
    let squatters_code = f.last_code_to(email).await;
    // Another sign-up within 30 s mails nothing and changes nothing.
    sqlx::query("UPDATE limit_events SET at = at - 31")
        .execute(&a.db)
        .await
        .unwrap();
    a.register(email, PASSWORD, "Owner").await.unwrap();
    let owners_code = f.last_code_to(email).await;
    let code = if pick_squatters_code {
        squatters_code
    } else {
        owners_code
    };
    // The squatter's password with the owner's inbox code would work, but the squatter has no
    // code; the owner's password never activates the squatter's registration.
    a.verify_email(email, &code, PASSWORD).await.unwrap();
    assert_eq!(a.login(email, PASSWORD).await.unwrap(), LoginStep::CodeSent);
    assert!(matches!(
        a.login(email, SQUATTER_PASSWORD).await,
        Err(AuthError::BadCredentials)
    ));
    let user = a.find_user(email).await.unwrap().unwrap();
    assert_eq!(user.name, "Owner");
}

#[tokio::test]
async fn a_squatter_cannot_keep_an_address_with_either_code() {
    squatting(&fixture().await, false).await;
    squatting(&fixture().await, true).await;
}

#[tokio::test]
async fn a_second_sign_up_within_30_s_changes_nothing() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register("fa@example.com", PASSWORD, "Fa").await.unwrap();
    let code = f.last_code_to("fa@example.com").await;
    a.register("fa@example.com", SQUATTER_PASSWORD, "Squatter")
        .await
        .unwrap();
    assert_eq!(f.subjects_to("fa@example.com").len(), 1);
    assert!(a
        .verify_email("fa@example.com", &code, SQUATTER_PASSWORD)
        .await
        .is_err());
    a.verify_email("fa@example.com", &code, PASSWORD)
        .await
        .unwrap();
}

async fn verified(f: &Fixture, email: &str) {
    f.accounts
        .register(email, PASSWORD, "Someone")
        .await
        .unwrap();
    f.accounts
        .verify_email(email, &f.last_code_to(email).await, PASSWORD)
        .await
        .unwrap();
}

async fn log_in(f: &Fixture, email: &str) -> NewSession {
    f.accounts.login(email, PASSWORD).await.unwrap();
    f.accounts
        .login_verify(email, &f.last_code_to(email).await, "test")
        .await
        .unwrap()
}

/// Background work (a mailed reset code) has happened once a mail to `to` shows up.
async fn wait_for_mail(f: &Fixture, to: &str, count: usize) {
    for _ in 0..200 {
        if f.subjects_to(to).len() >= count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no mail to {to}");
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_does_not_log_in() {
    let f = fixture().await;
    let a = &f.accounts;
    let email = "gi@example.com";
    verified(&f, email).await;
    let one = log_in(&f, email).await;
    let mails = f.subjects_to(email).len();
    a.forgot_password(email).unwrap();
    wait_for_mail(&f, email, mails + 1).await;
    let code = f.last_code_to(email).await;
    let new = "a-whole-new-passphrase-31";
    let weak = a
        .reset_password(email, &code, "password1")
        .await
        .unwrap_err();
    assert!(weak.to_string().contains("too easy"), "{weak}");
    a.reset_password(email, &code, new).await.unwrap();
    assert!(a.authenticate(&one.token).await.is_err());
    assert!(
        a.reset_password(email, &code, new).await.is_err(),
        "code used twice"
    );
    assert!(f
        .subjects_to(email)
        .last()
        .unwrap()
        .contains("password was changed"));
    assert!(matches!(
        a.login(email, PASSWORD).await,
        Err(AuthError::BadCredentials)
    ));
    assert_eq!(a.login(email, new).await.unwrap(), LoginStep::CodeSent);
}

#[tokio::test]
async fn a_reset_verifies_a_sign_up_and_unknown_addresses_get_no_mail() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register("hu@example.com", PASSWORD, "Hu").await.unwrap();
    sqlx::query("UPDATE limit_events SET at = at - 31")
        .execute(&a.db)
        .await
        .unwrap();
    a.forgot_password("hu@example.com").unwrap();
    a.forgot_password("nobody@example.com").unwrap();
    wait_for_mail(&f, "hu@example.com", 2).await;
    let code = f.last_code_to("hu@example.com").await;
    a.reset_password("hu@example.com", &code, "a-whole-new-passphrase-31")
        .await
        .unwrap();
    assert_eq!(
        a.login("hu@example.com", "a-whole-new-passphrase-31")
            .await
            .unwrap(),
        LoginStep::CodeSent
    );
    assert!(std::fs::read_dir(f.dir.path().join("outbox"))
        .unwrap()
        .all(|m| !std::fs::read_to_string(m.unwrap().path())
            .unwrap()
            .contains("nobody@")));
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_keeps_this_session() {
    let f = fixture().await;
    let a = &f.accounts;
    let email = "ia@example.com";
    verified(&f, email).await;
    let this = log_in(&f, email).await;
    sqlx::query("UPDATE limit_events SET at = at - 31")
        .execute(&a.db)
        .await
        .unwrap();
    let other = log_in(&f, email).await;
    let me = a.authenticate(&this.token).await.unwrap();
    let new = "a-whole-new-passphrase-31";
    assert!(matches!(
        a.change_password(&me, "not-my-password-1", new).await,
        Err(AuthError::WrongPassword)
    ));
    a.change_password(&me, PASSWORD, new).await.unwrap();
    assert!(a.authenticate(&this.token).await.is_ok());
    assert!(a.authenticate(&other.token).await.is_err());
    assert!(f
        .subjects_to(email)
        .last()
        .unwrap()
        .contains("password was changed"));
}

#[tokio::test]
async fn an_authenticator_app_replaces_email_codes() {
    let f = fixture().await;
    let a = &f.accounts;
    let email = "jo@example.com";
    verified(&f, email).await;
    let session = log_in(&f, email).await;
    let me = a.authenticate(&session.token).await.unwrap();
    let shown = a.start_app_setup(&me).await.unwrap();
    sqlx::query("UPDATE limit_events SET at = at - 31")
        .execute(&a.db)
        .await
        .unwrap();
    a.send_confirm_code(&me).await.unwrap();
    let emailed = f.last_code_to(email).await;
    let now = a.clock.now();
    let app = |t: i64| totp::code_at(&shown.secret_base32, crate::db::to_u64(t)).unwrap();
    // The password and the emailed code are both needed.
    assert!(a
        .enable_app(&me, "not-my-password-1", &emailed, &app(now))
        .await
        .is_err());
    let recovery = a
        .enable_app(&me, PASSWORD, &emailed, &app(now))
        .await
        .unwrap();
    assert_eq!(recovery.len(), 10);
    assert!(a.second_factor(&me).await.unwrap().app);

    // Login now asks the app; the step used at set-up is not accepted again.
    assert_eq!(a.login(email, PASSWORD).await.unwrap(), LoginStep::AppCode);
    assert!(matches!(
        a.login_verify(email, &app(now), "t").await,
        Err(AuthError::InvalidLoginCode)
    ));
    sqlx::query("UPDATE users SET totp_last_step = totp_last_step - 1")
        .execute(&a.db)
        .await
        .unwrap();
    a.login_verify(email, &app(now), "t").await.unwrap();
    // The same code again (a replay) is refused, even with a new password step.
    a.login(email, PASSWORD).await.unwrap();
    assert!(a.login_verify(email, &app(now), "t").await.is_err());
    // A recovery code works once.
    a.login(email, PASSWORD).await.unwrap();
    a.login_verify(email, &recovery[0], "t").await.unwrap();
    a.login(email, PASSWORD).await.unwrap();
    assert!(a.login_verify(email, &recovery[0], "t").await.is_err());
    a.login_verify(email, &recovery[1], "t").await.unwrap();
    assert_eq!(a.second_factor(&me).await.unwrap().recovery_codes_left, 8);

    // Switching back needs the password and an app or recovery code.
    assert!(a.disable_app(&me, PASSWORD, "000000").await.is_err());
    a.disable_app(&me, PASSWORD, &recovery[2]).await.unwrap();
    assert!(!a.second_factor(&me).await.unwrap().app);
    let stored: Option<String> = sqlx::query_scalar("SELECT totp_secret FROM users")
        .fetch_one(&a.db)
        .await
        .unwrap();
    assert!(stored.is_none());
}

#[tokio::test]
async fn a_sign_up_never_verified_is_gone_after_seven_days() {
    let f = fixture().await;
    let a = &f.accounts;
    a.register("ka@example.com", PASSWORD, "Ka").await.unwrap();
    let code = f.last_code_to("ka@example.com").await;
    sqlx::query("UPDATE registrations SET created_at = created_at - 7 * 86400")
        .execute(&a.db)
        .await
        .unwrap();
    a.sweep().await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM registrations")
        .fetch_one(&a.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert!(a
        .verify_email("ka@example.com", &code, PASSWORD)
        .await
        .is_err());
    assert!(matches!(
        a.login("ka@example.com", PASSWORD).await,
        Err(AuthError::BadCredentials)
    ));
}

#[tokio::test]
async fn only_listed_accounts_are_administrators() {
    let f = fixture().await;
    let a = &f.accounts;
    verified(&f, "boss@example.com").await;
    verified(&f, "staff@example.com").await;
    let boss = a
        .authenticate(&log_in(&f, "boss@example.com").await.token)
        .await
        .unwrap();
    let staff = a
        .authenticate(&log_in(&f, "staff@example.com").await.token)
        .await
        .unwrap();
    a.require_admin(&boss).await.unwrap();
    assert!(matches!(
        a.require_admin(&staff).await,
        Err(AuthError::Forbidden)
    ));
}

/// A verified account, logged in: who it is to the server.
async fn signed_in(f: &Fixture, email: &str) -> CurrentUser {
    verified(f, email).await;
    let session = log_in(f, email).await;
    f.accounts.authenticate(&session.token).await.unwrap()
}

/// Where app-password logins come from, unless a test needs several addresses.
const CLIENT: &str = "198.51.100.7";
/// Shaped like an app password, and nobody's.
const WRONG_APP_PASSWORD: &str = "23456789-abcdefgh-jkmnpqrs-tuvwxyz2";

fn is_bad_credentials<T>(outcome: &Result<T, AuthError>) -> bool {
    matches!(outcome, Err(AuthError::BadCredentials))
}

fn is_throttled<T>(outcome: &Result<T, AuthError>) -> bool {
    matches!(outcome, Err(AuthError::Throttled { .. }))
}

#[tokio::test]
async fn an_app_password_needs_the_account_password_is_stored_only_as_a_mac_and_is_mailed_about() {
    let f = fixture().await;
    let a = &f.accounts;
    let email = "la@example.com";
    let me = signed_in(&f, email).await;
    assert!(matches!(
        a.create_app_password(&me, "laptop", "not-my-password-1")
            .await,
        Err(AuthError::WrongPassword)
    ));
    assert!(a.app_passwords(&me).await.unwrap().is_empty());

    let new = a
        .create_app_password(&me, "laptop", PASSWORD)
        .await
        .unwrap();
    assert_eq!(new.name, "laptop");
    let listed = a.app_passwords(&me).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((&listed[0].id, listed[0].last_used_at), (&new.id, None));
    // No column holds the password, as shown or as typed without dashes.
    let plain = new.app_password.replace('-', "");
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, user_id, name, secret_mac FROM app_passwords")
            .fetch_all(&a.db)
            .await
            .unwrap();
    for (id, user_id, name, mac) in &rows {
        for column in [id, user_id, name, mac] {
            assert!(
                !column.contains(&plain) && !column.contains(&new.app_password),
                "{column}"
            );
        }
    }
    assert!(f
        .subjects_to(email)
        .last()
        .unwrap()
        .contains("a new app password"));
}

#[tokio::test]
async fn an_app_password_logs_in_with_the_email_however_it_is_typed() {
    let f = fixture().await;
    let a = &f.accounts;
    let me = signed_in(&f, "mo@example.com").await;
    let secret = a
        .create_app_password(&me, "rclone", PASSWORD)
        .await
        .unwrap()
        .app_password;
    for typed in [
        secret.clone(),
        secret.to_uppercase(),
        secret.replace('-', " "),
        secret.replace('-', ""),
    ] {
        let user = a
            .app_password_login(" MO@example.com ", &typed, CLIENT)
            .await;
        assert_eq!(user.unwrap(), me.user_id, "{typed}");
    }
    let wrong = a
        .app_password_login("mo@example.com", WRONG_APP_PASSWORD, CLIENT)
        .await;
    let unknown = a
        .app_password_login("nobody@example.com", &secret, CLIENT)
        .await;
    assert!(is_bad_credentials(&wrong), "{wrong:?}");
    assert!(is_bad_credentials(&unknown), "{unknown:?}");
    // The account's own password is not an app password.
    let account = a
        .app_password_login("mo@example.com", PASSWORD, CLIENT)
        .await;
    assert!(is_bad_credentials(&account), "{account:?}");
}

#[tokio::test]
async fn a_revoked_app_password_stops_working_and_only_its_owner_can_revoke_it() {
    let f = fixture().await;
    let a = &f.accounts;
    let ann = signed_in(&f, "na@example.com").await;
    let bo = signed_in(&f, "ob@example.com").await;
    let anns = a
        .create_app_password(&ann, "phone", PASSWORD)
        .await
        .unwrap();
    let bos = a.create_app_password(&bo, "phone", PASSWORD).await.unwrap();
    // Each works only with its own account's email.
    let crossed = a
        .app_password_login("ob@example.com", &anns.app_password, CLIENT)
        .await;
    assert!(is_bad_credentials(&crossed), "{crossed:?}");

    assert!(matches!(
        a.revoke_app_password(&ann, &bos.id).await,
        Err(AuthError::Invalid(_))
    ));
    let still = a
        .app_password_login("ob@example.com", &bos.app_password, CLIENT)
        .await;
    assert_eq!(still.unwrap(), bo.user_id);

    a.revoke_app_password(&ann, &anns.id).await.unwrap();
    let revoked = a
        .app_password_login("na@example.com", &anns.app_password, CLIENT)
        .await;
    assert!(is_bad_credentials(&revoked), "{revoked:?}");
    assert!(a.app_passwords(&ann).await.unwrap().is_empty());
    assert!(a.revoke_app_password(&ann, &anns.id).await.is_err());
}

#[tokio::test]
async fn a_password_change_revokes_every_app_password_and_keeps_this_session() {
    let f = fixture().await;
    let a = &f.accounts;
    let email = "pe@example.com";
    verified(&f, email).await;
    let session = log_in(&f, email).await;
    let me = a.authenticate(&session.token).await.unwrap();
    let laptop = a
        .create_app_password(&me, "laptop", PASSWORD)
        .await
        .unwrap();
    a.create_app_password(&me, "phone", PASSWORD).await.unwrap();
    a.change_password(&me, PASSWORD, "a-whole-new-passphrase-31")
        .await
        .unwrap();
    assert!(a.app_passwords(&me).await.unwrap().is_empty());
    let refused = a
        .app_password_login(email, &laptop.app_password, CLIENT)
        .await;
    assert!(is_bad_credentials(&refused), "{refused:?}");
    assert!(a.authenticate(&session.token).await.is_ok());
}

#[tokio::test]
async fn a_password_reset_revokes_every_app_password() {
    let f = fixture().await;
    let a = &f.accounts;
    let email = "rp@example.com";
    let me = signed_in(&f, email).await;
    let laptop = a
        .create_app_password(&me, "laptop", PASSWORD)
        .await
        .unwrap();
    let mails = f.subjects_to(email).len();
    a.forgot_password(email).unwrap();
    wait_for_mail(&f, email, mails + 1).await;
    let code = f.last_code_to(email).await;
    a.reset_password(email, &code, "a-whole-new-passphrase-31")
        .await
        .unwrap();
    let refused = a
        .app_password_login(email, &laptop.app_password, CLIENT)
        .await;
    assert!(is_bad_credentials(&refused), "{refused:?}");
    assert!(a.app_passwords(&me).await.unwrap().is_empty());
}

#[tokio::test]
async fn five_wrong_app_passwords_lock_out_wrong_ones_but_not_the_owners_devices_nor_web_login() {
    let f = fixture().await;
    let a = &f.accounts;
    let me = signed_in(&f, "ta@example.com").await;
    let other = signed_in(&f, "tb@example.com").await;
    let mine = a.create_app_password(&me, "nas", PASSWORD).await.unwrap();
    let theirs = a
        .create_app_password(&other, "nas", PASSWORD)
        .await
        .unwrap();
    // Each try from another address: only the email's count reaches the limit.
    for i in 0..5 {
        let client = format!("203.0.113.{i}");
        let wrong = a
            .app_password_login("ta@example.com", WRONG_APP_PASSWORD, &client)
            .await;
        assert!(is_bad_credentials(&wrong), "try {i}: {wrong:?}");
    }
    // A sixth wrong one, from yet another address, is refused unchecked.
    let sixth = a
        .app_password_login("ta@example.com", WRONG_APP_PASSWORD, "203.0.113.98")
        .await;
    assert!(is_throttled(&sixth), "{sixth:?}");
    // The owner's device still gets in: strangers cannot lock it out by guessing.
    let right = a
        .app_password_login("ta@example.com", &mine.app_password, "203.0.113.99")
        .await;
    assert_eq!(right.unwrap(), me.user_id);
    // ...and that cleared the email's count.
    let after = a
        .app_password_login("ta@example.com", WRONG_APP_PASSWORD, "203.0.113.97")
        .await;
    assert!(is_bad_credentials(&after), "{after:?}");
    // Another account, from another address, is not held up.
    let elsewhere = a
        .app_password_login("tb@example.com", &theirs.app_password, "203.0.113.100")
        .await;
    assert_eq!(elsewhere.unwrap(), other.user_id);
    // The web login keeps counters of its own: a stale device cannot lock its owner out.
    assert_eq!(
        a.login("ta@example.com", PASSWORD).await.unwrap(),
        LoginStep::CodeSent
    );
}

#[tokio::test]
async fn five_wrong_app_passwords_from_one_address_lock_that_address_for_guesses_only() {
    let f = fixture().await;
    let a = &f.accounts;
    let me = signed_in(&f, "tc@example.com").await;
    let mine = a.create_app_password(&me, "nas", PASSWORD).await.unwrap();
    for i in 0..5 {
        let guessed = format!("guess{i}@example.com");
        let wrong = a
            .app_password_login(&guessed, WRONG_APP_PASSWORD, "192.0.2.1")
            .await;
        assert!(is_bad_credentials(&wrong), "try {i}: {wrong:?}");
    }
    let guess = a
        .app_password_login("tc@example.com", WRONG_APP_PASSWORD, "192.0.2.1")
        .await;
    assert!(is_throttled(&guess), "{guess:?}");
    let elsewhere = a
        .app_password_login("tc@example.com", WRONG_APP_PASSWORD, "192.0.2.2")
        .await;
    assert!(is_bad_credentials(&elsewhere), "{elsewhere:?}");
    // A right one from there gets in, and does not reset the address's count of guesses.
    let from_there = a
        .app_password_login("tc@example.com", &mine.app_password, "192.0.2.1")
        .await;
    assert_eq!(from_there.unwrap(), me.user_id);
    let again = a
        .app_password_login("guess9@example.com", WRONG_APP_PASSWORD, "192.0.2.1")
        .await;
    assert!(is_throttled(&again), "{again:?}");
}

#[tokio::test]
async fn wrong_app_passwords_sent_at_once_all_count_towards_the_lock() {
    let f = fixture().await;
    let a = &f.accounts;
    let me = signed_in(&f, "td@example.com").await;
    let mine = a.create_app_password(&me, "nas", PASSWORD).await.unwrap();
    let tries = (0..20).map(|i| async move {
        let client = format!("198.18.0.{i}");
        a.app_password_login("td@example.com", WRONG_APP_PASSWORD, &client)
            .await
    });
    let outcomes = futures::future::join_all(tries).await;
    assert!(
        outcomes
            .iter()
            .all(|o| is_bad_credentials(o) || is_throttled(o)),
        "{outcomes:?}"
    );
    // Every one was counted: the email is locked for the next wrong one.
    let next = a
        .app_password_login("td@example.com", WRONG_APP_PASSWORD, "198.18.1.1")
        .await;
    assert!(is_throttled(&next), "{next:?}");
    let right = a
        .app_password_login("td@example.com", &mine.app_password, "198.18.1.1")
        .await;
    assert_eq!(right.unwrap(), me.user_id);
}

#[tokio::test]
async fn logging_in_with_an_app_password_records_when_it_was_used() {
    let f = fixture().await;
    let a = &f.accounts;
    let me = signed_in(&f, "lu@example.com").await;
    let new = a.create_app_password(&me, "nas", PASSWORD).await.unwrap();
    assert_eq!(a.app_passwords(&me).await.unwrap()[0].last_used_at, None);
    let before = a.clock.now();
    a.app_password_login("lu@example.com", &new.app_password, CLIENT)
        .await
        .unwrap();
    let used = a.app_passwords(&me).await.unwrap()[0].last_used_at;
    assert!(
        used.is_some_and(|t| (before..=a.clock.now()).contains(&t)),
        "{used:?}"
    );
}
