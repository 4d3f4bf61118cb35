//! A link's token: its id (128 random bits) followed by an HMAC of the id and the link's
//! generation under the server key (128 bits of it). Only the id is stored, so a copy of the
//! database opens no link; the owner's list derives each URL again; revoking bumps the
//! generation, which turns every earlier token into a stranger's guess.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use crate::secrets::{same_secret, Secrets};

const RANDOM_BYTES: usize = 16;
/// Both halves are 16 bytes in unpadded base64url.
const PART_CHARS: usize = 22;

pub(super) fn new_id() -> String {
    let mut id = [0u8; RANDOM_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut id);
    URL_SAFE_NO_PAD.encode(id)
}

fn proof(secrets: &Secrets, id: &str, generation: i64) -> String {
    let mac = secrets.mac(&[b"share link", id.as_bytes(), &generation.to_be_bytes()]);
    // `mac` is hex; its first 16 bytes, re-encoded to match the id's alphabet.
    let bytes = hex::decode(&mac[..2 * RANDOM_BYTES]).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn token(secrets: &Secrets, id: &str, generation: i64) -> String {
    format!("{id}{}", proof(secrets, id, generation))
}

/// The id a token names, if it has a token's shape (checked against the stored generation
/// with `genuine`).
pub(super) fn id_of(token: &str) -> Option<&str> {
    let well_formed = token.len() == 2 * PART_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| &token[..PART_CHARS])
}

pub(super) fn genuine(secrets: &Secrets, token: &str, generation: i64) -> bool {
    let Some(id) = id_of(token) else {
        return false;
    };
    same_secret(
        &token.as_bytes()[PART_CHARS..],
        proof(secrets, id, generation).as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_its_own_generation() {
        let secrets = Secrets::for_tests();
        let id = new_id();
        assert_eq!(id.len(), PART_CHARS);
        let t = token(&secrets, &id, 0);
        assert_eq!(id_of(&t), Some(id.as_str()));
        assert!(genuine(&secrets, &t, 0));
        assert!(
            !genuine(&secrets, &t, 1),
            "revoking must kill the old token"
        );
        let mut forged = t.clone();
        forged.replace_range(PART_CHARS.., &"A".repeat(PART_CHARS));
        assert!(!genuine(&secrets, &forged, 0));
        assert!(id_of("short").is_none());
        assert!(id_of(&format!("{}/../{}", &t[..20], &t[24..])).is_none());
        assert_ne!(new_id(), id, "ids are random");
    }
}
