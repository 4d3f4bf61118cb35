//! Runs the real server binary on an ephemeral loopback port with its own temp data directory,
//! and talks to it over HTTP like any client. Mail goes to the data directory's outbox.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod account;
pub mod measure;
pub mod nodes;
pub mod transfer;

pub const PASSWORD: &str = "tangerine-orbit-saddle-42";

pub struct TestServer {
    pub base: String,
    /// Shared with its siblings (other app servers of the same deployment).
    pub data_dir: std::sync::Arc<tempfile::TempDir>,
    child: Child,
    pub http: reqwest::Client,
    binary: PathBuf,
    port: u16,
    env: Vec<(String, String)>,
    /// Storage nodes of its own, when the suite runs on PostgreSQL (see `shared_setup`).
    pub nodes: Vec<nodes::TestNode>,
}

/// One HTTP answer, with its raw bytes for byte-for-byte comparisons.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            self.status,
            String::from_utf8_lossy(&self.bytes)
        )
    }
}

impl Answer {
    pub async fn of(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.expect("body").to_vec();
        Answer {
            status,
            retry_after,
            bytes,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    /// Starts the server with extra environment variables (over the test defaults).
    pub async fn start_with(env: &[(&str, &str)]) -> TestServer {
        Self::start_binary(Path::new(env!("CARGO_BIN_EXE_server")), env).await
    }

    pub async fn start_binary(binary: &Path, env: &[(&str, &str)]) -> TestServer {
        Self::start_on(binary, &Database::from_env(), env).await
    }

    /// Starts `binary` on this database (whatever the suite runs on), for benchmarks that
    /// compare the two.
    pub async fn start_on(binary: &Path, database: &Database, env: &[(&str, &str)]) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let (mut setup, nodes) = shared_setup(data_dir.path(), database).await;
        setup.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let env = setup;
        let child = spawn(binary, data_dir.path(), port, &env);
        let server = TestServer {
            base: format!("http://127.0.0.1:{port}"),
            data_dir: std::sync::Arc::new(data_dir),
            child,
            http: reqwest::Client::new(),
            binary: binary.to_path_buf(),
            port,
            env,
            nodes,
        };
        server.wait_ready().await;
        server
    }

    /// Another app server of the same deployment (PostgreSQL only): the same database, secret
    /// key and storage nodes, with `env` on top, on its own port. It shares this server's data
    /// directory, so the mails either sends land in one outbox.
    pub async fn sibling(&self, env: &[(&str, &str)]) -> TestServer {
        assert!(
            self.on_postgres(),
            "several app servers share a PostgreSQL database"
        );
        let port = free_port();
        let mut all = self.env.clone();
        all.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let child = spawn(&self.binary, self.data_dir.path(), port, &all);
        let server = TestServer {
            base: format!("http://127.0.0.1:{port}"),
            data_dir: self.data_dir.clone(),
            child,
            http: reqwest::Client::new(),
            binary: self.binary.clone(),
            port,
            env: all,
            nodes: Vec::new(),
        };
        server.wait_ready().await;
        server
    }

    /// Sends the server process a signal (`TERM`, `KILL`, ...).
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -s {signal} failed");
    }

    /// Waits up to `within` for the process to exit; its exit status, if it did.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Starts the server again (after it exited) on the same port and data directory.
    pub async fn restart(&mut self) {
        assert!(
            self.child.try_wait().expect("wait").is_some(),
            "the server is still running"
        );
        self.child = spawn(&self.binary, self.data_dir.path(), self.port, &self.env);
        self.wait_ready().await;
    }

