//! Small formatting helpers for what pages show.

/// Bytes in decimal units, as drives are sold: "1.5 GB".
pub use model::drive::human_bytes as bytes;

/// "45" or "45.5" (dollars, as typed) in cents, rounded to the nearest cent; `None` unless a
/// sane amount (up to a billion dollars). Digits only: no float parsing, whose code and tables
/// would otherwise be the biggest thing on the courses page's module.
pub fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let dollars: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    if dollars > 1_000_000_000 {
        return None;
    }
    let digit = |i: usize| {
        fraction
            .as_bytes()
            .get(i)
            .map_or(0, |d| i64::from(d - b'0'))
    };
    let cents = dollars * 100 + digit(0) * 10 + digit(1) + i64::from(digit(2) >= 5);
    (cents <= 100_000_000_000).then_some(cents)
}

/// A size, count or time the browser gives as a JavaScript number: a whole number kept exactly
/// in an f64 (below 2^53). Rust's float-to-int casts saturate, so nothing wraps.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn whole(n: f64) -> u64 {
    n.max(0.0) as u64
}

/// Money in cents as dollars: "$45.00".
pub fn money(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// A UTC time as (year, month 1-12, day 1-31, weekday 0 = Sunday, hour, minute). Integer
/// arithmetic (Howard Hinnant's `civil_from_days`) rather than chrono, which would bring its
/// formatting machinery into every page's WASM for three fixed formats.
fn utc(unix: i64) -> (i64, usize, i64, usize, i64, i64) {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // In range by construction: month 1..=12, weekday 0..=6.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (month, weekday) = (month as usize, (days + 4).rem_euclid(7) as usize);
    (
        year,
        month,
        day,
        weekday,
        seconds / 3600,
        seconds % 3600 / 60,
    )
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Tue 1 Dec 2026" in UTC.
pub fn utc_day(unix: i64) -> String {
    let (year, month, day, weekday, _, _) = utc(unix);
    format!("{} {day} {} {year}", WEEKDAYS[weekday], MONTHS[month - 1])
}

/// "15:00" in UTC.
pub fn utc_clock(unix: i64) -> String {
    let (.., hour, minute) = utc(unix);
    format!("{hour:02}:{minute:02}")
}

/// ISO 8601 for `<time datetime>`, to the minute.
pub fn iso(unix: i64) -> String {
    let (year, month, day, _, hour, minute) = utc(unix);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:00Z")
}

/// The same three views in the browser's own time zone (UTC where there is no browser).
#[cfg(feature = "hydrate")]
pub mod local {
    use wasm_bindgen::JsValue;

    fn date(unix: i64) -> js_sys::Date {
        js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0))
    }

    fn format(unix: i64, options: &[(&str, &str)]) -> String {
        let opts = js_sys::Object::new();
        for (k, v) in options {
            let _ = js_sys::Reflect::set(&opts, &(*k).into(), &(*v).into());
        }
        String::from(date(unix).to_locale_string("en-GB", &opts))
    }

    pub fn day(unix: i64) -> String {
        format(
            unix,
            &[
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("year", "numeric"),
            ],
        )
    }

    pub fn clock(unix: i64) -> String {
        format(unix, &[("hour", "2-digit"), ("minute", "2-digit")])
    }

    /// A `datetime-local` input's value ("2027-01-31T18:00", the browser's zone) as RFC 3339
    /// in UTC; `None` when it is not a date.
    pub fn to_rfc3339(value: &str) -> Option<String> {
        let date = js_sys::Date::new(&JsValue::from_str(value));
        (!date.get_time().is_nan()).then(|| String::from(date.to_iso_string()))
    }

    pub fn zone_name() -> Option<String> {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
    }
}

#[cfg(not(feature = "hydrate"))]
pub mod local {
    pub fn day(unix: i64) -> String {
        super::utc_day(unix)
    }
    pub fn clock(unix: i64) -> String {
        super::utc_clock(unix)
    }
    pub fn to_rfc3339(_value: &str) -> Option<String> {
        None
    }
    pub fn zone_name() -> Option<String> {
        None
    }
}

/// Everything but RFC 3986's unreserved characters is encoded.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query parameter value.
pub fn url_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// A `next` parameter is followed only within this site (no open redirect): it is resolved
/// as a URL against the site's origin, as the browser would, and kept only if the origin
/// stays the same. Answers the path, query and fragment to go to.
pub fn safe_next(next: Option<String>) -> Option<String> {
    within_site(&next?, &site_origin())
}

/// On the server (and in tests) with the `url` crate, the WHATWG parser.
#[cfg(not(feature = "hydrate"))]
fn within_site(next: &str, origin: &str) -> Option<String> {
    let base = url::Url::parse(origin).ok()?;
    let target = base.join(next).ok()?;
    // Same origin, and a path that the router will not read as another host ("/.//x" becomes
    // "//x" once normalised).
    if target.origin() != base.origin() || target.path().starts_with("//") {
        return None;
    }
    let mut path = target.path().to_owned();
    if let Some(query) = target.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = target.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    Some(path)
}

