//! A link's password. Wrong tries are counted before bcrypt runs (like logins), per link and
//! client address (an IPv4 address or an IPv6 /64): a stranger guessing locks out only
//! themselves, never the people the link was sent to. A right password earns a proof (kept
//! in a cookie) that the link's later requests show instead.

use super::OpenShare;
use crate::auth::{throttle, AuthError};
use crate::drive::{Drive, DriveError};

impl Drive {
    /// Checks a link's password; the proof that it was given, to show on later requests.
    pub async fn unlock_share(
        &self,
        share: &OpenShare,
        password: &str,
        client: &str,
    ) -> Result<String, DriveError> {
        let Some(hash) = &share.password_hash else {
            return Ok(self.unlock_proof(share));
        };
        let key = format!("share {} {client}", share.id);
        throttle::reserve(&self.db, &key, self.clock.now())
            .await
            .map_err(|e| match e {
                AuthError::Throttled { retry_after_secs } => {
                    DriveError::Throttled { retry_after_secs }
                }
                other => DriveError::internal(other),
            })?;
        let right = password.len() <= super::MAX_PASSWORD_BYTES
            && self
                .hasher
                .verify(password, hash)
                .await
                .map_err(DriveError::internal)?;
        if !right {
            return Err(DriveError::Forbidden(
                "That password is not right for this link.".into(),
            ));
        }
        throttle::clear(&self.db, &key)
            .await
            .map_err(DriveError::internal)?;
        Ok(self.unlock_proof(share))
    }

    /// Whether `proof` shows the link's password was given (always, for a link without one).
    /// A proof ends with the link's generation, so revoking ends it too.
    pub fn is_unlocked(&self, share: &OpenShare, proof: Option<&str>) -> bool {
        share.password_hash.is_none()
            || proof.is_some_and(|p| {
                crate::secrets::same_secret(p.as_bytes(), self.unlock_proof(share).as_bytes())
            })
    }

    fn unlock_proof(&self, share: &OpenShare) -> String {
        self.secrets.mac(&[
            b"share unlocked",
            share.id.as_bytes(),
            &share.generation.to_be_bytes(),
        ])
    }
}
