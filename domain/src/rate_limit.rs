//! Per-client request limit (for the auth endpoints), kept in the database so it holds across
//! several app servers: one atomic upsert per client and minute. A client is an IPv4 address
//! or an IPv6 /64 (one subscriber's whole prefix), taken from `X-Forwarded-For` only when the
//! connection comes from a trusted proxy, so nobody reaching the app directly can forge it.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::db::Db;

const WINDOW_SECS: i64 = 60;

/// The client a request counts against: the peer, or, when the peer is a trusted proxy, the
/// first address in `X-Forwarded-For` (read right to left) that is not a trusted proxy.
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for
        .iter()
        .rev()
        .flat_map(|header| header.rsplit(','))
        .map(str::trim);
    let mut client = peer;
    for hop in hops {
        // An unreadable hop ends what can be believed: the last trusted hop vouched for it.
        let Some(ip) = hop_address(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// The address of one `X-Forwarded-For` entry: `1.2.3.4`, `2001:db8::1`, or with a port as
/// some proxies write it (`1.2.3.4:5678`, `[2001:db8::1]:5678`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// The bucket a client address counts in: itself for IPv4, its /64 for IPv6 (an IPv4-mapped
/// IPv6 address is the IPv4 address).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(prefix))
            }
        },
    }
}

/// Counts one request of `client`; `Err(seconds)` when it is over `per_minute`, with when the
/// window ends.
pub async fn hit(db: &Db, client: &str, per_minute: u32, now: i64) -> Result<(), RateError> {
    let window_start = now - now.rem_euclid(WINDOW_SECS);
    let count: i64 = sqlx::query_scalar(
        "INSERT INTO request_counts (client, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (client, window_start) DO UPDATE SET count = request_counts.count + 1
         RETURNING count",
    )
    .bind(client)
    .bind(window_start)
    .fetch_one(db)
    .await?;
    if count > i64::from(per_minute.max(1)) {
        return Err(RateError::Limited {
            retry_after_secs: crate::db::to_u64((window_start + WINDOW_SECS - now).max(1)),
        });
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("Too many requests from your address. Try again in {retry_after_secs} s.")]
    Limited { retry_after_secs: u64 },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Drops finished windows.
pub async fn prune(db: &Db, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM request_counts WHERE window_start < $1")
        .bind(now - WINDOW_SECS)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = nets(&["10.0.0.0/8", "::1/128"]);
        // Straight from the internet: the header is ignored, whatever it says.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["1.2.3.4"], &trusted),
            ip("203.0.113.9")
        );
        // Through our proxy: the address it saw.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // A client that forges a first hop is still found: right to left, past trusted hops.
        assert_eq!(
            client_ip(
                ip("10.0.0.2"),
                &["1.2.3.4, 198.51.100.7, 10.0.0.3"],
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["1.2.3.4", "198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // Garbage ends the chain at the last hop a trusted proxy vouched for.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["1.2.3.4, garbage"], &trusted),
            ip("10.0.0.2")
        );
        // Proxies that add the client's port.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["198.51.100.7:5123"], &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["[2001:db8::7]:443"], &trusted),
            ip("2001:db8::7")
        );
        // Nothing trusted by default.
        assert_eq!(client_ip(ip("::1"), &["1.2.3.4"], &[]), ip("::1"));
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa::1")),
            client_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(ip("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_eq!(client_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(client_key(ip("192.0.2.1")), "192.0.2.1");
    }

    #[tokio::test]
    async fn concurrent_requests_get_exactly_the_limit() {
        let (db, _dir) = test_db().await;
        let hits = (0..20).map(|_| hit(&db, "192.0.2.1", 5, 1000));
        let outcomes = futures::future::join_all(hits).await;
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 5);
        match hit(&db, "192.0.2.1", 5, 1010).await {
            Err(RateError::Limited { retry_after_secs }) => assert_eq!(retry_after_secs, 10),
            other => panic!("expected limited, got {other:?}"),
        }
        hit(&db, "192.0.2.2", 5, 1010).await.unwrap();
        hit(&db, "192.0.2.1", 5, 1020).await.unwrap();
    }
}
