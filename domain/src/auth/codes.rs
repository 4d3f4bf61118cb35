//! Emailed 6-digit one-time codes, and the limits on guessing and mailing them, all kept per
//! normalised email and purpose so known and unknown addresses behave alike:
//! - a guess is counted before it is compared, toward the address's wrong codes of the rolling
//!   hour (at most 10) and toward the tries of every live code (at most 5 each), so concurrent
//!   guesses get no more comparisons than the limits allow;
//! - at most 5 codes are mailed per address and purpose per hour, 30 s apart; a resend never
//!   resets the hourly counts;
//! - a right code is consumed by one `DELETE`, so it works once.

use rand::Rng;

use super::attempts::{self, Counted, Rule};
use super::AuthError;
use crate::db::Db;
use crate::secrets::{same_secret, Secrets};

pub const MAX_TRIES: i64 = 5;
pub const RESEND_AFTER_SECS: i64 = 30;
const HOUR: i64 = 3600;
/// Wrong codes one address may send per purpose in a rolling hour.
pub const WRONG_CODES: Rule = Rule {
    limit: 10,
    window_secs: HOUR,
    min_gap_secs: 0,
};
/// Codes mailed to one address per purpose.
pub const MAILED_CODES: Rule = Rule {
    limit: 5,
    window_secs: HOUR,
    min_gap_secs: RESEND_AFTER_SECS,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    Login,
    PasswordReset,
    /// Confirms a change of the second factor while logged in.
    Confirm,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::Login => "login",
            Purpose::PasswordReset => "password_reset",
            Purpose::Confirm => "confirm",
        }
    }

    /// How long a code works.
    pub fn ttl_secs(self) -> i64 {
        match self {
            Purpose::PasswordReset => 15 * 60,
            _ => 10 * 60,
        }
    }

    /// How many codes may be live at once: the newest replaces the rest, except that two
    /// sign-ups (a squatter's and the owner's, say) each keep theirs. Every live code is a
    /// target for a guess, so they are few.
    fn live_at_most(self) -> i64 {
        match self {
            Purpose::VerifyEmail => 2,
            _ => 1,
        }
    }

    /// Whether a guess counts when no code is live. A login step exists only after the right
    /// password (for no address without it) and a confirmation only for a logged-in user, so
    /// for those, guesses at nothing are not counted: nobody can lock a stranger out.
    /// Sign-up and reset codes can be caused by anyone for any address, so guesses always
    /// count, and known and unknown addresses lock alike.
    fn counts_without_code(self) -> bool {
        matches!(self, Purpose::VerifyEmail | Purpose::PasswordReset)
    }
}

fn hash(secrets: &Secrets, email: &str, purpose: Purpose, code: &str) -> String {
    secrets.mac(&[
        purpose.as_str().as_bytes(),
        email.as_bytes(),
        code.as_bytes(),
    ])
}

fn limit_key(kind: &str, email: &str, purpose: Purpose) -> String {
    format!("{kind}:{}:{email}", purpose.as_str())
}

/// Counts one mail of this purpose to `email`; `Err(ResendTooSoon)` when the address had
/// five in the hour, or one in the last 30 s while that code is still usable (a code that was
/// used up, by a login say, needs no waiting for the next one). Sign-ups always wait 30 s.
pub async fn reserve_mail(
    db: &Db,
    email: &str,
    purpose: Purpose,
    now: i64,
) -> Result<(), AuthError> {
    let rule = if purpose != Purpose::VerifyEmail && !usable(db, email, purpose, now).await? {
        Rule {
            min_gap_secs: 0,
            ..MAILED_CODES
        }
    } else {
        MAILED_CODES
    };
    match attempts::count(db, &limit_key("mailed", email, purpose), rule, now).await? {
        Counted::Yes { .. } => Ok(()),
        Counted::No { retry_after_secs } => Err(AuthError::ResendTooSoon { retry_after_secs }),
    }
}

/// Mails are limited (see `reserve_mail`); returns the plain code, which only goes into the mail.
pub async fn issue(
    db: &Db,
    secrets: &Secrets,
    email: &str,
    purpose: Purpose,
    now: i64,
) -> Result<String, AuthError> {
    reserve_mail(db, email, purpose, now).await?;
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    store(
        db,
        email,
        purpose,
        Some(hash(secrets, email, purpose, &code)),
        now,
    )
    .await?;
    Ok(code)
}

