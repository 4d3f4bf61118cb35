//! Accounts: sign-up with email verification, two-factor login (password, then an emailed code
//! or an authenticator app), password reset and change, and bearer-token sessions.
//!
//! Every answer about an address is the same whether or not it has an account, and every limit
//! is counted before the work it limits (see `attempts`, `codes`, `throttle`).

mod app_passwords;
mod attempts;
mod codes;
mod emails;
mod error;
mod input;
mod login;
pub(crate) mod password;
mod password_reset;
mod recovery_codes;
mod registration;
mod second_factor;
mod sessions;
pub(crate) mod throttle;
pub mod totp;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use codes::Purpose;
pub use error::AuthError;
pub use password::{Hasher, MAX_BYTES as PASSWORD_MAX_BYTES, MIN_BYTES as PASSWORD_MIN_BYTES};
pub use second_factor::SecondFactor;
pub use sessions::{CurrentUser, SessionInfo};
pub use totp::Enrolment;

use crate::background::{Background, Ran, Schedule};
use crate::clock::Clock;
use crate::db::Db;
use crate::ids::UserId;
use crate::mail::{Mail, Mailer};
use crate::secrets::Secrets;
use crate::Config;
use sessions::Lifetimes;

/// What a user sees of their own account.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Profile {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub quota_bytes: i64,
    pub created_at: i64,
}

/// The outcome of a correct password: where the user goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LoginStep {
    /// A login code was emailed.
    CodeSent,
    /// The account uses an authenticator app: its code (or a recovery code) comes next.
    AppCode,
    /// The email is not verified yet; a verification code was emailed.
    VerifyEmail,
}

pub struct NewSession {
    pub token: String,
    pub session_id: String,
    pub profile: Profile,
}

/// The account service. Cheap to clone (it is handles all the way down), so slow work such as
/// mailing can go on after the request has been answered.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    mailer: Arc<Mailer>,
    secrets: Arc<Secrets>,
    hasher: Hasher,
    lifetimes: Lifetimes,
    default_quota_bytes: i64,
    /// `PUBLIC_URL`: where links in mails lead.
    site: Arc<str>,
    /// `ADMIN_EMAILS`, lower-cased.
    admin_emails: Arc<[String]>,
    /// Checked against when there is no account, so that answer takes as long as a wrong
    /// password.
    dummy_hash: Arc<str>,
    clock: Clock,
}

/// A verified account, as the login and recovery steps need it.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    email: String,
    name: String,
    password_hash: String,
    totp_secret: Option<String>,
}

impl Accounts {
    /// The bcrypt pool, for other passwords the server checks (share links): one pool, so
    /// hashing never takes more than the cores however many kinds of password arrive.
    pub fn hasher(&self) -> Hasher {
        self.hasher.clone()
    }

    pub async fn new(
        db: Db,
        mailer: Arc<Mailer>,
        secrets: Arc<Secrets>,
        config: &Config,
        clock: Clock,
    ) -> Result<Accounts, AuthError> {
        let hasher = Hasher::new(config.bcrypt_cost);
        let dummy_hash = hasher.hash("not a real password, only for timing").await?;
        Ok(Accounts {
            db,
            mailer,
            secrets,
            hasher,
            lifetimes: Lifetimes {
                idle_secs: crate::db::to_i64(config.session_idle_timeout.as_secs()),
                max_age_secs: crate::db::to_i64(config.session_max_age.as_secs()),
            },
            default_quota_bytes: config.default_quota_bytes,
            site: config.public_url.as_str().into(),
            admin_emails: config.admin_emails.clone().into(),
            dummy_hash: dummy_hash.into(),
            clock,
        })
    }

    /// Resolves a bearer token to its user; anything invalid or expired is `Unauthenticated`.
    pub async fn authenticate(&self, token: &str) -> Result<CurrentUser, AuthError> {
        sessions::authenticate(&self.db, token, &self.lifetimes, self.clock.now()).await
    }

