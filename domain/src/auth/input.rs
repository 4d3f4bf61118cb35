//! Validation and normalisation of what people type into the account forms.

use super::AuthError;

const MAX_EMAIL_LEN: usize = 254;
const MAX_NAME_CHARS: usize = 80;

/// Trims and lower-cases an email address, refusing anything that cannot be one.
pub fn email(raw: &str) -> Result<String, AuthError> {
    let email = raw.trim().to_lowercase();
    let invalid =
        || AuthError::Invalid("Enter a valid email address, like name@example.com.".into());
    if email.len() > MAX_EMAIL_LEN || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || local.contains('@') || !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

/// Trims a display name and checks it is 1 to 80 printable characters.
pub fn display_name(raw: &str) -> Result<String, AuthError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AuthError::Invalid("Enter your name.".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AuthError::Invalid(format!(
            "Names can be at most {MAX_NAME_CHARS} characters."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(AuthError::Invalid(
            "Names cannot contain control characters.".into(),
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email("  Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "a@b@c.com",
            "ann@.com",
            "ann@example..com",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(display_name("  Ann Lee ").unwrap(), "Ann Lee");
        assert!(display_name("   ").is_err());
        assert!(display_name(&"x".repeat(81)).is_err());
        assert!(display_name("Ann\u{0}").is_err());
    }
}
