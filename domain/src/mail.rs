//! Outgoing email through lettre: SMTP when `SMTP_URL` is set, otherwise `.eml` files in
//! `<data dir>/outbox/`, so sign-up still works on a laptop without a mail server.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::{BoxError, ErrorKind, UserFacing};
use crate::Config;

/// One message, with the same content as plain text and HTML, and maybe a calendar event.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub invite: Option<Invite>,
}

/// An iCalendar object: a `text/calendar` alternative of the body (RFC 6047, how Outlook and
/// Gmail recognise an invitation) and the same as an `invite.ics` attachment (for the rest).
/// `method` (`REQUEST`, `CANCEL`) repeats the one inside, in the content type.
pub struct Invite {
    pub method: &'static str,
    pub ics: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("We could not send the email just now. Please try again in a minute.")]
    Send(#[source] BoxError),
    #[error("That email address cannot receive mail. Check it for typos.")]
    BadAddress,
}

impl UserFacing for MailError {
    fn kind(&self) -> ErrorKind {
        match self {
            MailError::Send(_) => ErrorKind::Unavailable,
            MailError::BadAddress => ErrorKind::Invalid,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("MAIL_FROM is not a valid mailbox: {0}")]
    From(String),
    #[error("SMTP_URL is not a valid SMTP URL: {0}")]
    SmtpUrl(String),
    #[error("cannot create outbox directory {0}: {1}")]
    Outbox(String, std::io::Error),
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Mailer, MailSetupError> {
        let from = config
            .mail_from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailSetupError::From(e.to_string()))?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    // The URL may hold credentials: never echo it back.
                    .map_err(|e| MailSetupError::SmtpUrl(e.to_string()))?
                    .build(),
            ),
            None => {
                let dir = config.data_dir.join("outbox");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| MailSetupError::Outbox(dir.display().to_string(), e))?;
                Transport::Outbox(AsyncFileTransport::new(&dir), dir)
            }
        };
        Ok(Mailer { from, transport })
    }

    /// The address mail is sent from (the organizer of calendar invitations).
    pub fn sender(&self) -> &str {
        self.from.email.as_ref()
    }

    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::BadAddress)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject);
        let message = match mail.invite {
            None => message.multipart(MultiPart::alternative_plain_html(mail.text, mail.html)),
            Some(invite) => {
                let kind = format!("text/calendar; charset=utf-8; method={}", invite.method);
                let kind = ContentType::parse(&kind).map_err(|e| MailError::Send(e.into()))?;
                let body = MultiPart::alternative()
                    .singlepart(SinglePart::plain(mail.text))
                    .singlepart(SinglePart::html(mail.html))
                    .singlepart(
                        SinglePart::builder()
                            .header(kind.clone())
                            .body(invite.ics.clone()),
                    );
                let file = Attachment::new("invite.ics".to_owned()).body(invite.ics, kind);
                message.multipart(MultiPart::mixed().multipart(body).singlepart(file))
            }
        }
        .map_err(|e| MailError::Send(e.into()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map_err(|e| MailError::Send(e.into()))?;
            }
            Transport::Outbox(files, dir) => {
                let id = files
                    .send(message)
                    .await
                    .map_err(|e| MailError::Send(e.into()))?;
                tracing::info!(
                    "mail written to {}",
                    dir.join(format!("{id}.eml")).display()
                );
            }
        }
        Ok(())
    }
}

/// A mail whose body is these paragraphs, as plain text and as (escaped) HTML.
pub fn compose(to: &str, subject: String, paragraphs: &[String]) -> Mail {
    let text = paragraphs.join("\n\n");
    let html = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape_html(p)))
        .collect::<String>();
    Mail {
        to: to.to_owned(),
        subject,
        invite: None,
        text,
        html: format!(
            "<!doctype html><html><body style=\"font-family:sans-serif\">{html}</body></html>"
        ),
    }
}

/// Escapes text for inclusion in an HTML email body.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_smtp_mail_lands_in_the_outbox_as_eml() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let mailer = Mailer::from_config(&config).unwrap();
        mailer
            .send(Mail {
                to: "ann@example.com".into(),
                subject: "Your code: 123456".into(),
                text: "code 123456".into(),
                html: "<p>code <b>123456</b></p>".into(),
                invite: None,
            })
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(eml.contains("Subject: Your code: 123456"));
        assert!(eml.contains("To: ann@example.com"));
        assert!(eml.contains("text/plain") && eml.contains("text/html"));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