    pub async fn profile(&self, user_id: &UserId) -> Result<Profile, AuthError> {
        sqlx::query_as("SELECT id, email, name, quota_bytes, created_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.db)
            .await?
            .ok_or(AuthError::Unauthenticated)
    }

    /// Administrators (listed in `ADMIN_EMAILS`) may stop and start nodes, verify and repair.
    pub fn is_admin(&self, profile: &Profile) -> bool {
        self.admin_emails.contains(&profile.email.to_lowercase())
    }

    /// `Forbidden` unless the user is an administrator.
    pub async fn require_admin(&self, current: &CurrentUser) -> Result<(), AuthError> {
        if self.is_admin(&self.profile(&current.user_id).await?) {
            return Ok(());
        }
        Err(AuthError::Forbidden)
    }

    pub async fn logout(&self, current: &CurrentUser) -> Result<(), AuthError> {
        sessions::revoke(&self.db, &current.user_id, &current.session_id).await
    }

    pub async fn sessions(&self, current: &CurrentUser) -> Result<Vec<SessionInfo>, AuthError> {
        sessions::list(
            &self.db,
            &current.user_id,
            &self.lifetimes,
            self.clock.now(),
        )
        .await
    }

    pub async fn revoke_session(
        &self,
        current: &CurrentUser,
        session_id: &str,
    ) -> Result<(), AuthError> {
        sessions::revoke(&self.db, &current.user_id, session_id).await
    }

    /// Ends every session but the current one; returns how many ended.
    pub async fn revoke_other_sessions(&self, current: &CurrentUser) -> Result<u64, AuthError> {
        sessions::revoke_others(&self.db, &current.user_id, &current.session_id).await
    }

    /// Clears what has run out: codes, counts older than every window, sign-ups never
    /// verified within 7 days.
    pub async fn sweep(&self) -> Result<(), AuthError> {
        let t = self.clock.now();
        codes::prune(&self.db, t).await?;
        registration::prune(&self.db, t).await?;
        crate::rate_limit::prune(&self.db, t).await?;
        throttle::forget_old(&self.db, t).await?;
        Ok(())
    }

    /// Registers the sweep (every `interval`, on the leader only).
    pub fn start_jobs(&self, jobs: &Arc<Background>, interval: Duration) {
        let me = self.clone();
        jobs.start(
            Schedule {
                name: "account sweeper",
                every: interval,
                leader_only: true,
                wake: None,
            },
            move || {
                let me = me.clone();
                async move { me.sweep().await.map(|()| Ran::Done) }
            },
        );
    }

    async fn find_user(&self, email: &str) -> Result<Option<UserRow>, AuthError> {
        self.user_where("email", email).await
    }

    async fn user_by_id(&self, id: &UserId) -> Result<UserRow, AuthError> {
        self.user_where("id", id.as_str())
            .await?
            .ok_or(AuthError::Unauthenticated)
    }

    async fn user_where(&self, column: &str, value: &str) -> Result<Option<UserRow>, AuthError> {
        let sql = format!(
            "SELECT id, email, name, password_hash, totp_secret FROM users WHERE {column} = $1"
        );
        Ok(sqlx::query_as(&sql)
            .bind(value)
            .fetch_optional(&self.db)
            .await?)
    }

    fn to<'a>(&'a self, email: &'a str, name: &'a str) -> emails::To<'a> {
        emails::To {
            email,
            name,
            site: &self.site,
        }
    }

    /// Mails a fresh code of `purpose` (within the mail limits) and returns nothing else.
    async fn send_code(&self, email: &str, name: &str, purpose: Purpose) -> Result<(), AuthError> {
        let code = codes::issue(&self.db, &self.secrets, email, purpose, self.clock.now()).await?;
        let to = self.to(email, name);
        let mail = match purpose {
            Purpose::VerifyEmail => emails::verification_code(&to, &code),
            Purpose::Login => emails::login_code(&to, &code),
            Purpose::PasswordReset => emails::reset_code(&to, &code),
            Purpose::Confirm => emails::confirm_code(&to, &code),
        };
        self.mailer.send(mail).await?;
        Ok(())
    }

    /// Runs `work` after the answer has gone out, so how long it takes (a mail server's round
    /// trip, say) tells nothing about the address; failures go to the log.
    fn in_background<F>(&self, what: &'static str, work: impl FnOnce(Accounts) -> F)
    where
        F: std::future::Future<Output = Result<(), AuthError>> + Send + 'static,
    {
        let job = work(self.clone());
        tokio::spawn(async move {
            match job.await {
                Ok(()) | Err(AuthError::ResendTooSoon { .. }) => {}
                Err(e) => tracing::warn!(error = %crate::error::chain(&e), "{what} failed"),
            }
        });
    }

    /// The error for a wrong guess. The guess that locks the address for the hour tells its
    /// owner, by a mail sent after the answer (so its time tells nothing either).
    fn wrong_code(&self, email: &str, guess: &codes::Guess, what: &'static str) -> AuthError {
        if guess.locked_the_address() {
            let email = email.to_owned();
            self.in_background("mailing a code warning", move |this| async move {
                if let Some(user) = this.find_user(&email).await? {
                    let to = this.to(&user.email, &user.name);
                    this.mailer
                        .send(emails::codes_under_attack(&to, what))
                        .await?;
                }
                Ok(())
            });
        }
        guess.wrong()
    }

    /// A notice about the account: worth a log line if it cannot be sent, not a failed request.
    async fn notify(&self, mail: Mail) {
        if let Err(e) = self.mailer.send(mail).await {
            tracing::warn!(error = %crate::error::chain(&e), "account notice not sent");
        }
    }
}

#[cfg(test)]
mod tests;
