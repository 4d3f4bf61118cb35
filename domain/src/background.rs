//! One runner for every periodic job (health checks, scrub, repair queue, sweepers): each job
//! has a name and reports its state; all of them stop on shutdown; jobs that must run once
//! across several app servers run only while this server is told it is the leader.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use model::cluster::{JobState, JobStatus};

use crate::clock::Clock;
use crate::error::{chain, BoxError};

/// How a job is scheduled.
pub struct Schedule {
    pub name: &'static str,
    /// Time between the end of one run and the start of the next.
    pub every: Duration,
    /// Runs only on the leader (work that must happen once across app servers).
    pub leader_only: bool,
    /// Wakes the job before `every` has passed (new work arrived).
    pub wake: Option<Arc<Notify>>,
}

/// What a run of a job found: more work waiting (run again at once), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    Done,
    MoreWaiting,
}

type Work = Arc<dyn Fn() -> BoxFuture<'static, Result<Ran, String>> + Send + Sync>;

pub struct Background {
    clock: Clock,
    stop: CancellationToken,
    leader: AtomicBool,
    jobs: Mutex<Vec<Arc<Mutex<JobStatus>>>>,
    tasks: Mutex<JoinSet<()>>,
}

impl Background {
    pub fn new(clock: Clock, leader: bool) -> Arc<Background> {
        Arc::new(Background {
            clock,
            stop: CancellationToken::new(),
            leader: AtomicBool::new(leader),
            jobs: Mutex::new(Vec::new()),
            tasks: Mutex::new(JoinSet::new()),
        })
    }

    /// Starts `work` on `schedule` until shutdown.
    pub fn start<F, Fut, E>(self: &Arc<Self>, schedule: Schedule, work: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Ran, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let work: Work = Arc::new(move || {
            let run = work();
            Box::pin(async move { run.await.map_err(|e| chain(&*e.into())) })
        });
        let status = Arc::new(Mutex::new(JobStatus {
            name: schedule.name.to_owned(),
            leader_only: schedule.leader_only,
            ..JobStatus::default()
        }));
        lock(&self.jobs).push(status.clone());
        let me = self.clone();
        lock(&self.tasks).spawn(async move { me.run(schedule, work, status).await });
    }

