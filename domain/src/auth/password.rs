//! Password policy and bcrypt hashing. Hashing runs on the blocking pool, at most one job per
//! core, so a burst of logins cannot starve the async runtime serving other requests.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::AuthError;

pub const MIN_BYTES: usize = 8;
/// bcrypt ignores everything past 72 bytes; refusing longer passwords avoids a false sense of
/// security.
pub const MAX_BYTES: usize = 72;

/// Checks length and strength; `user_inputs` (email, name) count as easy to guess.
pub fn check_policy(password: &str, user_inputs: &[&str]) -> Result<(), AuthError> {
    let bytes = password.len();
    if bytes < MIN_BYTES {
        return Err(AuthError::Invalid(format!(
            "Use at least {MIN_BYTES} characters for your password."
        )));
    }
    if bytes > MAX_BYTES {
        return Err(AuthError::Invalid(format!(
            "Passwords can be at most {MAX_BYTES} bytes (a limit of bcrypt); this one is {bytes} bytes. Use a shorter passphrase."
        )));
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 3 {
        let mut reason = String::from("This password is too easy to guess.");
        if let Some(feedback) = estimate.feedback() {
            if let Some(warning) = feedback.warning() {
                reason.push_str(&format!(" {warning}."));
            }
            for suggestion in feedback.suggestions() {
                reason.push_str(&format!(" {suggestion}"));
            }
        }
        return Err(AuthError::Invalid(reason.replace("..", ".")));
    }
    Ok(())
}

#[derive(Clone)]
pub struct Hasher {
    cost: u32,
    slots: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(cost: u32) -> Hasher {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Hasher {
            cost,
            slots: Arc::new(Semaphore::new(cores)),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AuthError> {
        let (password, cost) = (password.to_owned(), self.cost);
        self.run(move || bcrypt::hash(password, cost))
            .await?
            .map_err(|e| AuthError::Internal(e.into()))
    }

    /// A malformed stored hash counts as a mismatch (and is logged), never as a match.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, AuthError> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        let verdict = self.run(move || bcrypt::verify(password, &hash)).await?;
        Ok(verdict.unwrap_or_else(|e| {
            tracing::error!(error = %e, "stored password hash is malformed");
            false
        }))
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AuthError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| AuthError::Internal(e.into()))?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| AuthError::Internal(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_are_explained() {
        let short = check_policy("a1b2c3", &[]).unwrap_err().to_string();
        assert!(short.contains("at least 8"), "{short}");
        let long = "correct horse battery staple ".repeat(3);
        let msg = check_policy(&long, &[]).unwrap_err().to_string();
        assert!(msg.contains("at most 72 bytes"), "{msg}");
    }

    #[test]
    fn common_and_personal_passwords_are_refused_with_a_reason() {
        let msg = check_policy("password123", &[]).unwrap_err().to_string();
        assert!(
            msg.starts_with("This password is too easy to guess."),
            "{msg}"
        );
        assert!(
            msg.len() > "This password is too easy to guess.".len(),
            "no reason: {msg}"
        );
        assert!(check_policy("annsmith1984", &["ann.smith@example.com", "Annsmith"]).is_err());
    }

    #[test]
    fn strong_passphrases_pass() {
        check_policy("tangerine-orbit-saddle-42", &[]).unwrap();
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = Hasher::new(4);
        let hash = hasher.hash("tangerine-orbit-saddle-42").await.unwrap();
        assert!(hasher
            .verify("tangerine-orbit-saddle-42", &hash)
            .await
            .unwrap());
        assert!(!hasher
            .verify("tangerine-orbit-saddle-43", &hash)
            .await
            .unwrap());
        assert!(!hasher.verify("x", "not a hash").await.unwrap());
    }
}