    async fn wait_ready(&self) {
        // Generous: a whole suite starts its servers (and, on PostgreSQL, their nodes) at once
        // on a small machine; a fresh-clone run once saw one take over 60 s there.
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(r) = self.http.get(format!("{}/healthz", self.base)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server did not become ready at {}", self.base);
    }

    /// The names at the top of `token`'s drive, folders first.
    pub async fn top_names(&self, token: &str) -> Vec<String> {
        let listing = self
            .post("/api/files/list", json!({}), Some(token))
            .await
            .json();
        listing["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["name"].as_str().expect("a name").to_owned())
            .collect()
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Answer::of(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Answer::of(request.send().await.expect("request")).await
    }

    /// Starts a chunked upload of `size` bytes into the top folder; its id.
    pub async fn start_upload(&self, token: &str, name: &str, size: usize) -> String {
        let a = self
            .post(
                "/api/files/upload/start",
                json!({"name": name, "size": size}),
                Some(token),
            )
            .await;
        assert_eq!(a.status, 200, "start {name}: {a:?}");
        a.json()["upload_id"]
            .as_str()
            .expect("an upload id")
            .to_owned()
    }

    /// Sends chunk `index` of an upload.
    pub async fn put_chunk(
        &self,
        token: &str,
        upload: &str,
        index: usize,
        body: Vec<u8>,
    ) -> Answer {
        let url = format!("{}/api/files/upload/{upload}/{index}", self.base);
        let sent = self
            .http
            .put(url)
            .bearer_auth(token)
            .body(body)
            .send()
            .await;
        Answer::of(sent.expect("send a chunk")).await
    }

    /// Finishes an upload; the new file's id.
    pub async fn finish_upload(&self, token: &str, upload: &str) -> String {
        let a = self
            .post(
                "/api/files/upload/finish",
                json!({"upload_id": upload}),
                Some(token),
            )
            .await;
        assert_eq!(a.status, 200, "finish: {a:?}");
        a.json()["id"].as_str().expect("a file id").to_owned()
    }

    /// Moves the server's clock forward (it must run with `DEBUG_CLOCK=1`).
    pub async fn advance_clock(&self, secs: u32) {
        let a = self
            .post("/api/debug/clock/advance", json!({ "secs": secs }), None)
            .await;
        assert_eq!(a.status, 200, "advance the clock: {a:?}");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's database: `DATABASE_URL` when the suite runs on PostgreSQL, else the
    /// SQLite file in its data directory.
    pub fn database_url(&self) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == "DATABASE_URL")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| domain::db::url(None, self.data_dir.path()).expect("sqlite url"))
    }

    /// A connection to the server's database (to age codes or sessions, or check what it
    /// stored); SQL in the dialect both databases run.
    async fn db(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url())
            .await
            .expect("open the server's database");
        if !self.on_postgres() {
            sqlx::Executor::execute(&mut conn, "PRAGMA busy_timeout = 10000")
                .await
                .expect("set busy timeout");
        }
        conn
    }

    pub fn on_postgres(&self) -> bool {
        self.database_url().starts_with("postgres")
    }

    pub async fn sql(&self, statement: &str) {
        sqlx::query(statement)
            .execute(&mut self.db().await)
            .await
            .expect("run SQL");
    }

    /// A column of text from the server's database.
    pub async fn sql_strings(&self, query: &str) -> Vec<String> {
        sqlx::query_scalar(query)
            .fetch_all(&mut self.db().await)
            .await
            .expect("run SQL")
    }

    /// A number from the server's database, for checking what it stored.
    pub async fn sql_number(&self, query: &str) -> i64 {
        sqlx::query_scalar(query)
            .fetch_one(&mut self.db().await)
            .await
            .expect("run SQL")
    }

