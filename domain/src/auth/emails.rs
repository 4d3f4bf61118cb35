//! The account emails: plain text plus HTML, with any code in the subject line too. Links
//! start with `PUBLIC_URL`, never with the Host a request named.

use crate::mail::{compose, Mail};

pub const PRODUCT: &str = "CloudDrive";

/// Who a mail goes to, and the site its links lead to.
pub struct To<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub site: &'a str,
}

impl To<'_> {
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.site.trim_end_matches('/'))
    }

    fn mail(&self, subject: String, paragraphs: &[String]) -> Mail {
        let mut all = vec![format!("Hello {},", self.name)];
        all.extend_from_slice(paragraphs);
        compose(self.email, subject, &all)
    }
}

pub fn verification_code(to: &To, code: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: your verification code is {code}"),
        &[
            format!("Your code to verify this email address is {code}."),
            format!(
                "Enter it with the password you chose at {}. It works once, for 10 minutes. \
                 If you did not sign up, ignore this email: nothing happens without the code.",
                to.link("/verify")
            ),
        ],
    )
}

pub fn login_code(to: &To, code: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: your login code is {code}"),
        &[
            format!("Your login code is {code}."),
            format!(
                "It works once, for 10 minutes. If you did not try to log in, someone knows \
                 your password: change it at {}.",
                to.link("/forgot")
            ),
        ],
    )
}

pub fn reset_code(to: &To, code: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: your password reset code is {code}"),
        &[
            format!("Your code to choose a new password is {code}."),
            format!(
                "Enter it at {} within 15 minutes. If you did not ask for this, ignore this \
                 email: your password stays as it is.",
                to.link("/reset")
            ),
        ],
    )
}

pub fn confirm_code(to: &To, code: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: your confirmation code is {code}"),
        &[
            format!("Your code to confirm a change to how you log in is {code}."),
            "It works once, for 10 minutes. If you did not ask for it, someone is logged in \
             to your account: log out every other session on your account page and change \
             your password."
                .into(),
        ],
    )
}

pub fn already_registered(to: &To) -> Mail {
    to.mail(
        format!("{PRODUCT}: someone tried to sign up with your email"),
        &[
            "Someone (maybe you) tried to create an account with this email address, which \
             already has one. Nothing was changed."
                .into(),
            format!(
                "If it was you, just log in at {}. Forgot your password? Reset it at {}.",
                to.link("/login"),
                to.link("/forgot")
            ),
        ],
    )
}

pub fn password_changed(to: &To) -> Mail {
    to.mail(
        format!("{PRODUCT}: your password was changed"),
        &[
            "The password of your account was just changed: your other sessions were \
             logged out, and your app passwords revoked."
                .into(),
            format!(
                "If this was not you, reset your password now at {}.",
                to.link("/forgot")
            ),
        ],
    )
}

pub fn app_password_created(to: &To, name: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: a new app password"),
        &[
            format!(
                "An app password named \"{name}\" was just made for your account. It lets a \
                 WebDAV client (a file manager, rclone) reach your files without a second factor."
            ),
            format!(
                "If this was not you, revoke it on your account page at {} and change your \
                 password.",
                to.link("/account")
            ),
        ],
    )
}

pub fn codes_under_attack(to: &To, what: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: someone is trying codes on your account"),
        &[
            format!(
                "Ten wrong {what} codes were entered for your address within an hour, so \
                 entering codes is locked for the rest of the hour."
            ),
            format!(
                "If this was not you, someone may know your password: reset it at {}.",
                to.link("/forgot")
            ),
        ],
    )
}

pub fn second_factor_changed(to: &To, what: &str) -> Mail {
    to.mail(
        format!("{PRODUCT}: {what}"),
        &[
            format!("This is to let you know: {what} on your account just now."),
            format!(
                "If this was not you, reset your password at {} and review your sessions.",
                to.link("/forgot")
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_in_subject_text_and_html_and_names_are_escaped() {
        let to = To {
            email: "a@example.com",
            name: "<b>Ann</b>",
            site: "https://drive.example/",
        };
        let mail = login_code(&to, "042917");
        assert!(mail.subject.contains("042917"));
        assert!(mail.text.contains("042917") && mail.html.contains("042917"));
        assert!(mail.html.contains("&lt;b&gt;Ann&lt;/b&gt;"));
        assert!(mail.text.contains("https://drive.example/forgot"));
    }
}
