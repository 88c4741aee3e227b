//! `warren tui --share`: the class page. The real server (on a free port of 127.0.0.1) is fed
//! by the TUI's own servicing step; plain HTTP clients play a class of 30 devices, and a
//! headless Chromium loads the page, draws the topology and votes through the page's own
//! voting code. The Chromium test fails, not skips, when `CI` is set and chromium is missing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use warren::explain::Lang;
use warren::scenario::Scenario;
use warren::share::Share;
use warren::tui::action::Action;
use warren::tui::app::{App, ShareInfo};
use warren::tui::{update, Extras};

const CODE: &str = "4321";

/// work-queues stopped at its question (0.35s), shared on a free port.
fn class() -> (App, Extras, String) {
    let s = Arc::new(Scenario::load("work-queues").expect("bundled"));
    let mut app = App::with_scenario(s, Lang::En);
    update(&mut app, Action::PromptTime);
    for c in "1s".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Submit);
    assert!(app.run().unwrap().quiz.is_some(), "the question is open");
    let share = Share::start("127.0.0.1:0", CODE.to_string()).expect("listen");
    let addr = share.addr.clone();
    app.share = Some(ShareInfo { addr: addr.clone(), code: CODE.into() });
    let mut extras = Extras::default();
    extras.share = Some(share);
    extras.service(&mut app);
    (app, extras, addr)
}

/// One HTTP/1.1 request; returns (status, headers, body).
fn http(addr: &str, method: &str, path: &str, cookie: Option<&str>, body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: {c}\r\n"));
    }
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// A device opening the page: its session cookie.
fn join(addr: &str) -> String {
    let (status, head, body) = http(addr, "GET", "/", None, "");
    assert_eq!(status, 200);
    assert!(body.contains("<script src=\"/page.js\">"), "the page");
    let line = head.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).expect("a session cookie");
    line.split_once(':').unwrap().1.trim().split(';').next().unwrap().to_string()
}

fn vote_body(question: &str, choice: usize, code: &str) -> String {
    serde_json::json!({ "question": question, "choice": choice, "code": code }).to_string()
}

fn question_id(app: &App) -> String {
    let r = app.run().unwrap();
    warren::tui::web::question_id(r, r.quiz.unwrap().note)
}

#[test]
fn a_class_of_30_votes_and_the_tui_shows_30_votes() {
    let (mut app, mut extras, addr) = class();
    let q = question_id(&app);
    let threads: Vec<_> = (0..30)
        .map(|i| {
            let (addr, q) = (addr.clone(), q.clone());
            std::thread::spawn(move || {
                let cookie = join(&addr);
                // Two thirds get it right (worker2, choice 1).
                let choice = if i % 3 == 0 { 0 } else { 1 };
                let (status, _, body) = http(&addr, "POST", "/vote", Some(&cookie), &vote_body(&q, choice, CODE));
                assert_eq!(status, 200, "{body}");
                // A second vote from the same device is refused.
                let (status, _, body) = http(&addr, "POST", "/vote", Some(&cookie), &vote_body(&q, 1 - choice, CODE));
                assert_eq!(status, 409, "{body}");
                cookie
            })
        })
        .collect();
    let cookies: Vec<String> = threads.into_iter().map(|t| t.join().expect("a device")).collect();
    assert_eq!(cookies.iter().collect::<std::collections::BTreeSet<_>>().len(), 30, "30 sessions");
    extras.service(&mut app);
    let r = app.run().unwrap();
    let note = r.quiz.unwrap().note;
    assert_eq!(r.votes.get(&note), Some(&vec![10, 20]), "the TUI model has every vote");
    let screen = common::screen(&app, 80, 24);
    assert!(screen.contains("30 vote(s)"), "{screen}");
    // The page sees the tally and its own vote.
    let (_, _, body) = http(&addr, "GET", "/view", Some(&cookies[1]), "");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["votes"], serde_json::json!([10, 20]));
    assert_eq!(v["voted"], serde_json::json!(1));
    assert_eq!(v["view"]["question"]["revealed"], serde_json::json!(false));
    assert!(v["view"]["question"]["answer"].is_null(), "no answer before the reveal");
}

