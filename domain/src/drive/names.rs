//! File and folder names: what is allowed, how they are stored, and when two names collide.

use unicode_normalization::UnicodeNormalization;

use super::DriveError;

/// Longest name in bytes (UTF-8, after normalisation), as on common file systems.
pub const MAX_NAME_BYTES: usize = 255;

/// A valid name, NFC-normalised, and its collision key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub display: String,
    /// NFC and lower case: "Report.pdf", "report.PDF" and a decomposed "Résumé" all collide.
    pub key: String,
}

/// Checks a name a user typed or a browser sent, and says what is wrong with it.
pub fn clean(raw: &str) -> Result<Name, DriveError> {
    let display: String = raw.nfc().collect();
    let invalid = |why: &str| Err(DriveError::Invalid(why.to_owned()));
    if display.is_empty() {
        return invalid("A name is required.");
    }
    if display.contains(['/', '\\']) {
        return invalid("Names cannot contain / or \\.");
    }
    if display.chars().any(char::is_control) {
        return invalid("Names cannot contain control characters (such as NUL or line breaks).");
    }
    if display.chars().all(|c| c == '.') {
        return invalid("A name cannot be only dots.");
    }
    if display.trim() != display {
        return invalid("Names cannot start or end with a space.");
    }
    if display.len() > MAX_NAME_BYTES {
        return Err(DriveError::Invalid(format!(
            "Names are limited to {MAX_NAME_BYTES} bytes; this one has {}.",
            display.len()
        )));
    }
    let key = search_key(&display);
    Ok(Name { display, key })
}

/// `name` with " (n)" before its extension: "report (1).pdf", ".bashrc (1)", "notes (2)".
/// The stem is shortened when needed, so the result stays within `MAX_NAME_BYTES`.
pub fn numbered(name: &Name, n: u32) -> Name {
    let display = &name.display;
    // A leading dot starts a hidden file's name, not an extension; neither is half the name.
    let (stem, ext) = match display.rfind('.') {
        Some(dot) if dot > 0 && display.len() - dot <= MAX_NAME_BYTES / 2 => display.split_at(dot),
        _ => (display.as_str(), ""),
    };
    let suffix = format!(" ({n}){ext}");
    let mut room = MAX_NAME_BYTES.saturating_sub(suffix.len()).min(stem.len());
    while !stem.is_char_boundary(room) {
        room -= 1;
    }
    // Shortening can leave a trailing space, which names may not end the stem with either.
    let display = format!("{}{suffix}", stem[..room].trim_end());
    let key = search_key(&display);
    Name { display, key }
}

/// What a search compares with names: the same normalisation as collision keys.
pub fn search_key(text: &str) -> String {
    text.nfc().collect::<String>().to_lowercase()
}

/// The media type for a file: the browser's if it gave a plausible one, else from the name.
pub fn media_type(name: &str, claimed: Option<&str>) -> String {
    match claimed.map(str::trim) {
        Some(m) if m.parse::<mime_guess::mime::Mime>().is_ok() && m.len() <= 127 => m.to_owned(),
        _ => mime_guess::from_path(name)
            .first_or_octet_stream()
            .essence_str()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> String {
        match clean(raw) {
            Err(DriveError::Invalid(why)) => why,
            other => panic!("{raw:?} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn hostile_names_are_refused_with_the_reason() {
        assert!(refused("../etc/passwd").contains('/'));
        assert!(refused("a\\b").contains('\\'));
        assert!(refused("a\0b").contains("control"));
        assert!(refused("line\nbreak").contains("control"));
        assert!(refused("..").contains("dots"));
        assert!(refused("...").contains("dots"));
        assert!(refused("").contains("required"));
        assert!(refused(" padded").contains("space"));
        assert!(refused(&"x".repeat(1000)).contains("255 bytes; this one has 1000"));
        // 128 two-byte characters are 256 bytes.
        assert!(refused(&"é".repeat(128)).contains("256"));
    }

    #[test]
    fn numbered_names_keep_the_extension_and_the_length_limit() {
        let of = |raw: &str, n| numbered(&clean(raw).unwrap(), n).display;
        assert_eq!(of("report.pdf", 1), "report (1).pdf");
        assert_eq!(of("archive.tar.gz", 2), "archive.tar (2).gz");
        assert_eq!(of(".bashrc", 1), ".bashrc (1)");
        assert_eq!(of("notes", 12), "notes (12)");
        assert_eq!(
            numbered(&clean("Résumé.PDF").unwrap(), 1).key,
            "résumé (1).pdf"
        );
        // 127 two-byte characters and ".txt": the stem gives up whole characters to fit.
        let long = format!("{}.txt", "é".repeat(125));
        let n = of(&long, 3);
        assert!(n.len() <= MAX_NAME_BYTES, "{} bytes", n.len());
        assert!(n.ends_with("é (3).txt"));
        assert!(clean(&n).is_ok());
        let odd = format!("a.{}", "x".repeat(250));
        assert_eq!(of(&odd, 1), format!("{} (1)", &odd[..251]));
    }

    #[test]
    fn ordinary_names_pass_unchanged() {
        for ok in [
            "report.pdf",
            ".bashrc",
            "a..b",
            "日本語のファイル.txt",
            "x".repeat(255).as_str(),
        ] {
            assert_eq!(clean(ok).unwrap().display, ok);
        }
    }

    #[test]
    fn names_that_normalise_alike_collide() {
        let composed = clean("R\u{e9}sum\u{e9}.txt").unwrap();
        let decomposed = clean("Re\u{301}sume\u{301}.txt").unwrap();
        assert_eq!(composed.display, decomposed.display, "stored NFC");
        assert_eq!(composed.key, decomposed.key);
        assert_eq!(
            clean("REPORT.PDF").unwrap().key,
            clean("report.pdf").unwrap().key
        );
    }

    #[test]
    fn media_types_come_from_the_browser_or_the_name() {
        assert_eq!(media_type("a.png", None), "image/png");
        assert_eq!(media_type("a.bin", Some("video/mp4")), "video/mp4");
        assert_eq!(media_type("a.txt", Some("not a type")), "text/plain");
        assert_eq!(media_type("noext", Some("")), "application/octet-stream");
    }
}