/// In the browser with its own WHATWG parser: the same verdicts, and the `url` crate's
/// international-domain tables stay out of the WASM.
#[cfg(feature = "hydrate")]
fn within_site(next: &str, origin: &str) -> Option<String> {
    let base = web_sys::Url::new(origin).ok()?;
    let target = web_sys::Url::new_with_base(next, origin).ok()?;
    if target.origin() != base.origin() || target.pathname().starts_with("//") {
        return None;
    }
    Some(format!(
        "{}{}{}",
        target.pathname(),
        target.search(),
        target.hash()
    ))
}

/// The page's own origin (the site's `PUBLIC_URL` when deployed as documented).
#[cfg(feature = "hydrate")]
fn site_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// On the server nothing navigates; any fixed origin gives the same verdict.
#[cfg(not(feature = "hydrate"))]
fn site_origin() -> String {
    "http://localhost".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_to_the_cent() {
        for (typed, cents) in [
            ("45", Some(4500)),
            (" 45.5 ", Some(4550)),
            ("45.50", Some(4550)),
            ("0.07", Some(7)),
            (".5", Some(50)),
            ("45.", Some(4500)),
            ("19.995", Some(2000)),
            ("19.994", Some(1999)),
            ("1000000000", Some(100_000_000_000)),
            ("1000000000.01", None),
            ("99999999999999999999", None),
            ("92233720368547758.99", None),
            ("999999999.999", Some(100_000_000_000)),
            ("-5", None),
            ("", None),
            (".", None),
            ("4 5", None),
            ("1e3", None),
            ("5.5.5", None),
            ("NaN", None),
        ] {
            assert_eq!(parse_cents(typed), cents, "{typed:?}");
        }
    }

    #[test]
    fn bytes_read_like_a_drive_label() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1_500), "1.5 KB");
        assert_eq!(bytes(5_000_000_000_i64), "5.0 GB");
    }

    #[test]
    fn utc_dates_read_as_chrono_writes_them() {
        // Every 7 hours and 13 minutes from 1900 to 2200, and the edges of leap days.
        let mut times: Vec<i64> = (-2_208_988_800_i64..7_258_118_400)
            .step_by(7 * 3600 + 13 * 60)
            .collect();
        times.extend([
            951_782_399,
            951_782_400,
            4_107_542_399,
            4_107_542_400,
            -1,
            0,
        ]);
        for unix in times {
            let at = chrono::DateTime::from_timestamp(unix, 0).unwrap();
            assert_eq!(
                utc_day(unix),
                at.format("%a %-d %b %Y").to_string(),
                "{unix}"
            );
            assert_eq!(utc_clock(unix), at.format("%H:%M").to_string(), "{unix}");
            assert_eq!(
                iso(unix),
                at.format("%Y-%m-%dT%H:%M:00Z").to_string(),
                "{unix}"
            );
        }
    }

    #[test]
    fn utc_dates_are_civil_dates() {
        assert_eq!(utc_day(0), "Thu 1 Jan 1970");
        assert_eq!(utc_day(1_796_137_200), "Tue 1 Dec 2026");
        assert_eq!(utc_clock(1_796_137_200 + 30 * 60), "15:30");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(money(4550), "$45.50");
    }

    #[test]
    fn next_must_stay_on_this_site() {
        let site = "https://drive.example";
        assert_eq!(within_site("/account", site).as_deref(), Some("/account"));
        assert_eq!(
            within_site("/drive?folder=a%20b#x", site).as_deref(),
            Some("/drive?folder=a%20b#x")
        );
        // What the query parser hands over, decoded once: "/%09/x" arrives as "/\t/x".
        for hostile in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " //evil.example",
            "http:evil.example",
            "https://evil.example",
            "http://drive.example",
            "https://drive.example.evil.example/",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "//drive.example@evil.example",
            "/.//evil.example",
            "/a/..//evil.example",
            "/%2e//evil.example",
        ] {
            assert_eq!(
                within_site(hostile, site),
                None,
                "{hostile:?} was let through"
            );
        }
        // Browsers read "https:x" on an https page as the path "x" (same scheme, no "//").
        assert_eq!(
            within_site("https:evil.example", site).as_deref(),
            Some("/evil.example")
        );
        // Relative and dotted paths stay on the site, normalised.
        assert_eq!(within_site("account", site).as_deref(), Some("/account"));
        assert_eq!(within_site("/a/../drive", site).as_deref(), Some("/drive"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(url_encode("/a b?c=d&e"), "%2Fa%20b%3Fc%3Dd%26e");
    }
}
