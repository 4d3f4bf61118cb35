//! Authenticator apps (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock
//! skew either way), through `totp-rs`. Secrets are sealed with the server key before they
//! are stored; the QR code is drawn as SVG here, so no outside service sees the secret.

use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

use super::AuthError;
use crate::ids::UserId;
use crate::secrets::Secrets;

const STEP_SECS: u64 = 30;
const SECRET_BYTES: usize = 20;
const SEAL_PURPOSE: &str = "totp secret";

/// What the set-up page shows: the secret to type in, and the same as a QR code.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

fn totp(secret: Vec<u8>, email: &str) -> Result<TOTP, AuthError> {
    // The otpauth label may not contain ':' (it separates issuer and account).
    let account = email.replace(':', "_");
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS,
        secret,
        Some(super::emails::PRODUCT.into()),
        account,
    )
    .map_err(|e| AuthError::Internal(format!("totp: {e:?}").into()))
}

/// A new random secret, sealed for `user_id`, with what the user needs to add it to an app.
pub fn enrol(
    secrets: &Secrets,
    user_id: &UserId,
    email: &str,
) -> Result<(String, Enrolment), AuthError> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let sealed = secrets.seal(SEAL_PURPOSE, user_id.as_str().as_bytes(), &secret);
    let totp = totp(secret, email)?;
    let otpauth_url = totp.get_url();
    let qr =
        qrcode::QrCode::new(otpauth_url.as_bytes()).map_err(|e| AuthError::Internal(e.into()))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .build();
    // An XML declaration has no place inside an HTML page.
    let qr_svg = match qr_svg.find("<svg") {
        Some(start) => qr_svg[start..].to_owned(),
        None => qr_svg,
    };
    Ok((
        sealed,
        Enrolment {
            secret_base32: totp.get_secret_base32(),
            otpauth_url,
            qr_svg,
        },
    ))
}

/// The 30-second step a code is valid for at `now` (allowing one step of skew either way),
/// if it is valid at all. The caller makes sure a step is accepted only once.
pub fn matching_step(
    secrets: &Secrets,
    user_id: &UserId,
    sealed: &str,
    code: &str,
    now: i64,
) -> Result<Option<i64>, AuthError> {
    let secret = secrets
        .open(SEAL_PURPOSE, user_id.as_str().as_bytes(), sealed)
        .ok_or_else(|| AuthError::Internal("totp secret does not open".into()))?;
    let totp = totp(secret, "")?;
    let code = code.trim();
    let now = crate::db::to_u64(now);
    let current = now / STEP_SECS;
    Ok((current.saturating_sub(1)..=current + 1)
        .find(|step| {
            let expected = totp.generate(step * STEP_SECS);
            crate::secrets::same_secret(expected.as_bytes(), code.as_bytes())
        })
        .map(crate::db::to_i64))
}

/// The code an app shows at `unix` for a base32 secret (for tests and the CLI).
pub fn code_at(secret_base32: &str, unix: u64) -> Option<String> {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .ok()?;
    Some(totp(secret, "").ok()?.generate(unix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enrolled_secret_checks_codes_of_adjacent_steps_only() {
        let s = Secrets::for_tests();
        let (sealed, shown) = enrol(&s, &UserId::from("u1"), "ann@example.com").unwrap();
        assert!(shown.qr_svg.starts_with("<svg"));
        assert!(shown.otpauth_url.starts_with("otpauth://totp/CloudDrive:"));
        assert!(!sealed.contains(&shown.secret_base32));
        let now = 1_800_000_000;
        let code = code_at(&shown.secret_base32, crate::db::to_u64(now)).unwrap();
        assert_eq!(
            matching_step(&s, &UserId::from("u1"), &sealed, &code, now).unwrap(),
            Some(now / 30)
        );
        assert!(
            matching_step(&s, &UserId::from("u1"), &sealed, &code, now + 30)
                .unwrap()
                .is_some()
        );
        assert_eq!(
            matching_step(&s, &UserId::from("u1"), &sealed, &code, now + 90).unwrap(),
            None
        );
        // Sealed for another user, the secret does not open.
        assert!(matching_step(&s, &UserId::from("u2"), &sealed, &code, now).is_err());
    }
}
