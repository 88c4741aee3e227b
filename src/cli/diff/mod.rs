//! `warren diff FILE|NAME`: runs the scenario's pika script (`warren export pika`) against a
//! real RabbitMQ broker and the scenario in warren, and compares what they showed
//! ([`crate::outcome`]). Exit status: 0 the same, 1 a difference, 2 no broker (or no
//! python3 / pika), bad input.

use crate::export::pika;
use crate::outcome::{race, side_by_side, Outcome};
use crate::scenario::Scenario;
use crate::session::Session;
use crate::world::FaultKind;
use lock::BrokerLock;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod lock;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  warren diff work-queues\n  warren diff durability --broker-restart-cmd '.ci/rabbitmq'\n\n\
                  Start a local broker first, e.g. `RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached` \
                  (Debian package rabbitmq-server), and `pip install pika`.")]
pub struct DiffArgs {
    /// A scenario file, `-` for standard input, or the name of a bundled scenario.
    pub scenario: String,
    /// Real seconds per simulated second in the script.
    #[arg(long, default_value_t = pika::DEFAULT_TIME_SCALE)]
    pub time_scale: f64,
    /// The broker's host [default: $RABBITMQ_HOST or 127.0.0.1].
    #[arg(long)]
    pub host: Option<String>,
    /// Its AMQP port [default: $RABBITMQ_PORT or 5672].
    #[arg(long)]
    pub port: Option<u16>,
    /// [default: $RABBITMQ_USER or guest]
    #[arg(long)]
    pub user: Option<String>,
    /// [default: $RABBITMQ_PASSWORD or guest]
    #[arg(long)]
    pub password: Option<String>,
    /// [default: $RABBITMQ_VHOST or /]
    #[arg(long)]
    pub vhost: Option<String>,
    /// For broker faults: run as `CMD stop`, `CMD crash`, `CMD start`, each returning when done
    /// [default: $WARREN_BROKER_RESTART_CMD].
    #[arg(long)]
    pub broker_restart_cmd: Option<String>,
    /// The Python interpreter (with pika installed).
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// Run even a scenario marked `diff: { skip: ... }`.
    #[arg(long)]
    pub force: bool,
    /// Keep the generated script here.
    #[arg(long, value_name = "PATH")]
    pub keep_script: Option<String>,
    /// Print the script's output (its JSON lines) too.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Save what the broker showed (the script's JSON lines) here, to compare later with
    /// --observed or to keep as a probe's recording.
    #[arg(long, value_name = "PATH", conflicts_with = "observed")]
    pub record: Option<String>,
    /// Compare with a recording (the JSON lines of an earlier run, e.g. from --record)
    /// instead of running the script: no broker needed.
    #[arg(long, value_name = "PATH")]
    pub observed: Option<String>,
    /// Seed for every random choice (overrides the scenario's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
}

/// How to start a broker, for the messages.
pub const START_A_BROKER: &str = "start one bound to loopback, e.g. `apt-get install rabbitmq-server` then \
     `RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached` (from a warren checkout: `.ci/rabbitmq start`), \
     or say where it is with --host/--port";

/// Whether something accepts TCP connections at host:port (within two seconds).
pub fn reachable(host: &str, port: u16) -> bool {
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return false;
    };
    addrs.into_iter().any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok())
}

fn or_env(v: &Option<String>, var: &str, default: &str) -> String {
    v.clone().or_else(|| std::env::var(var).ok().filter(|s| !s.is_empty())).unwrap_or_else(|| default.to_string())
}

/// The broker the script talks to, and how to stop and start it.
struct Broker {
    host: String,
    port: u16,
    user: String,
    password: String,
    vhost: String,
    restart_cmd: Option<String>,
}

impl Broker {
    /// From the options, else the environment, else RabbitMQ's defaults.
    fn from_args(a: &DiffArgs) -> Result<Broker, String> {
        let port: u16 = match a.port {
            Some(p) => p,
            None => or_env(&None, "RABBITMQ_PORT", "5672").parse().map_err(|_| "RABBITMQ_PORT is not a port number".to_string())?,
        };
        Ok(Broker {
            host: or_env(&a.host, "RABBITMQ_HOST", "127.0.0.1"),
            port,
            user: or_env(&a.user, "RABBITMQ_USER", "guest"),
            password: or_env(&a.password, "RABBITMQ_PASSWORD", "guest"),
            vhost: or_env(&a.vhost, "RABBITMQ_VHOST", "/"),
            restart_cmd: a.broker_restart_cmd.clone().or_else(|| std::env::var("WARREN_BROKER_RESTART_CMD").ok().filter(|s| !s.is_empty())),
        })
    }
}

fn is_broker_fault(k: &FaultKind) -> bool {
    matches!(k, FaultKind::BrokerCrash | FaultKind::BrokerStop | FaultKind::BrokerRestart)
}

/// Whether comparing the scenario needs `--broker-restart-cmd`: it stops or crashes the
/// broker, or sets broker settings the real node must use too.
pub fn needs_restart_cmd(scenario: &Scenario) -> bool {
    let b = &scenario.def.broker;
    scenario.plan.faults.iter().any(|f| is_broker_fault(&f.kind)) || b.consumer_timeout.is_some() || b.channel_tick_interval.is_some()
}