    async fn run(&self, schedule: Schedule, work: Work, status: Arc<Mutex<JobStatus>>) {
        let mut ran = Ran::Done;
        loop {
            if ran == Ran::Done {
                let waited = async {
                    match &schedule.wake {
                        Some(wake) => {
                            let _ = tokio::time::timeout(schedule.every, wake.notified()).await;
                        }
                        None => tokio::time::sleep(schedule.every).await,
                    }
                };
                tokio::select! {
                    () = self.stop.cancelled() => break,
                    () = waited => {}
                }
            }
            if schedule.leader_only && !self.is_leader() {
                lock(&status).state = JobState::Standby;
                ran = Ran::Done;
                continue;
            }
            {
                let mut s = lock(&status);
                s.state = JobState::Running;
                s.last_started = Some(self.clock.now());
            }
            // A run cut short by shutdown leaves its work queued: every job keeps its state
            // in the database, in transactions, so the next start picks it up.
            let outcome = tokio::select! {
                () = self.stop.cancelled() => break,
                outcome = work() => outcome,
            };
            let mut s = lock(&status);
            s.state = JobState::Idle;
            s.runs += 1;
            s.last_finished = Some(self.clock.now());
            match outcome {
                Ok(next) => {
                    s.last_error = None;
                    ran = next;
                }
                Err(e) => {
                    tracing::warn!(job = schedule.name, error = %e, "background job failed");
                    s.last_error = Some(e);
                    ran = Ran::Done;
                }
            }
        }
        lock(&status).state = JobState::Stopped;
    }

    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    /// Tells this server whether it is the leader (jobs marked `leader_only` run only then).
    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::Relaxed);
    }

    /// Every job's state, in the order they were started.
    pub fn statuses(&self) -> Vec<JobStatus> {
        let leader = self.is_leader();
        lock(&self.jobs)
            .iter()
            .map(|s| {
                let mut status = lock(s).clone();
                // Waiting for its next run, a leader-only job stands by whenever this server
                // does not lead (not only once its next run came and was skipped).
                if status.leader_only && !leader && status.state == JobState::Idle {
                    status.state = JobState::Standby;
                }
                status
            })
            .collect()
    }

    /// Resolves once shutdown has begun.
    pub fn stopping(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.stop.cancelled()
    }

    /// Tells every job to stop (a run in progress is cut short).
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Stops every job and waits up to `grace` for them.
    pub async fn shutdown(&self, grace: Duration) {
        self.stop();
        let mut tasks = std::mem::take(&mut *lock(&self.tasks));
        let all_ended = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all_ended).await.is_err() {
            tracing::warn!("background jobs did not stop in time");
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    fn counting(runs: &Arc<AtomicU32>) -> impl Fn() -> BoxFuture<'static, Result<Ran, String>> {
        let runs = runs.clone();
        move || {
            let runs = runs.clone();
            Box::pin(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(Ran::Done)
            })
        }
    }

    /// Waits (up to 10 s) until `done` holds.
    async fn eventually(done: impl Fn() -> bool) {
        let waited = async {
            while !done() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), waited)
            .await
            .expect("in time");
    }

    #[tokio::test]
    async fn jobs_run_on_schedule_report_state_and_stop() {
        let bg = Background::new(Clock::system(), true);
        let runs = Arc::new(AtomicU32::new(0));
        bg.start(
            Schedule {
                name: "tick",
                every: Duration::from_millis(100),
                leader_only: false,
                wake: None,
            },
            counting(&runs),
        );
        tokio::time::sleep(Duration::from_millis(1050)).await;
        // About ten runs: it repeats, and waits between runs (timers on a busy machine lag).
        let ran = runs.load(Ordering::SeqCst);
        assert!((3..=11).contains(&ran), "{ran} runs");
        let status = &bg.statuses()[0];
        assert_eq!(status.name, "tick");
        assert!(status.runs >= 3 && status.last_finished.is_some());
        bg.shutdown(Duration::from_secs(1)).await;
        assert_eq!(bg.statuses()[0].state, JobState::Stopped);
        let stopped_at = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            stopped_at,
            "nothing runs after shutdown"
        );
    }

    #[tokio::test]
    async fn leader_only_jobs_wait_for_leadership_and_wake_early() {
        let bg = Background::new(Clock::system(), false);
        let runs = Arc::new(AtomicU32::new(0));
        let wake = Arc::new(Notify::new());
        bg.start(
            Schedule {
                name: "repair",
                every: Duration::from_secs(3600),
                leader_only: true,
                wake: Some(wake.clone()),
            },
            counting(&runs),
        );
        wake.notify_one();
        eventually(|| bg.statuses()[0].state == JobState::Standby).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0, "not the leader");
        bg.set_leader(true);
        wake.notify_one();
        // Woken long before its hour.
        eventually(|| runs.load(Ordering::SeqCst) == 1).await;
    }

    #[tokio::test]
    async fn a_failing_job_reports_its_error_and_a_long_run_is_cut_short() {
        let bg = Background::new(Clock::system(), true);
        bg.start(
            Schedule {
                name: "broken",
                every: Duration::from_millis(20),
                leader_only: false,
                wake: None,
            },
            || async { Err::<Ran, _>("disk on fire") },
        );
        bg.start(
            Schedule {
                name: "slow",
                every: Duration::from_millis(20),
                leader_only: false,
                wake: None,
            },
            || async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok::<_, String>(Ran::Done)
            },
        );
        eventually(|| {
            let statuses = bg.statuses();
            statuses[0].last_error.as_deref() == Some("disk on fire")
                && statuses[1].state == JobState::Running
        })
        .await;
        let started = std::time::Instant::now();
        bg.shutdown(Duration::from_secs(5)).await;
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the hour-long run was cut short"
        );
        assert!(bg.statuses().iter().all(|s| s.state == JobState::Stopped));
    }
}
