//! A signed-in person of the force console, for tests that drive its API over real HTTP.
//! (server/tests/console.rs keeps its own `Session`, which can also send a wrong CSRF token.)

use super::TestServer;
use liaison_server::console::model::{OfficerEntry, StaffRole};
use liaison_server::console::password;
use liaison_server::storage::console::StaffAccount;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const PASSWORD: &str = "a long test passphrase";

/// A signed-in person: their cookie and CSRF token.
pub struct Session {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    pub http: reqwest::Client,
}

impl Session {
    pub async fn request(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let url = format!("{}/console/api{path}", self.base);
        let mut req = self
            .http
            .request(method.parse().unwrap(), url)
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.request("GET", path, None).await
    }
}

/// Signs in with [`PASSWORD`].
pub async fn sign_in(server: &TestServer, username: &str) -> Session {
    let base = server.url();
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{base}/console/api/session"))
        .header("content-type", "application/json")
        .body(json!({ "username": username, "password": PASSWORD }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "sign-in of {username}");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .expect("a session cookie");
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    Session {
        base,
        cookie,
        csrf: body["csrf"].as_str().unwrap().to_string(),
        http,
    }
}

/// A staff account with [`PASSWORD`].
pub fn add_staff(server: &TestServer, username: &str, role: StaffRole, officer: Option<&str>) {
    server
        .storage
        .add_staff(
            &StaffAccount {
                username: username.into(),
                display_name: format!("{username} (test)"),
                role,
                officer: officer.map(super::officer),
                password_hash: password::hash(PASSWORD).unwrap(),
            },
            "test",
        )
        .unwrap();
}

/// An officer in the directory with this rank and role (e.g. "PCSO", "PCSO"; "PC", "PLO").
pub fn put_officer(server: &TestServer, officer: &str, rank: &str, role: &str, supervisor: Option<&str>) {
    server
        .storage
        .put_officer(
            &OfficerEntry {
                officer: officer.into(),
                name: format!("{officer} name"),
                rank: rank.into(),
                role: role.into(),
                team: "Ladywood NHT".into(),
                supervisor: supervisor.map(str::to_string),
            },
            "test",
        )
        .unwrap();
}
