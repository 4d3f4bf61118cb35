//! The account emails: plain text plus HTML, with any code in the subject line too.

use crate::mail::{compose, Mail};

pub const PRODUCT: &str = "CloudDrive";

pub fn verification_code(to: &str, name: &str, code: &str) -> Mail {
    compose(
        to,
        format!("{PRODUCT}: your verification code is {code}"),
        &[
            format!("Hello {name},"),
            format!("Your code to verify this email address is {code}."),
            "It works once, for 10 minutes. If you did not sign up, ignore this email.".into(),
        ],
    )
}

pub fn login_code(to: &str, name: &str, code: &str) -> Mail {
    compose(
        to,
        format!("{PRODUCT}: your login code is {code}"),
        &[
            format!("Hello {name},"),
            format!("Your login code is {code}."),
            "It works once, for 10 minutes. If you did not try to log in, someone knows your \
             password: change it."
                .into(),
        ],
    )
}

pub fn already_registered(to: &str, name: &str) -> Mail {
    compose(
        to,
        format!("{PRODUCT}: someone tried to sign up with your email"),
        &[
            format!("Hello {name},"),
            "Someone (maybe you) tried to create an account with this email address, which \
             already has one. Nothing was changed."
                .into(),
            "If it was you, just log in with your password.".into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_in_subject_text_and_html_and_names_are_escaped() {
        let mail = login_code("a@example.com", "<b>Ann</b>", "042917");
        assert!(mail.subject.contains("042917"));
        assert!(mail.text.contains("042917") && mail.html.contains("042917"));
        assert!(mail.html.contains("&lt;b&gt;Ann&lt;/b&gt;"));
    }
}
