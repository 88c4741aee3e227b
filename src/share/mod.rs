//! `warren tui --share ADDR`: a live web page of the run for a class, where each phone or
//! laptop can vote once on the scenario's questions.
//!
//! The TUI stays the only thing that steers the run. This module never sees the engine: the
//! TUI loop hands it [`view::View`] snapshots (plain, already-worded data) and reads the
//! vote tally back; a few server threads (tiny_http, synchronous) answer the page from what
//! the TUI last published. The page itself (`page.html`, `page.js`, `page.css`) is served
//! from the binary: no build step, nothing from the internet, and scenario text only ever
//! reaches the page's DOM as `textContent`.
//!
//! Voting needs the join code the TUI shows; it comes from the operating system's random
//! source ([`std::collections::hash_map::RandomState`]) and never reaches the simulation.

pub mod board;
pub mod view;

use board::{Ballot, Board, VoteReq};
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use tiny_http::{Header, Method, Request, Response, Server};

/// The largest request body read (a vote is a few dozen bytes).
pub const MAX_BODY: usize = 1024;
/// Threads answering requests (a slow client holds one, not the page).
const THREADS: usize = 4;
const COOKIE: &str = "warren_sid";

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

/// A random number from the operating system's source (per-process keys of `RandomState`).
fn random_u64(salt: u64) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(salt);
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}

/// A four-digit join code.
pub fn new_code() -> String {
    format!("{:04}", random_u64(0) % 10_000)
}

/// The running server. Dropping it stops the threads.
pub struct Share {
    board: Arc<Mutex<Board>>,
    server: Arc<Server>,
    threads: Vec<JoinHandle<()>>,
    /// The address it listens on (the port filled in when `:0` was asked for).
    pub addr: String,
    pub code: String,
}

impl Share {
    /// Listens on exactly `addr` (e.g. `127.0.0.1:8080`, `0.0.0.0:8080`).
    pub fn start(addr: &str, code: String) -> Result<Share, String> {
        let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_else(|| addr.to_string());
        let server = Arc::new(server);
        let board = Arc::new(Mutex::new(Board::new(code.clone())));
        let threads = (0..THREADS)
            .map(|i| {
                let server = server.clone();
                let board = board.clone();
                std::thread::Builder::new()
                    .name(format!("warren-share-{i}"))
                    .spawn(move || {
                        while let Ok(req) = server.recv() {
                            handle(&board, req);
                        }
                    })
                    .expect("spawn a server thread")
            })
            .collect();
        Ok(Share { board, server, threads, addr: bound, code })
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes what the page shows, and which question (if any) takes votes.
    pub fn publish(&self, v: &view::View) {
        let json = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
        let ballot = v.question.as_ref().map(|q| Ballot { id: q.id.clone(), choices: q.choices.len(), open: !q.revealed });
        let mut b = self.board();
        if b.view != json {
            b.view = json;
            b.version += 1;
        }
        b.ballot = ballot;
    }

    /// How many votes each choice of `question` has.
    pub fn tally(&self, question: &str, choices: usize) -> Vec<u32> {
        self.board().tally(question, choices)
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        for _ in 0..self.threads.len() {
            self.server.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("a valid header")
}

/// The session id in the request's cookie, if it is one this server could have made.
fn session_of(req: &Request) -> Option<String> {
    let cookie = req.headers().iter().find(|h| h.field.equiv("Cookie"))?;
    cookie.value.as_str().split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE && v.len() == 16 && v.bytes().all(|b| b.is_ascii_hexdigit())).then(|| v.to_string())
    })
}

fn respond(req: Request, status: u16, ctype: &str, body: String, extra: Option<Header>) {
    let mut r = Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:"));
    if let Some(h) = extra {
        r = r.with_header(h);
    }
    let _ = req.respond(r);
}

fn json_reply(req: Request, status: u16, body: serde_json::Value) {
    respond(req, status, "application/json; charset=utf-8", body.to_string(), None);
}

fn handle(board: &Mutex<Board>, req: Request) {
    let path = req.url().split('?').next().unwrap_or("").to_string();
    let lock = || board.lock().unwrap_or_else(|e| e.into_inner());
    match (req.method(), path.as_str()) {
        (Method::Get, "/") | (Method::Get, "/index.html") => {
            let cookie = match session_of(&req) {
                Some(_) => None,
                None => {
                    let sid = format!("{:016x}", random_u64(req.remote_addr().map(|a| a.port() as u64).unwrap_or(0)));
                    Some(header("Set-Cookie", &format!("{COOKIE}={sid}; Path=/; SameSite=Strict; HttpOnly")))
                }
            };
            respond(req, 200, "text/html; charset=utf-8", PAGE.to_string(), cookie);
        }
        (Method::Get, "/page.js") => respond(req, 200, "text/javascript; charset=utf-8", SCRIPT.to_string(), None),
        (Method::Get, "/page.css") => respond(req, 200, "text/css; charset=utf-8", STYLE.to_string(), None),
        (Method::Get, "/view") => {
            let session = session_of(&req);
            let body = {
                let b = lock();
                let (votes, voted) = match &b.ballot {
                    Some(q) => (b.tally(&q.id, q.choices), session.as_deref().and_then(|s| b.voted(&q.id, s))),
                    None => (Vec::new(), None),
                };
                let view = if b.view.is_empty() { "null" } else { b.view.as_str() };
                format!(
                    r#"{{"version":{},"view":{view},"votes":{},"voted":{}}}"#,
                    b.version,
                    serde_json::json!(votes),
                    serde_json::json!(voted)
                )
            };
            respond(req, 200, "application/json; charset=utf-8", body, None);
        }
        (Method::Post, "/vote") => vote(board, req),
        _ => respond(req, 404, "text/plain; charset=utf-8", "not found".into(), None),
    }
}

fn vote(board: &Mutex<Board>, mut req: Request) {
    if req.body_length().is_some_and(|n| n > MAX_BODY) {
        return json_reply(req, 413, serde_json::json!({ "ok": false, "error": "too-large" }));
    }
    let mut body = Vec::new();
    let read = req.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut body);
    if read.is_err() || body.len() > MAX_BODY {
        return json_reply(req, 413, serde_json::json!({ "ok": false, "error": "too-large" }));
    }
    let Some(session) = session_of(&req) else {
        return json_reply(req, 400, serde_json::json!({ "ok": false, "error": "no-session" }));
    };
    let parsed: Option<(String, usize, String)> = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| {
        Some((v.get("question")?.as_str()?.to_string(), v.get("choice")?.as_u64()? as usize, v.get("code")?.as_str()?.to_string()))
    });
    let Some((question, choice, code)) = parsed else {
        return json_reply(req, 400, serde_json::json!({ "ok": false, "error": "bad-request" }));
    };
    let from = req.remote_addr().map(|a| a.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let result = board.lock().unwrap_or_else(|e| e.into_inner()).vote(&VoteReq {
        session: &session,
        question: &question,
        choice,
        code: &code,
        from,
    });
    match result {
        Ok(()) => json_reply(req, 200, serde_json::json!({ "ok": true })),
        Err(r) => json_reply(req, r.status(), serde_json::json!({ "ok": false, "error": r.word() })),
    }
}
