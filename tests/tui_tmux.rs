//! End to end: the real `warren` binary in a real terminal (tmux), driven by keys, checked by
//! what a person would see on the screen. Skipped, with a notice, where tmux is missing —
//! except when `CI` is set: CI installs tmux (`.ci/run`), so there a missing tmux fails.
//!
//! Each test runs its own tmux server (`tmux -L <unique socket>`), so it never touches a
//! tmux session of the person running the tests, and kills that server when done.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

fn tmux_available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
}

/// Whether this is CI, where tmux is installed and a skip would hide a missing test.
fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

macro_rules! need_tmux {
    () => {
        if !tmux_available() {
            assert!(!required(), "CI is set but tmux is not installed: the end-to-end TUI test cannot run (.ci/run installs tmux)");
            eprintln!("notice: tmux is not installed; skipping the end-to-end TUI test");
            return;
        }
    };
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A tmux server with one session running a command.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `warren ARGS` in a `w`×`h` terminal. When it exits, the shell prints its exit
    /// status and waits, so the screen after the TUI can be checked.
    fn start(args: &str, w: u16, h: u16) -> Tmux {
        let socket = format!("warren-test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let bin = env!("CARGO_BIN_EXE_warren");
        let cmd = format!("clear; '{bin}' {args}; echo \"exited with status $?\"; sleep 60");
        let t = Tmux { socket };
        let out = t.tmux(&["new-session", "-d", "-s", "main", "-x", &w.to_string(), "-y", &h.to_string(), "sh", "-c", &cmd]);
        assert!(out.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&out.stderr));
        // Some tmux versions size a detached session by default-size: make it exact.
        t.tmux(&["resize-window", "-t", "main", "-x", &w.to_string(), "-y", &h.to_string()]);
        t
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
    }

    /// Sends keys (tmux key names: `Right`, `Enter`, `Escape`, or literal text).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "main", k]);
            // One key at a time, as a person types: each is a separate event for the TUI.
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Types text literally.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
        std::thread::sleep(Duration::from_millis(40));
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "main"]).stdout).into_owned()
    }

    /// Waits until the screen shows every one of `texts` (or fails showing the screen).
    fn wait_for(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen();
            if texts.iter().all(|t| s.contains(t)) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("the screen never showed {texts:?}; it shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// The walkthrough: step through the round-robin, step back, crash a worker
/// mid-message, watch its messages come back redelivered to the other worker with the
/// reason shown — then the same in Chinese — then quit with the terminal restored.
#[test]
fn a_newcomer_walks_through_work_queues() {
    need_tmux!();
    let t = Tmux::start("tui work-queues", 80, 24);
    t.wait_for(&["Topology", "work-queues", "? help"]);
    // Step through the round-robin: task 1 to worker1, task 2 to worker2.
    t.keys(&["Right"; 12]);
    let s = t.wait_for(&["delivered #2 \"task 2\" to worker2", "worker2 is next in round-robin"]);
    assert!(s.contains("Event log 16"), "{s}");
    // One step back: the last event's records are gone.
    t.keys(&["Left"]);
    let s = t.wait_for(&["Event log 15"]);
    assert!(!s.contains("started work on #2"), "{s}");
    // Run to 0.7s; the question at 0.35s stops the run first.
    t.keys(&["t"]);
    t.type_text("0.7s");
    t.keys(&["Enter"]);
    t.wait_for(&["Question", "Which worker gets task 4?", "1) worker1", "2) worker2"]);
    t.keys(&["2"]);
    t.wait_for(&["right!", "Round-robin ignores how busy a consumer is"]);
    t.keys(&["Enter", "t"]);
    t.type_text("0.7s");
    t.keys(&["Enter"]);
    t.wait_for(&["t 0.700s", "▶#1 \"task 1\""]);
    // worker1 is selected: crash it while it works on task 1.
    t.keys(&["x"]);
    t.wait_for(&["worker1 crashed", "worker1 ✗ down"]);
    t.keys(&["Right"]);
    let s = t.wait_for(&["requeued #5 \"task 5\"", "delivered #1 \"task 1\" to worker2 (tag 4, redelivered)"]);
    assert!(s.contains("worker2 is the only consumer, from the head of task_queue"), "{s}");
    // Why it was requeued: open the inspector on task 1 from the messages panel.
    t.keys(&["Tab", "Down", "Down", "Down", "Down"]);
    t.keys(&["Enter"]);
    let s = t.wait_for(&["Message #1 \"task 1\"", "History", "on its way to worker2"]);
    assert!(s.contains("connection closed with it unacked"), "{s}");
    t.keys(&["Escape"]);
    // The same, in Chinese.
    t.keys(&["L"]);
    t.wait_for(&["拓扑", "重投", "worker2 是唯一的消费者"]);
    // Step back past the crash: it is undone.
    t.keys(&["L", "Left", "Left"]);
    let s = t.wait_for(&["undone"]);
    assert!(!s.contains("worker1 ✗"), "{s}");
    // Help lists the keys; any key closes it.
    t.keys(&["?"]);
    t.wait_for(&["Keys", "step one event back (time", "crash it (client or"]);
    t.keys(&["space"]);
    t.wait_for(&["Topology"]);
    // Quit: the terminal is back to the shell, with no trace of the TUI.
    t.keys(&["q"]);
    let s = t.wait_for(&["exited with status 0"]);
    assert!(!s.contains("Topology"), "the alternate screen was not left:\n{s}");
}

/// The picker, a tiny terminal, and a resize back.
#[test]
fn picker_tiny_terminal_and_resize() {
    need_tmux!();
    let t = Tmux::start("tui --lang zh", 80, 24);
    t.wait_for(&["场景", "work-queues", "工作队列：轮询分发"]);
    t.keys(&["Down", "Enter"]);
    t.wait_for(&["拓扑", "work-queues"]);
    t.tmux(&["resize-window", "-t", "main", "-x", "30", "-y", "8"]);
    t.wait_for(&["终端太小"]);
    t.tmux(&["resize-window", "-t", "main", "-x", "140", "-y", "40"]);
    t.keys(&["e"]);
    t.wait_for(&["拓扑", "事件日志", "提问"]);
    t.keys(&["Escape", "e"]);
    t.wait_for(&["已结束"]);
    t.keys(&["C-c"]);
    let s = t.wait_for(&["exited with status 0"]);
    assert!(!s.contains("拓扑"), "{s}");
}

/// Live editing: the file is saved in an "editor" (written, or replaced by a rename, as
/// editors do) while `warren tui FILE` shows it; the screen follows within a second. A
/// broken save shows the error with its line and column; fixing it clears the error.
#[test]
fn saving_the_scenario_file_updates_the_screen() {
    need_tmux!();
    let dir = std::env::temp_dir().join(format!("warren-live-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lesson.yaml");
    let original = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/work-queues.yaml")).unwrap();
    std::fs::write(&file, &original).unwrap();
    let t = Tmux::start(&format!("tui '{}'", file.display()), 100, 30);
    t.wait_for(&["◌ task_queue", "worker2 ○ not started"]);
    // Run to 0.3s, then make worker2 start late: the run is replayed to 0.3s.
    t.keys(&["t"]);
    t.type_text("0.3s");
    t.keys(&["Enter"]);
    t.wait_for(&["t 0.300s", "worker2 1/∞"]);
    let late = original.replace(
        "{ name: worker2, queue: task_queue, ack: manual, work: 1s }",
        "{ name: worker2, queue: task_queue, ack: manual, work: 1s, start: 250ms }",
    );
    let saved = Instant::now();
    std::fs::write(&file, &late).unwrap();
    let s = t.wait_for(&["replayed to 0.300s", "worker1 3/∞", "worker2 0/∞"]);
    let took = saved.elapsed();
    assert!(took < Duration::from_secs(1), "the screen took {took:?} to follow the save:\n{s}");
    eprintln!("reload shown {took:?} after the save");
    // A broken save, written as editors do: a new file renamed over the old one.
    let tmp = dir.join(".lesson.yaml.swp");
    std::fs::write(&tmp, late.replacen("ack: manual", "ack: manul", 1)).unwrap();
    std::fs::rename(&tmp, &file).unwrap();
    let s = t.wait_for(&["Scenario error", "lesson.yaml:20:"]);
    assert!(s.contains("t 0.300s"), "the old run stays:\n{s}");
    std::fs::write(&file, &original).unwrap();
    let s = t.wait_for(&["replayed to 0.300s", "worker2 1/∞"]);
    assert!(!s.contains("Scenario error"), "{s}");
    t.keys(&["q"]);
    t.wait_for(&["exited with status 0"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A missing scenario is an error before the terminal is touched.
#[test]
fn a_missing_scenario_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(["tui", "no-such-scenario"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-scenario"));
    // Without a terminal it says so instead of drawing into a pipe.
    let out = Command::new(env!("CARGO_BIN_EXE_warren")).args(["tui", "hello"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
}
