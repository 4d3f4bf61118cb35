//! The server's secret key: `SECRET_KEY` (one for a deployment of several app servers), or
//! generated once into `<data dir>/secret.key` (mode 0600).
//! It keys the hashes of one-time codes, so a copied database alone cannot be brute-forced, and
//! the encryption of secrets the server must read back (authenticator app secrets).

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub struct Secrets {
    key: [u8; 32],
}

impl Secrets {
    /// The key given as 64 hex digits (`SECRET_KEY`; `openssl rand -hex 32` makes one).
    /// The error never repeats the text.
    pub fn from_hex(text: &str) -> Result<Secrets, String> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut key)
            .map_err(|_| "the key must be 64 hex digits (openssl rand -hex 32)".to_string())?;
        Ok(Secrets { key })
    }

    /// Loads the key, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Secrets> {
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Secrets::from_hex(&text).map_err(|reason| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {reason}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir)?;
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let mut file = open_private(&path)?;
                file.write_all(hex::encode(key).as_bytes())?;
                file.sync_all()?;
                Ok(Secrets { key })
            }
            Err(e) => Err(e),
        }
    }

    #[cfg(test)]
    pub fn for_tests() -> Secrets {
        Secrets { key: [7; 32] }
    }

    /// HMAC-SHA256 over the parts (each length-prefixed, so part boundaries matter), as hex.
    pub fn mac(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.mac_bytes(parts))
    }

    fn mac_bytes(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// A key of its own for each use (`purpose`), derived from the server key.
    fn cipher(&self, purpose: &str) -> ChaCha20Poly1305 {
        let key = self.mac_bytes(&[b"encryption key", purpose.as_bytes()]);
        ChaCha20Poly1305::new(&key.into())
    }

    /// Encrypts and authenticates `plain`, bound to `context` (say, the owner's id): base64 of
    /// a random nonce followed by the ciphertext.
    pub fn seal(&self, purpose: &str, context: &[u8], plain: &[u8]) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plain,
            aad: context,
        };
        // Encryption fails only for messages of gigabytes; these are secrets of a few bytes.
        let sealed = self
            .cipher(purpose)
            .encrypt(&nonce, payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    /// The plain bytes of `seal`'s output, if it was sealed with this key, purpose and context.
    pub fn open(&self, purpose: &str, context: &[u8], sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: sealed,
            aad: context,
        };
        self.cipher(purpose)
            .decrypt(Nonce::from_slice(nonce), payload)
            .ok()
    }
}

const NONCE_BYTES: usize = 12;

/// Equal without telling, by timing, how much of the secret matched.
pub fn same_secret(given: &[u8], secret: &[u8]) -> bool {
    given.len() == secret.len()
        && given
            .iter()
            .zip(secret)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let a = Secrets::load_or_create(dir.path()).unwrap();
        let b = Secrets::load_or_create(dir.path()).unwrap();
        assert_eq!(a.mac(&[b"x"]), b.mac(&[b"x"]));
        assert_ne!(a.mac(&[b"x"]), Secrets::for_tests().mac(&[b"x"]));
    }

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_purpose_and_context() {
        let s = Secrets::for_tests();
        let sealed = s.seal("totp", b"u1", b"secret bytes");
        assert!(!sealed.contains("secret"));
        assert_eq!(s.open("totp", b"u1", &sealed).unwrap(), b"secret bytes");
        assert!(s.open("totp", b"u2", &sealed).is_none());
        assert!(s.open("other", b"u1", &sealed).is_none());
        let dir = tempfile::tempdir().unwrap();
        let other_key = Secrets::load_or_create(dir.path()).unwrap();
        assert!(other_key.open("totp", b"u1", &sealed).is_none());
        assert!(s.open("totp", b"u1", "not base64!").is_none());
    }

    #[test]
    fn part_boundaries_change_the_mac() {
        let s = Secrets::for_tests();
        assert_ne!(s.mac(&[b"ab", b"c"]), s.mac(&[b"a", b"bc"]));
    }
}
