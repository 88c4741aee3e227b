//! Taking turns at a broker. Two `warren diff` runs on one machine against the same broker
//! would see each other's messages (the scenarios share queue names) and broker restarts, so
//! they take turns: the lock is a directory, created atomically, holding its owner's pid; a
//! lock whose owner is gone is taken over.
//!
//! Turns are first come, first served: a run that has to wait leaves a ticket (a file named
//! by the time it came and its pid) beside the lock, and only the oldest live ticket may take
//! the lock when it is free. Without that, a campaign that starts its next run the moment
//! the last one ends would win every time over a run that polls.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a run waits for its turn before giving up.
const PATIENCE: Duration = Duration::from_secs(1800);

pub(super) struct BrokerLock {
    dir: PathBuf,
}

/// Whether the process `pid` (as written in a lock or a ticket) is gone; `age`: how old the
/// file is, for systems without /proc.
fn gone(pid: &str, age: Duration) -> bool {
    if pid.is_empty() {
        age > Duration::from_secs(10)
    } else if Path::new("/proc/self").exists() {
        !Path::new("/proc").join(pid).exists()
    } else {
        age > PATIENCE
    }
}

fn age(path: &Path) -> Duration {
    std::fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|m| m.elapsed().ok()).unwrap_or_default()
}

/// A waiting run's place in line.
struct Ticket {
    queue: PathBuf,
    name: String,
}

impl Ticket {
    fn take(queue: PathBuf) -> Option<Ticket> {
        std::fs::create_dir_all(&queue).ok()?;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let name = format!("{nanos:024}-{}", std::process::id());
        std::fs::write(queue.join(&name), b"").ok()?;
        Some(Ticket { queue, name })
    }

    /// Whether no live ticket is older than this one (dead ones are cleared on the way).
    fn first(&self) -> bool {
        let Ok(entries) = std::fs::read_dir(&self.queue) else { return true };
        let mut names: Vec<String> = entries.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect();
        names.sort();
        for n in names {
            if n == self.name {
                return true;
            }
            let pid = n.rsplit('-').next().unwrap_or_default();
            if gone(pid, age(&self.queue.join(&n))) {
                let _ = std::fs::remove_file(self.queue.join(&n));
            } else {
                return false;
            }
        }
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.queue.join(&self.name));
    }
}

/// The lock's path and its tickets' directory for a broker.
fn paths(host: &str, port: u16) -> (PathBuf, PathBuf) {
    let safe: String = host.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    let tmp = std::env::temp_dir();
    (tmp.join(format!("warren-diff-{safe}-{port}.lock")), tmp.join(format!("warren-diff-{safe}-{port}.queue")))
}

impl BrokerLock {
    /// Whether another live `warren diff` has its turn at this broker now (it may have the
    /// broker stopped for a restart of its scenario).
    pub(super) fn held(host: &str, port: u16) -> bool {
        let dir = paths(host, port).0;
        let owner = std::fs::read_to_string(dir.join("pid")).unwrap_or_default().trim().to_string();
        dir.exists() && !gone(&owner, age(&dir))
    }

    pub(super) fn acquire(host: &str, port: u16) -> Result<BrokerLock, String> {
        let (dir, queue) = paths(host, port);
        let ticket = Ticket::take(queue);
        let started = std::time::Instant::now();
        let mut told = false;
        loop {
            let my_turn = ticket.as_ref().is_none_or(Ticket::first);
            let owner = match my_turn.then(|| std::fs::create_dir(&dir)) {
                Some(Ok(())) => {
                    let _ = std::fs::write(dir.join("pid"), std::process::id().to_string());
                    return Ok(BrokerLock { dir });
                }
                Some(Err(e)) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(format!("cannot create {}: {e}", dir.display()));
                }
                _ => std::fs::read_to_string(dir.join("pid")).unwrap_or_default().trim().to_string(),
            };
            if my_turn && gone(&owner, age(&dir)) {
                let _ = std::fs::remove_file(dir.join("pid"));
                let _ = std::fs::remove_dir(&dir);
                continue;
            }
            if !told {
                let who = if owner.is_empty() { "another warren diff".to_string() } else { format!("another warren diff (pid {owner})") };
                eprintln!("waiting for {who} using the broker at {host}:{port} ...");
                told = true;
            }
            if started.elapsed() > PATIENCE {
                return Err(format!("waited 30 minutes for a turn at {} (held by pid {owner})", dir.display()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for BrokerLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.join("pid"));
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_served_in_the_order_they_came_and_dead_ones_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let queue = dir.path().join("q");
        // A ticket of a process that is gone, older than everyone's.
        std::fs::create_dir_all(&queue).unwrap();
        std::fs::write(queue.join(format!("{:024}-{}", 1, u32::MAX)), b"").unwrap();
        let first = Ticket::take(queue.clone()).unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let second = Ticket::take(queue.clone()).unwrap();
        assert!(first.first(), "the dead ticket ahead does not count");
        assert!(!second.first(), "the second waits for the first");
        drop(first);
        assert!(second.first());
        assert_eq!(std::fs::read_dir(&queue).unwrap().count(), 1, "the dead ticket was cleared");
    }

    #[test]
    fn the_lock_is_held_while_its_owner_lives() {
        // A host name no real run uses, so that this test shares no lock with one.
        let host = format!("held-test-{}", std::process::id());
        assert!(!BrokerLock::held(&host, 1));
        let lock = BrokerLock::acquire(&host, 1).unwrap();
        assert!(BrokerLock::held(&host, 1));
        drop(lock);
        assert!(!BrokerLock::held(&host, 1));
        // A lock left by a process that is gone is not held.
        let dir = paths(&host, 1).0;
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("pid"), u32::MAX.to_string()).unwrap();
        assert!(!BrokerLock::held(&host, 1));
        std::fs::remove_file(dir.join("pid")).unwrap();
        std::fs::remove_dir(&dir).unwrap();
    }
}