    /// Subjects of the mails sent to `to`, oldest first.
    pub fn subjects_to(&self, to: &str) -> Vec<String> {
        let outbox = self.data_dir.path().join("outbox");
        let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(outbox)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter_map(|e| {
                        let modified = e.metadata().ok()?.modified().ok()?;
                        Some((modified, std::fs::read_to_string(e.path()).ok()?))
                    })
                    .filter(|(_, eml)| eml.contains(&format!("To: {to}\r\n")))
                    .collect()
            })
            .unwrap_or_default();
        mails.sort();
        mails
            .into_iter()
            .filter_map(|(_, eml)| {
                eml.lines()
                    .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
            })
            .collect()
    }

    /// Mails to `to` whose subject mentions `kind`.
    pub fn count_mails(&self, to: &str, kind: &str) -> usize {
        self.subjects_to(to)
            .iter()
            .filter(|s| s.contains(kind))
            .count()
    }

    /// Waits for the `n`th mail to `to` whose subject mentions `kind` (some mails go out after
    /// the answer).
    pub async fn wait_for_mails(&self, to: &str, kind: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.count_mails(to, kind) < n {
            assert!(
                Instant::now() < deadline,
                "no {kind} mail number {n} to {to}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The code in the newest mail to `to` whose subject mentions `kind` (waiting for a first
    /// one: sign-up mails go out after the answer).
    pub async fn code(&self, to: &str, kind: &str) -> String {
        self.wait_for_mails(to, kind, 1).await;
        let subject = self
            .subjects_to(to)
            .into_iter()
            .rfind(|s| s.contains(kind))
            .unwrap_or_else(|| panic!("no mail with a {kind} for {to}"));
        subject.rsplit(' ').next().unwrap_or_default().to_owned()
    }

    /// Registers and verifies an account; returns its email.
    pub async fn verified_user(&self, name: &str) -> String {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let a = self
            .post(
                "/api/auth/register",
                json!({"email": email, "password": PASSWORD, "name": name}),
                None,
            )
            .await;
        assert_eq!(a.status, 200, "register: {a:?}");
        let code = self.code(&email, "verification code").await;
        let a = self
            .post(
                "/api/auth/verify-email",
                json!({"email": email, "code": code, "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(a.status, 200, "verify: {a:?}");
        email
    }

    /// The password step; a login code is mailed.
    pub async fn start_login(&self, email: &str) {
        let a = self
            .post(
                "/api/auth/login",
                json!({"email": email, "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(a.status, 200, "login: {a:?}");
        assert_eq!(a.json()["next"], "code");
    }

    /// Both factors; returns the session token.
    pub async fn login(&self, email: &str) -> String {
        self.start_login(email).await;
        let code = self.code(email, "login code").await;
        let a = self
            .post(
                "/api/auth/login/verify",
                json!({"email": email, "code": code}),
                None,
            )
            .await;
        assert_eq!(a.status, 200, "login/verify: {a:?}");
        a.json()["token"].as_str().expect("a token").to_owned()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Which database a test server runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// In its data directory, with the built-in nodes.
    Sqlite,
    /// A fresh database created through this superuser URL, with node processes of its own.
    Postgres { admin_url: String },
}

impl Database {
    /// PostgreSQL when `TEST_PG_ADMIN_URL` is set (the test command's second pass).
    pub fn from_env() -> Database {
        match std::env::var("TEST_PG_ADMIN_URL") {
            Ok(admin_url) if !admin_url.is_empty() => Database::Postgres { admin_url },
            _ => Database::Sqlite,
        }
    }
}

/// Whether the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    Database::from_env() != Database::Sqlite
}

/// What a server needs besides its data directory on PostgreSQL: a database of its own, the
/// deployment's key, and storage nodes outside the server (built-in nodes cannot be shared,
/// so the server refuses to start without them). Nothing on SQLite.
async fn shared_setup(
    data_dir: &Path,
    database: &Database,
) -> (Vec<(String, String)>, Vec<nodes::TestNode>) {
    let Database::Postgres { admin_url } = database else {
        return (Vec::new(), Vec::new());
    };
    let nodes = nodes::start_nodes(&data_dir.join("nodes"));
    let env = vec![
        (
            "DATABASE_URL".to_owned(),
            domain::db::fresh_postgres(admin_url).await,
        ),
        (
            "SECRET_KEY".to_owned(),
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            ),
        ),
        ("CLUSTER_NODES".to_owned(), nodes::node_list(&nodes)),
        ("CLUSTER_SECRET".to_owned(), nodes::SECRET.to_owned()),
    ];
    (env, nodes)
}

/// Starts the server binary on `port` with `data_dir` and the test defaults, plus `env`.
fn spawn(binary: &Path, data_dir: &Path, port: u16, env: &[(String, String)]) -> Child {
    let mut command = Command::new(binary);
    command
        .env("DATA_DIR", data_dir)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "clouddrive")
        .env("LEPTOS_SITE_ROOT", workspace_root().join("target/site"))
        .env("BCRYPT_COST", "4")
        .env("AUTH_RATE_LIMIT_PER_MINUTE", "100000")
        .env("RUST_LOG", "warn")
        .env_remove("SMTP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("start the server binary")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}
