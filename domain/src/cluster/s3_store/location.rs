//! Where an S3 region is (`s3://bucket[/prefix]?endpoint=…&region=…`) and the key it is
//! reached with (from the environment, never from the URL).

use std::fmt;

/// Where a region's bucket is: `s3://bucket[/prefix]?endpoint=http://host:port&region=name`.
/// Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Key prefix, without leading or trailing `/`.
    pub prefix: Option<String>,
    /// `scheme://host[:port]` of an S3-compatible service; `None` is AWS itself.
    pub endpoint: Option<String>,
    /// The region requests are signed for (required for AWS).
    pub region: Option<String>,
}

impl S3Location {
    /// The location as a URL, in one canonical form (for /nodes, logs and `NodeSpec::url`).
    pub fn url(&self) -> String {
        let mut url = format!("s3://{}", self.bucket);
        if let Some(prefix) = &self.prefix {
            url.push('/');
            url.push_str(prefix);
        }
        let mut separator = '?';
        if let Some(endpoint) = &self.endpoint {
            url.push(separator);
            url.push_str("endpoint=");
            url.push_str(endpoint);
            separator = '&';
        }
        if let Some(region) = &self.region {
            url.push(separator);
            url.push_str("region=");
            url.push_str(region);
        }
        url
    }
}

/// Parses `s3://bucket[/prefix]?endpoint=...&region=...`. Errors never repeat the input (it
/// might carry a credential someone pasted into it).
pub fn parse(url: &str) -> Result<S3Location, String> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| format!("not an s3://bucket URL: {e}"))?;
    if parsed.scheme() != "s3" {
        return Err(format!(
            "not an s3://bucket URL (scheme {:?})",
            parsed.scheme()
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "credentials do not go in the URL: set CLUSTER_S3_<NAME>_ACCESS_KEY_ID and \
                    CLUSTER_S3_<NAME>_SECRET_ACCESS_KEY"
                .into(),
        );
    }
    if parsed.port().is_some() {
        return Err("a port belongs in endpoint=..., not after the bucket".into());
    }
    if parsed.fragment().is_some() {
        return Err("an s3:// URL has no #fragment".into());
    }
    let bucket = parsed.host_str().unwrap_or_default();
    if !valid_bucket(bucket) {
        return Err(format!(
            "{bucket:?} is not a bucket name (3 to 63 lowercase letters, digits, '.' and '-')"
        ));
    }
    let path = parsed.path().trim_matches('/');
    let prefix = if path.is_empty() {
        None
    } else {
        if let Some(bad) = path.split('/').find(|s| !valid_prefix_segment(s)) {
            return Err(format!(
                "prefix segment {bad:?} is not allowed (letters, digits, '-', '_' and '.')"
            ));
        }
        Some(path.to_owned())
    };
    let (mut endpoint, mut region) = (None, None);
    for (key, value) in parsed.query_pairs() {
        let slot = match &*key {
            "endpoint" => &mut endpoint,
            "region" => &mut region,
            other => {
                return Err(format!(
                    "unknown parameter {other:?} (known: endpoint, region)"
                ))
            }
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(format!("{key} is given twice"));
        }
    }
    let endpoint = endpoint.as_deref().map(parse_endpoint).transpose()?;
    if let Some(r) = &region {
        let ok = (1..=32).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(format!("{r:?} is not a region name"));
        }
    }
    if endpoint.is_none() && region.is_none() {
        return Err(
            "give region=... for AWS S3, or endpoint=http(s)://host:port for another S3 service"
                .into(),
        );
    }
    Ok(S3Location {
        bucket: bucket.to_owned(),
        prefix,
        endpoint,
        region,
    })
}

/// `http(s)://host[:port]` and nothing else (path-style requests add `/bucket/key`).
fn parse_endpoint(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("endpoint is not a URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials do not go in the endpoint".into());
    }
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("endpoint must be an http(s) URL, like http://127.0.0.1:8333".into());
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("endpoint must be scheme://host[:port] only, without a path".into());
    }
    Ok(url.origin().ascii_serialization())
}

fn valid_bucket(name: &str) -> bool {
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(name.as_bytes().first())
        && edge_ok(name.as_bytes().last())
        && !name.contains("..")
}

