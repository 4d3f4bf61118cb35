//! A server with one signed-in account: what the drive's suites start from.

use serde_json::Value;

use super::{Answer, TestServer};

pub struct Account {
    pub server: TestServer,
    pub email: String,
    pub token: String,
}

impl Account {
    /// A server started with `env`, and a verified, logged-in account named `name`.
    pub async fn start(name: &str, env: &[(&str, &str)]) -> Account {
        let server = TestServer::start_with(env).await;
        let email = server.verified_user(name).await;
        let token = server.login(&email).await;
        Account {
            server,
            email,
            token,
        }
    }

    /// The names at the top of the drive, folders first.
    pub async fn names(&self) -> Vec<String> {
        self.server.top_names(&self.token).await
    }

    /// POSTs JSON to `path` with the account's token.
    pub async fn call(&self, path: &str, body: Value) -> Answer {
        self.server.post(path, body, Some(&self.token)).await
    }

    /// `curl -T` of `bytes` as `name` (into `folder`), with `on_conflict` if given.
    pub async fn put_file(
        &self,
        name: &str,
        folder: Option<&str>,
        bytes: &[u8],
        on_conflict: Option<&str>,
    ) -> Answer {
        let mut url =
            reqwest::Url::parse(&format!("{}/api/files/upload", self.server.base)).expect("a URL");
        url.query_pairs_mut().append_pair("name", name);
        if let Some(folder) = folder {
            url.query_pairs_mut().append_pair("folder_id", folder);
        }
        if let Some(choice) = on_conflict {
            url.query_pairs_mut().append_pair("on_conflict", choice);
        }
        let sent = self
            .server
            .http
            .put(url)
            .bearer_auth(&self.token)
            .body(bytes.to_vec())
            .send()
            .await
            .expect("send the file");
        Answer::of(sent).await
    }
}