/// Whether the scenario can be compared with these options: `Err(exit status)` if not (0 for
/// a scenario marked `diff: { skip }`, after saying so).
fn preflight(a: &DiffArgs, scenario: &Scenario, broker: &Broker) -> Result<(), i32> {
    if let (Some(reason), false) = (&scenario.diff_skip, a.force) {
        println!("{}: skipped (diff: skip): {reason}", scenario.name);
        println!("(--force runs it anyway)");
        return Err(0);
    }
    if !(a.time_scale > 0.0 && a.time_scale.is_finite()) {
        eprintln!("error: --time-scale must be a number above 0");
        return Err(2);
    }
    if scenario.plan.faults.iter().any(|f| is_broker_fault(&f.kind)) && broker.restart_cmd.is_none() {
        eprintln!(
            "error: {} stops or crashes the broker: give --broker-restart-cmd CMD (run as `CMD stop`, `CMD crash`, `CMD start`; \
             from a warren checkout: --broker-restart-cmd .ci/rabbitmq)",
            scenario.name
        );
        return Err(2);
    }
    let env = scenario.def.broker.consumer_timeout.is_some() || scenario.def.broker.channel_tick_interval.is_some();
    if env && broker.restart_cmd.is_none() {
        eprintln!(
            "error: {} sets broker.consumer_timeout or broker.channel_tick_interval, which the real broker must use too: \
             give --broker-restart-cmd CMD (run as `CMD eval EXPR` to set them with rabbitmqctl eval and to put them back; \
             from a warren checkout: --broker-restart-cmd .ci/rabbitmq)",
            scenario.name
        );
        return Err(2);
    }
    // Unreachable while another diff has its turn: that run may have the broker stopped for
    // its scenario's restart; this one checks again when its turn comes (`live`).
    if !reachable(&broker.host, broker.port) && !BrokerLock::held(&broker.host, broker.port) {
        return Err(no_broker(broker));
    }
    Ok(())
}

fn no_broker(broker: &Broker) -> i32 {
    eprintln!("error: no RabbitMQ broker is reachable at {}:{}: {START_A_BROKER}", broker.host, broker.port);
    2
}

/// The faults the script cannot perform, for the closing note.
fn unperformed(scenario: &Scenario) -> Vec<String> {
    scenario
        .plan
        .faults
        .iter()
        .filter_map(|f| match f.kind {
            FaultKind::Delay { .. } => Some(format!("a delay at {}", f.at)),
            FaultKind::Partition(_) => Some(format!("a partition at {}", f.at)),
            _ => None,
        })
        .collect()
}

/// How long the script may run: the run's length, plus time for the broker faults (a
/// restart takes seconds) and start-up.
fn time_limit(session: &Session, time_scale: f64) -> Duration {
    let end = session.world.now().saturating_add(pika::END_MARGIN);
    let broker_time = session.scenario.plan.faults.iter().filter(|f| is_broker_fault(&f.kind)).count() as f64 * 60.0;
    Duration::from_secs_f64(end.as_us() as f64 / 1e6 * time_scale + broker_time + 60.0)
}

/// What the script did: its exit status (`None`: it ran past the limit and was stopped),
/// its standard output (the JSON lines) and its standard error.
struct ScriptRun {
    status: Option<std::process::ExitStatus>,
    output: String,
    errors: String,
}