#[test]
fn votes_need_the_code_an_open_question_and_a_small_body() {
    let (mut app, mut extras, addr) = class();
    let q = question_id(&app);
    let cookie = join(&addr);
    let (status, _, _) = http(&addr, "POST", "/vote", Some(&cookie), &vote_body(&q, 1, "0000"));
    assert_eq!(status, 403, "a stray visitor without the code");
    let (status, _, _) = http(&addr, "POST", "/vote", None, &vote_body(&q, 1, CODE));
    assert_eq!(status, 400, "no session");
    let (status, _, _) = http(&addr, "POST", "/vote", Some(&cookie), &vote_body(&q, 7, CODE));
    assert_eq!(status, 400, "no such choice");
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(4096));
    let (status, _, _) = http(&addr, "POST", "/vote", Some(&cookie), &big);
    assert_eq!(status, 413);
    let (status, _, _) = http(&addr, "GET", "/nothing", None, "");
    assert_eq!(status, 404);
    let (status, _, _) = http(&addr, "POST", "/view", None, "");
    assert_eq!(status, 404, "the page cannot steer anything");
    // The teacher reveals: votes close, the page gets the answer and the explanation.
    update(&mut app, Action::Reveal);
    extras.service(&mut app);
    let (status, _, _) = http(&addr, "POST", "/vote", Some(&cookie), &vote_body(&q, 1, CODE));
    assert_eq!(status, 409, "closed");
    let (_, _, body) = http(&addr, "GET", "/view", Some(&cookie), "");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["view"]["question"]["revealed"], serde_json::json!(true));
    assert_eq!(v["view"]["question"]["answer"], serde_json::json!(1));
    assert!(v["view"]["question"]["explain"]["zh"].as_str().unwrap().contains("轮询"));
    let screen = common::screen(&app, 80, 24);
    assert!(screen.contains("the answer: worker2"), "{screen}");
}

#[test]
fn the_view_carries_topology_log_and_note_in_both_languages() {
    let (_app, _extras, addr) = class();
    let (_, _, body) = http(&addr, "GET", "/view", None, "");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let view = &v["view"];
    let queues = view["topology"]["queues"].as_array().unwrap();
    assert_eq!(queues[0]["name"], "task_queue");
    let consumers: Vec<&str> = queues[0]["consumers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(consumers, ["worker1", "worker2"]);
    assert!(queues[0]["unacked"].as_u64().unwrap() > 0);
    let log = view["log"].as_array().unwrap();
    assert!(log.iter().any(|l| l["why"]["en"].is_string() && l["why"]["zh"].is_string()), "each step's why");
    // The latest note is the question: the question panel shows it, in both languages.
    assert!(view["note"].is_null());
    assert!(view["question"]["ask"]["zh"].as_str().unwrap().contains("任务 4"));
    assert_eq!(view["question"]["choices"][1]["en"], "worker2");
}

#[test]
fn the_page_puts_scenario_text_in_as_text_only() {
    let js = include_str!("../src/share/page.js");
    for bad in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
        assert!(!js.contains(bad), "page.js uses {bad}");
    }
    let html = include_str!("../src/share/page.html");
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing from the internet");
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// A real browser: the DOM it builds shows the topology, and the vote its page code posts
/// (`?vote=2` presses the second choice's button handler) reaches the TUI's model.
#[test]
fn headless_chromium_shows_the_topology_and_its_vote_reaches_the_tui() {
    let Some(bin) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed, and CI needs this test (apt-get install chromium)");
        }
        eprintln!("notice: chromium is not installed; skipping the browser test");
        return;
    };
    let (mut app, mut extras, addr) = class();
    let profile = std::env::temp_dir().join(format!("warren-chromium-{}", std::process::id()));
    let url = format!("http://{addr}/?code={CODE}&vote=2&lang=zh");
    let start = Instant::now();
    let out = Command::new(bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=10000", "--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    for needle in
        ["data-queue=\"task_queue\"", "data-consumer=\"worker1\"", "data-consumer=\"worker2\"", "data-publisher=\"producer\"", "任务 4"]
    {
        assert!(dom.contains(needle), "the DOM lacks {needle}:\n{dom}");
    }
    // The vote went through the page's own code path and the server counted it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        extras.service(&mut app);
        let r = app.run().unwrap();
        if r.votes.get(&r.quiz.unwrap().note) == Some(&vec![0, 1]) {
            break;
        }
        assert!(Instant::now() < deadline, "the vote did not reach the TUI (dom: {dom})");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(dom.contains("data-last-vote=\"ok\""), "the page saw its vote accepted");
    eprintln!("chromium took {:?}", start.elapsed());
}

mod common {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    pub fn screen(app: &warren::tui::App, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| warren::tui::render::draw(f, app)).unwrap();
        let b = t.backend().buffer();
        let mut out = String::new();
        for y in 0..b.area.height {
            let mut skip = 0;
            for x in 0..b.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = b[(x, y)].symbol();
                out.push_str(sym);
                skip = ratatui::text::Span::raw(sym).width().saturating_sub(1);
            }
            out.push('\n');
        }
        out
    }
}
