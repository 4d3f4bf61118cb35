//! Which app server runs the jobs that must run once across servers (scrub, repair queue,
//! sweepers): elected through the database with a lease row that its holder renews every few
//! seconds and any other server takes once it lapses (its holder died, hung or lost the
//! database). A lease row rather than a PostgreSQL advisory lock: it works the same on SQLite,
//! and it says who leads, for /nodes.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::background::{Background, Ran, Schedule};
use crate::clock::Clock;
use crate::db::Db;

/// How long a lease holds without renewal: a dead leader is replaced within this plus one
/// round (under 30 s).
pub const LEASE_SECS: i64 = 20;
/// How often every server renews or tries to take the lease.
pub const ROUND_EVERY: Duration = Duration::from_secs(5);
const LEASE: &str = "background";

pub struct Election {
    db: Db,
    clock: Clock,
    /// Unique to this process: two servers given the same name still hold separate leases.
    holder: String,
    /// What /nodes shows for this server.
    pub name: String,
}

impl Election {
    pub fn new(db: Db, clock: Clock, name: String) -> Arc<Election> {
        Arc::new(Election {
            db,
            clock,
            holder: Uuid::new_v4().simple().to_string(),
            name,
        })
    }

    /// Renews the lease if this server holds it, or takes it if it lapsed: whether this
    /// server leads now.
    pub async fn round(&self) -> Result<bool, sqlx::Error> {
        let now = self.clock.now();
        let held: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, holder_name, until) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE
                SET holder = excluded.holder, holder_name = excluded.holder_name,
                    until = excluded.until
                WHERE leases.holder = excluded.holder OR leases.until < $5
             RETURNING holder",
        )
        .bind(LEASE)
        .bind(&self.holder)
        .bind(&self.name)
        .bind(now + LEASE_SECS)
        .bind(now)
        .fetch_optional(&self.db)
        .await?;
        Ok(held.is_some())
    }

    /// The name of the server whose lease is live, if any.
    pub async fn leader(&self) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT holder_name FROM leases WHERE name = $1 AND until >= $2")
            .bind(LEASE)
            .bind(self.clock.now())
            .fetch_optional(&self.db)
            .await
    }

    /// Gives the lease up (on shutdown), so that another server takes over at its next round.
    pub async fn resign(&self) {
        let gone = sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(LEASE)
            .bind(&self.holder)
            .execute(&self.db)
            .await;
        if let Err(e) = gone {
            tracing::warn!(error = %e, "could not give up the leader's lease; it lapses by itself");
        }
    }

    /// Runs the election on `background` (every server takes part, so it is not leader-only)
    /// and tells it whether this server leads: a first round at once, then one every
    /// `ROUND_EVERY`. A round that fails steps down: without the database this server cannot
    /// know it still holds the lease.
    pub async fn start(self: &Arc<Self>, background: &Arc<Background>) {
        background.set_leader(self.round().await.unwrap_or(false));
        let me = self.clone();
        let jobs = background.clone();
        background.start(
            Schedule {
                name: "leader election",
                every: ROUND_EVERY,
                leader_only: false,
                wake: None,
            },
            move || {
                let (me, jobs) = (me.clone(), jobs.clone());
                async move {
                    let leads = me.round().await;
                    let was = jobs.is_leader();
                    jobs.set_leader(*leads.as_ref().unwrap_or(&false));
                    if jobs.is_leader() != was {
                        tracing::info!(leader = jobs.is_leader(), server = %me.name, "leadership changed");
                    }
                    leads.map(|_| Ran::Done)
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db;

    #[tokio::test]
    async fn one_server_leads_until_its_lease_lapses_or_it_resigns() {
        let (db, _dir) = test_db().await;
        let clock = Clock::manual(1_000_000);
        let a = Election::new(db.clone(), clock.clone(), "a".into());
        let b = Election::new(db.clone(), clock.clone(), "b".into());
        assert!(a.round().await.unwrap());
        assert!(!b.round().await.unwrap(), "a holds the lease");
        clock.advance(15);
        assert!(a.round().await.unwrap(), "a renews");
        clock.advance(15);
        assert!(!b.round().await.unwrap(), "a's renewal still holds");
        assert_eq!(b.leader().await.unwrap().as_deref(), Some("a"));
        // a stops renewing (it died): b takes over once the lease lapses.
        clock.advance(21);
        assert_eq!(b.leader().await.unwrap(), None);
        assert!(b.round().await.unwrap());
        assert!(!a.round().await.unwrap(), "a came back as a follower");
        b.resign().await;
        assert!(a.round().await.unwrap(), "b resigned: a takes over at once");
    }

    #[tokio::test]
    async fn two_servers_racing_for_a_free_lease_elect_one() {
        let (db, _dir) = test_db().await;
        let clock = Clock::manual(1_000_000);
        let servers: Vec<_> = (0..8)
            .map(|i| Election::new(db.clone(), clock.clone(), format!("s{i}")))
            .collect();
        let won = futures::future::join_all(servers.iter().map(|s| s.round())).await;
        let leaders = won.into_iter().filter(|w| *w.as_ref().unwrap()).count();
        assert_eq!(leaders, 1);
    }
}