/// Runs the script at `path` against the broker, within `limit`.
fn run_script(a: &DiffArgs, broker: &Broker, path: &Path, limit: Duration) -> Result<ScriptRun, String> {
    let mut cmd = Command::new(&a.python);
    cmd.arg(path)
        .args(["--host", &broker.host, "--port", &broker.port.to_string(), "--user", &broker.user])
        .args(["--password", &broker.password, "--vhost", &broker.vhost])
        .args(["--time-scale", &a.time_scale.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(c) = &broker.restart_cmd {
        cmd.args(["--broker-restart-cmd", c]);
    }
    let mut child =
        cmd.spawn().map_err(|e| format!("cannot run {}: {e} (warren diff needs Python 3 with pika: `pip install pika`)", a.python))?;
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let verbose = a.verbose;
    let out_reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if verbose {
                println!("  | {line}");
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => break None,
        }
    };
    Ok(ScriptRun { status, output: out_reader.join().unwrap_or_default(), errors: err_reader.join().unwrap_or_default() })
}

/// The script's output and standard error if it ran to the end (`Err`: the exit status,
/// after saying why not).
fn script_output(run: ScriptRun, python: &str, limit: Duration) -> Result<(String, String), i32> {
    let Some(status) = run.status else {
        eprintln!("error: the script ran past {:.0}s and was stopped", limit.as_secs_f64());
        eprint!("{}", run.errors);
        return Err(2);
    };
    if !status.success() {
        if run.errors.contains("No module named 'pika'") {
            eprintln!("error: {python} has no pika: `pip install pika`");
            return Err(2);
        }
        eprint!("{}", run.errors);
        eprintln!("error: the script failed ({status})");
        return Err(2);
    }
    Ok((run.output, run.errors))
}

/// Compares warren's outcome with what the broker showed (the script's JSON lines) and
/// prints both; the exit status. `script_errors`: the script's standard error, shown when
/// its output cannot be read.
fn report(session: &Session, ours: &Outcome, observed: &str, script_errors: &str) -> i32 {
    let scenario = &session.scenario;
    let theirs = match Outcome::from_script(scenario, observed) {
        Ok(o) => o,
        Err(e) => {
            eprint!("{script_errors}");
            eprintln!("error: {e}");
            return 2;
        }
    };
    let items = ours.compare(&theirs);
    print!("{}", side_by_side(&items, "warren", "RabbitMQ"));
    let differ = items.iter().filter(|i| !i.same()).count();
    let unperformed = unperformed(scenario);
    if !unperformed.is_empty() {
        println!("note: the script cannot perform {}: a difference may come from that", unperformed.join(", "));
    }
    if differ == 0 {
        println!("same: {} observations agree", items.len());
        return 0;
    }
    if let Some(shift) = race::explaining_shift(scenario, &theirs, session.world.steps) {
        println!(
            "note: warren shows what RabbitMQ showed when {}'s link is {} slower each way: most likely a race of the \
             real run's timing, not of the model (space the steps that decide it further apart, or raise --time-scale)",
            shift.client,
            shift.by.to_duration_string()
        );
    }
    println!("DIFFERENT: {differ} of {} observations differ", items.len());
    1
}

/// A recording given with --observed, read whole (at most 64 MiB).
fn read_observed(path: &str) -> Result<String, String> {
    const MAX: u64 = 64 << 20;
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut text = String::new();
    f.take(MAX + 1).read_to_string(&mut text).map_err(|e| format!("cannot read {path}: {e}"))?;
    if text.len() as u64 > MAX {
        return Err(format!("{path}: a recording of more than 64 MiB"));
    }
    Ok(text)
}

/// Writes the script where `--keep-script` says, or else as `script.py` in a private
/// directory created for it (mode 0700, a fresh random name, removed when the returned
/// guard is dropped): no other user can swap the file between writing and running it.
fn write_script(keep: Option<&str>, script: &str) -> Result<(std::path::PathBuf, Option<tempfile::TempDir>), String> {
    if let Some(p) = keep {
        std::fs::write(p, script).map_err(|e| format!("cannot write {p}: {e}"))?;
        return Ok((std::path::PathBuf::from(p), None));
    }
    let dir = tempfile::Builder::new().prefix("warren-diff-").tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let path = dir.path().join("script.py");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, script.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((path, Some(dir)))
}

pub fn main(a: DiffArgs) -> i32 {
    let scenario = match super::load(&a.scenario, a.seed).map(|s| a.limits.apply(s)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let broker = match Broker::from_args(&a) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if a.observed.is_none() {
        if let Err(code) = preflight(&a, &scenario, &broker) {
            return code;
        }
    }
    let mut session = Session::new(scenario.clone(), true);
    if let Err(cap) = session.run() {
        eprintln!("error: {} (scenario {}, seed {})", super::cap::message(&cap, &scenario), scenario.name, scenario.seed);
        return 2;
    }
    let ours = Outcome::from_session(&session);
    let observed = match &a.observed {
        Some(path) => {
            println!("{} (seed {}) against the recording {path}", scenario.name, scenario.seed);
            read_observed(path).map(|text| (text, String::new())).map_err(|e| {
                eprintln!("error: {e}");
                2
            })
        }
        None => live(&a, &broker, &session),
    };
    match observed {
        Ok((text, errors)) => report(&session, &ours, &text, &errors),
        Err(code) => code,
    }
}

/// Runs the scenario's script against the broker: what it printed (saved with --record) and
/// its standard error.
fn live(a: &DiffArgs, broker: &Broker, session: &Session) -> Result<(String, String), i32> {
    let fail = |e: String| {
        eprintln!("error: {e}");
        2
    };
    let scenario = &session.scenario;
    let script = pika::script(session, &pika::PikaOptions { time_scale: a.time_scale, invoked_as: a.scenario.clone() });
    let (path, _private_dir) = write_script(a.keep_script.as_deref(), &script).map_err(fail)?;
    let limit = time_limit(session, a.time_scale);
    let lock = BrokerLock::acquire(&broker.host, broker.port).map_err(fail)?;
    if !reachable(&broker.host, broker.port) {
        return Err(no_broker(broker));
    }
    println!("{} (seed {}) against RabbitMQ at {}:{}, time scale {}", scenario.name, scenario.seed, broker.host, broker.port, a.time_scale);
    let run = run_script(a, broker, &path, limit);
    drop(lock);
    let (output, errors) = script_output(run.map_err(fail)?, &a.python, limit)?;
    if let Some(rec) = &a.record {
        std::fs::write(rec, &output).map_err(|e| fail(format!("cannot write {rec}: {e}")))?;
    }
    Ok((output, errors))
}
