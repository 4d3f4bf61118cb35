use super::*;
use crate::db;

struct Fixture {
    accounts: Accounts,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bcrypt_cost: 4,
        ..Config::default()
    };
    let db = db::open(dir.path()).await.unwrap();
    let mailer = Arc::new(Mailer::from_config(&config).unwrap());
    let accounts = Accounts::new(db, mailer, Arc::new(Secrets::for_tests()), &config)
        .await
        .unwrap();
    Fixture { accounts, dir }
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

    fn last_code_to(&self, to: &str) -> String {
        let subject = self.subjects_to(to).pop().expect("a mail");
        subject.rsplit(' ').next().unwrap().to_owned()
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
    a.verify_email("ann@example.com", &f.last_code_to("ann@example.com"))
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
            &f.last_code_to("ann@example.com"),
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
    a.verify_email("bo@example.com", &f.last_code_to("bo@example.com"))
        .await
        .unwrap();
    a.register("BO@example.com", "another-strong-passphrase-9", "Mallory")
        .await
        .unwrap();
    let subject = f.subjects_to("bo@example.com").pop().unwrap();
    assert!(subject.contains("someone tried to sign up"), "{subject}");
    // The original password still works; the intruder's does not.
    assert!(a.login("bo@example.com", PASSWORD).await.is_ok());
    assert!(matches!(
        a.login("bo@example.com", "another-strong-passphrase-9")
            .await,
        Err(AuthError::BadCredentials)
    ));
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
        .verify_email("ed@example.com", "000000x")
        .await
        .unwrap_err();
    let unknown = a
        .verify_email("zed@example.com", "123456")
        .await
        .unwrap_err();
    assert_eq!(wrong.to_string(), unknown.to_string());
}

use crate::error::UserFacing;