fn valid_prefix_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An access key for one store. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// `eu-west-1` → `EU_WEST_1`: a store's name as it appears in its variables.
pub fn env_name(store: &str) -> String {
    store
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The store's credentials from `CLUSTER_S3_<NAME>_ACCESS_KEY_ID` and
/// `CLUSTER_S3_<NAME>_SECRET_ACCESS_KEY`, else `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`;
/// `None` when neither pair is set (requests then go unsigned). Half a pair is an error.
pub fn credentials_from(
    store: &str,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<S3Credentials>, String> {
    let prefix = format!("CLUSTER_S3_{}", env_name(store));
    let own = credential_pair(
        &get,
        &format!("{prefix}_ACCESS_KEY_ID"),
        &format!("{prefix}_SECRET_ACCESS_KEY"),
    )?;
    match own {
        Some(credentials) => Ok(Some(credentials)),
        None => credential_pair(&get, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
    }
}

fn credential_pair(
    get: &impl Fn(&str) -> Option<String>,
    id_var: &str,
    secret_var: &str,
) -> Result<Option<S3Credentials>, String> {
    match (get(id_var), get(secret_var)) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(Some(S3Credentials {
            access_key_id,
            secret_access_key,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!("{id_var} is set but {secret_var} is not")),
        (None, Some(_)) => Err(format!("{secret_var} is set but {id_var} is not")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn locations_parse_to_one_canonical_url() {
        let l = parse("s3://drive-eu/some/prefix?region=eu-west-1&endpoint=http://127.0.0.1:8333/")
            .unwrap();
        assert_eq!(l.bucket, "drive-eu");
        assert_eq!(l.prefix.as_deref(), Some("some/prefix"));
        assert_eq!(l.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        assert_eq!(l.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            l.url(),
            "s3://drive-eu/some/prefix?endpoint=http://127.0.0.1:8333&region=eu-west-1"
        );
        assert_eq!(parse(&l.url()).unwrap(), l);
        let aws = parse("s3://drive-us?region=us-east-1").unwrap();
        assert_eq!((aws.prefix, aws.endpoint), (None, None));
        let bare = parse("s3://drive-asia/?endpoint=https://s3.example.org").unwrap();
        assert_eq!(
            bare.url(),
            "s3://drive-asia?endpoint=https://s3.example.org"
        );
    }

    #[test]
    fn bad_locations_are_explained_without_echoing_secrets() {
        let err = parse("s3://AKIAKEY:hunter2@bucket?region=us-east-1").unwrap_err();
        assert!(err.contains("CLUSTER_S3_<NAME>_ACCESS_KEY_ID"), "{err}");
        assert!(!err.contains("hunter2"));
        let err = parse("s3://bucket?endpoint=http://k:hunter2@host:8333").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        for bad in [
            "http://bucket?region=us-east-1",
            "s3://bucket",
            "s3://Bucket?region=us-east-1",
            "s3://b?region=us-east-1",
            "s3://bucket:9000?region=us-east-1",
            "s3://bucket/a b?region=us-east-1",
            "s3://bucket/a//b?region=us-east-1",
            "s3://bucket/a%2Fb?region=us-east-1",
            "s3://bucket?region=us-east-1&bucket=x",
            "s3://bucket?region=us-east-1&region=eu-west-1",
            "s3://bucket?endpoint=ftp://host",
            "s3://bucket?endpoint=http://host:8333/path",
            "s3://bucket?endpoint=http://host&region=EU WEST",
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn credentials_come_from_the_store_or_from_aws_variables() {
        let vars = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let own = vars(&[
            ("CLUSTER_S3_EU_WEST_ACCESS_KEY_ID", "eu-key"),
            ("CLUSTER_S3_EU_WEST_SECRET_ACCESS_KEY", "eu-secret"),
            ("AWS_ACCESS_KEY_ID", "aws-key"),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
        ]);
        let found = credentials_from("eu-west", |k| own.get(k).cloned()).unwrap();
        assert_eq!(found.unwrap().access_key_id, "eu-key");
        let fallback = credentials_from("asia", |k| own.get(k).cloned()).unwrap();
        assert_eq!(fallback.unwrap().access_key_id, "aws-key");
        assert!(credentials_from("asia", |_| None).unwrap().is_none());
        let half = vars(&[("CLUSTER_S3_ASIA_ACCESS_KEY_ID", "k")]);
        let err = credentials_from("asia", |k| half.get(k).cloned()).unwrap_err();
        assert!(err.contains("CLUSTER_S3_ASIA_SECRET_ACCESS_KEY"), "{err}");
        let shown = format!(
            "{:?}",
            S3Credentials {
                access_key_id: "k".into(),
                secret_access_key: "hunter2".into()
            }
        );
        assert!(!shown.contains("hunter2"));
    }
}