/// A login step that waits for an authenticator app code: nothing is mailed, but the step
/// exists only after the password, and its tries are limited like a mailed code's.
pub async fn await_app_code(db: &Db, email: &str, now: i64) -> Result<(), AuthError> {
    store(db, email, Purpose::Login, None, now).await
}

async fn store(
    db: &Db,
    email: &str,
    purpose: Purpose,
    code_hash: Option<String>,
    now: i64,
) -> Result<(), AuthError> {
    let mut tx = db.begin().await?;
    // Concurrent requests for codes queue here, so each sees the codes the others stored and
    // no more than `live_at_most` are ever live.
    crate::db::lock_key(&mut tx, &limit_key("live", email, purpose), now).await?;
    sqlx::query(
        "DELETE FROM auth_codes WHERE email = $1 AND purpose = $2 AND id NOT IN
           (SELECT id FROM auth_codes WHERE email = $3 AND purpose = $4
            ORDER BY created_at DESC LIMIT $5)",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(email)
    .bind(purpose.as_str())
    .bind(purpose.live_at_most() - 1)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO auth_codes (id, email, purpose, code_hash, created_at, expires_at, tries)
         VALUES ($1, $2, $3, $4, $5, $6, 0)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(email)
    .bind(purpose.as_str())
    .bind(code_hash)
    .bind(now)
    .bind(now + purpose.ttl_secs())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a mailed code of this purpose is live with tries left.
async fn usable(db: &Db, email: &str, purpose: Purpose, now: i64) -> Result<bool, AuthError> {
    let row: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM auth_codes WHERE email = $1 AND purpose = $2 AND code_hash IS NOT NULL
           AND expires_at > $3 AND tries < $4 LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(now)
    .bind(MAX_TRIES)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Whether a step of this purpose is waiting for `email` (a code was sent, or an app code is
/// expected), live or used up.
pub async fn pending(db: &Db, email: &str, purpose: Purpose, now: i64) -> Result<bool, AuthError> {
    let row: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM auth_codes WHERE email = $1 AND purpose = $2 AND expires_at > $3 LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Counts one guess toward the address's hourly wrong codes, without any live code (for app
/// and recovery codes checked while logged in).
pub async fn count_guess(
    db: &Db,
    email: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Guess, AuthError> {
    match attempts::count(db, &limit_key("wrong", email, purpose), WRONG_CODES, now).await? {
        Counted::Yes { id, count } => Ok(Guess {
            event: Some(id),
            hourly: count,
            live: Vec::new(),
        }),
        Counted::No { retry_after_secs } => Err(AuthError::CodesLocked { retry_after_secs }),
    }
}

/// A guess that has been counted and may now be compared.
#[derive(Debug)]
pub struct Guess {
    /// The counted guess, if it was counted.
    event: Option<i64>,
    /// This guess's place among the address's wrong codes of the hour (10 locks the address).
    hourly: i64,
    /// Live codes with the tries this guess took: (id, hash, tries so far).
    live: Vec<(String, Option<String>, i64)>,
}

/// Counts a guess at the live codes of (email, purpose) before anything is compared;
/// `Err(CodesLocked)` past the hourly limit. With no live code the guess counts only for the
/// purposes anyone can cause a code for (see `counts_without_code`).
pub async fn guess(db: &Db, email: &str, purpose: Purpose, now: i64) -> Result<Guess, AuthError> {
    if !purpose.counts_without_code() && !pending(db, email, purpose, now).await? {
        return Ok(Guess {
            event: None,
            hourly: 0,
            live: Vec::new(),
        });
    }
    let mut guess = count_guess(db, email, purpose, now).await?;
    // One statement takes a try from every live code; a code with no tries left is dead.
    guess.live = sqlx::query_as(
        "UPDATE auth_codes SET tries = tries + 1
         WHERE email = $1 AND purpose = $2 AND expires_at > $3 AND tries < $4
         RETURNING id, code_hash, tries",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(now)
    .bind(MAX_TRIES)
    .fetch_all(db)
    .await?;
    Ok(guess)
}

impl Guess {
    /// The live code this code is, if any (compared in constant time).
    pub fn matching(
        &self,
        secrets: &Secrets,
        email: &str,
        purpose: Purpose,
        code: &str,
    ) -> Option<String> {
        let given = hash(secrets, email, purpose, code.trim());
        self.live
            .iter()
            .find(|(_, stored, _)| {
                stored
                    .as_deref()
                    .is_some_and(|s| same_secret(given.as_bytes(), s.as_bytes()))
            })
            .map(|(id, _, _)| id.clone())
    }

    /// The live step's id when it waits for an app code (no mailed code).
    pub fn app_step(&self) -> Option<String> {
        self.live.first().map(|(id, _, _)| id.clone())
    }

    /// Uses up the code (once: of two concurrent right guesses one wins) and gives back the
    /// counted guess, which was no wrong code.
    pub async fn consume(self, db: &Db, code_id: &str) -> Result<(), AuthError> {
        let gone = sqlx::query("DELETE FROM auth_codes WHERE id = $1")
            .bind(code_id)
            .execute(db)
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(AuthError::CodeUsedUp);
        }
        self.right(db).await
    }

    /// A guess checked elsewhere (an app or recovery code) that was right: no wrong code.
    pub async fn right(self, db: &Db) -> Result<(), AuthError> {
        match self.event {
            Some(id) => attempts::give_back(db, id).await,
            None => Ok(()),
        }
    }

    /// The error for a wrong guess: how many tries are left, the fewer of this code's and the
    /// hour's.
    pub fn wrong(&self) -> AuthError {
        if self.live.is_empty() {
            return AuthError::NoCode;
        }
        let per_code = self
            .live
            .iter()
            .map(|(_, _, tries)| MAX_TRIES - tries)
            .max()
            .unwrap_or(0);
        let tries_left = per_code.min(WRONG_CODES.limit - self.hourly);
        if tries_left <= 0 {
            AuthError::CodeUsedUp
        } else {
            AuthError::WrongCode { tries_left }
        }
    }

    /// Whether this wrong guess was the one that locked the address for the hour.
    pub fn locked_the_address(&self) -> bool {
        self.hourly == WRONG_CODES.limit
    }
}

/// Drops every code of (email, purpose), e.g. once the account it was for is settled.
pub async fn drop_all(db: &Db, email: &str, purpose: Purpose) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM auth_codes WHERE email = $1 AND purpose = $2")
        .bind(email)
        .bind(purpose.as_str())
        .execute(db)
        .await?;
    Ok(())
}

pub async fn prune(db: &Db, now: i64) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM auth_codes WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    attempts::prune(db, now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    const EMAIL: &str = "a@example.com";

    fn other_than(code: &str) -> &'static str {
        if code == "000000" {
            "000001"
        } else {
            "000000"
        }
    }

    async fn try_code(
        db: &Db,
        s: &Secrets,
        purpose: Purpose,
        code: &str,
        now: i64,
    ) -> Result<(), AuthError> {
        let guess = guess(db, EMAIL, purpose, now).await?;
        match guess.matching(s, EMAIL, purpose, code) {
            Some(id) => guess.consume(db, &id).await,
            None => Err(guess.wrong()),
        }
    }

    #[tokio::test]
    async fn code_is_six_digits_and_works_once() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let code = issue(&db, &s, EMAIL, Purpose::Login, 1000).await.unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        // Another purpose's code does not match.
        assert!(matches!(
            try_code(&db, &s, Purpose::VerifyEmail, &code, 1001).await,
            Err(AuthError::NoCode)
        ));
        try_code(&db, &s, Purpose::Login, &code, 1001)
            .await
            .unwrap();
        assert!(matches!(
            try_code(&db, &s, Purpose::Login, &code, 1002).await,
            Err(AuthError::NoCode)
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn codes_requested_at_once_leave_one_live() {
        let (db, _dir) = test_db().await;
        let s = std::sync::Arc::new(Secrets::for_tests());
        // Five requests in the same instant (the hourly limit lets five through), each on its
        // own thread: on a database with concurrent writers, each could delete before the
        // others inserted and leave five codes to guess against.
        let issued = futures::future::join_all((0..5).map(|_| {
            let (db, s) = (db.clone(), s.clone());
            tokio::spawn(async move { issue(&db, &s, EMAIL, Purpose::PasswordReset, 1000).await })
        }))
        .await;
        assert!(issued.iter().any(|r| matches!(r, Ok(Ok(_)))));
        // And the storing itself, many at once (the mail limit spaces the requests above).
        let stored = futures::future::join_all((0..20).map(|i| {
            let db = db.clone();
            let hash = format!("h{i}");
            tokio::spawn(async move {
                store(&db, EMAIL, Purpose::PasswordReset, Some(hash), 1001).await
            })
        }))
        .await;
        assert!(stored.iter().all(|r| matches!(r, Ok(Ok(())))));
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_codes WHERE email = $1 AND purpose = 'password_reset'",
        )
        .bind(EMAIL)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(live, 1, "one live reset code, whatever the race");
    }

    #[tokio::test]
    async fn five_wrong_tries_kill_the_code() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let code = issue(&db, &s, EMAIL, Purpose::Login, 1000).await.unwrap();
        let wrong = other_than(&code);
        for left in (1..5).rev() {
            match try_code(&db, &s, Purpose::Login, wrong, 1001).await {
                Err(AuthError::WrongCode { tries_left }) => assert_eq!(tries_left, left),
                other => panic!("expected WrongCode, got {other:?}"),
            }
        }
        assert!(matches!(
            try_code(&db, &s, Purpose::Login, wrong, 1001).await,
            Err(AuthError::CodeUsedUp)
        ));
        assert!(matches!(
            try_code(&db, &s, Purpose::Login, &code, 1001).await,
            Err(AuthError::NoCode)
        ));
    }

    #[tokio::test]
    async fn expired_codes_are_refused() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let code = issue(&db, &s, EMAIL, Purpose::Login, 1000).await.unwrap();
        assert!(try_code(&db, &s, Purpose::Login, &code, 1000 + 600)
            .await
            .is_err());
        let reset = issue(&db, &s, EMAIL, Purpose::PasswordReset, 1000)
            .await
            .unwrap();
        try_code(&db, &s, Purpose::PasswordReset, &reset, 1000 + 899)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn resends_are_spaced_and_never_reset_the_hourly_count() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        issue(&db, &s, EMAIL, Purpose::Login, 1000).await.unwrap();
        // While that code is usable, the next waits 30 s.
        match issue(&db, &s, EMAIL, Purpose::Login, 1010).await {
            Err(AuthError::ResendTooSoon { retry_after_secs }) => assert_eq!(retry_after_secs, 20),
            other => panic!("expected ResendTooSoon, got {other:?}"),
        }
        // Two more codes with five wrong tries each: the tenth wrong code locks the address.
        let mut t = 1030;
        for _ in 0..2 {
            let code = issue(&db, &s, EMAIL, Purpose::Login, t).await.unwrap();
            for _ in 0..5 {
                assert!(try_code(&db, &s, Purpose::Login, other_than(&code), t + 1)
                    .await
                    .is_err());
            }
            // A used-up code needs no 30 s wait for the next.
            t += 2;
        }
        let code = issue(&db, &s, EMAIL, Purpose::Login, t).await.unwrap();
        match try_code(&db, &s, Purpose::Login, &code, t + 1).await {
            Err(AuthError::CodesLocked { retry_after_secs }) => {
                assert_eq!(retry_after_secs, crate::db::to_u64(1031 + 3600 - (t + 1)))
            }
            other => panic!("expected CodesLocked, got {other:?}"),
        }
        // Five mails in the hour at most (this is the fifth; the sixth is refused).
        issue(&db, &s, EMAIL, Purpose::Login, t + 40).await.unwrap();
        assert!(matches!(
            issue(&db, &s, EMAIL, Purpose::Login, t + 80).await,
            Err(AuthError::ResendTooSoon { .. })
        ));
    }

    #[tokio::test]
    async fn concurrent_wrong_guesses_take_at_most_five_tries() {
        let (db, _dir) = test_db().await;
        let s = Secrets::for_tests();
        let code = issue(&db, &s, EMAIL, Purpose::Login, 1000).await.unwrap();
        let wrong = other_than(&code);
        let guesses = (0..30).map(|_| try_code(&db, &s, Purpose::Login, wrong, 1001));
        let outcomes = futures::future::join_all(guesses).await;
        let compared = outcomes
            .iter()
            .filter(|o| matches!(o, Err(AuthError::WrongCode { .. } | AuthError::CodeUsedUp)))
            .count();
        assert!(compared <= 5, "{outcomes:?}");
        let tries: i64 = sqlx::query_scalar("SELECT tries FROM auth_codes")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(tries, 5);
        assert!(try_code(&db, &s, Purpose::Login, &code, 1002)
            .await
            .is_err());
    }
}
