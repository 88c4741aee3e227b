//! warren in the shell: `-` reads a scenario from standard input, `-o -` writes standard
//! output, `-o/--output/--out` is one spelling everywhere, a closed pipe ends quietly,
//! `--help` has an EXIT STATUS section, completions and a man page are generated, `--json`
//! for check and list, and an ambiguous bare name says which scenario runs.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_warren"));
    c.current_dir(std::env::temp_dir());
    c
}

fn warren(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).stdin(Stdio::null()).output().expect("run warren");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("warren-shell-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const SMALL: &str = "name: piped\nqueues: [ { name: q } ]\nproducers: [ { name: p, publish: [ { key: q, body: hi } ] } ]\nconsumers: [ { name: c, queue: q } ]\nexpect:\n  - { consumer: c, received: [hi] }\n";

#[test]
fn a_dash_reads_standard_input_for_every_subcommand() {
    let (code, out, err) = with_stdin(&["run", "-"], SMALL);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# piped"), "{out}");
    let (code, out, _) = with_stdin(&["check", "-"], SMALL);
    assert_eq!(code, 0);
    assert!(out.contains("pass  c received"), "{out}");
    let (code, out, _) = with_stdin(&["export", "mermaid", "-"], SMALL);
    assert_eq!(code, 0);
    assert!(out.contains("sequenceDiagram"), "{out}");
    let (code, out, _) = with_stdin(&["explore", "-", "--cases", "3", "-o", "-"], SMALL);
    assert!(code == 0 || code == 1, "{out}");
    let (code, _, err) = with_stdin(&["check", "-"], "name: t\nqueues: [ { name: q, durabel: true } ]\n");
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>:2:22"), "errors name standard input: {err}");
}

#[test]
fn dash_o_dash_writes_standard_output() {
    for args in [
        vec!["export", "pika", "hello", "-o", "-"],
        vec!["schema", "-o", "-"],
        vec!["man", "-o", "-"],
        vec!["completions", "bash", "-o", "-"],
        vec!["new", "lesson", "-o", "-"],
    ] {
        let (code, out, err) = warren(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.len() > 100, "{args:?} wrote {out:?}");
        assert!(!std::path::Path::new(&std::env::temp_dir().join("-")).exists(), "no file called `-`");
    }
}

#[test]
fn one_spelling_for_output_files() {
    let d = temp_dir("out");
    for flag in ["-o", "--output", "--out"] {
        let p = d.join(format!("schema{flag}.json"));
        let (code, _, err) = warren(&["schema", flag, p.to_str().unwrap()]);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(std::fs::read_to_string(&p).unwrap().contains("\"$schema\""));
        let p = d.join(format!("hello{flag}.py"));
        let (code, _, err) = warren(&["export", "pika", "hello", flag, p.to_str().unwrap()]);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(p.exists());
    }
    for sub in [&["run", "x", "--help"][..], &["explore", "x", "--help"], &["export", "pika", "x", "--help"]] {
        let (_, help, _) = warren(sub);
        if sub[0] != "run" {
            assert!(help.contains("-o, --output"), "{sub:?}: {help}");
        }
    }
}

/// Runs warren with its standard output closed before it writes: it must end quietly.
fn closed_pipe(args: &[&str]) {
    let mut child = bin().args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    closed_pipe(&["list"]);
    closed_pipe(&["list", "--json"]);
    closed_pipe(&["check", "hello", "work-queues"]);
    closed_pipe(&["check", "hello", "--json"]);
    closed_pipe(&["run", "work-queues"]);
    closed_pipe(&["run", "work-queues", "--json"]);
    closed_pipe(&["run", "work-queues", "--quiet"]);
    closed_pipe(&["export", "mermaid", "rpc"]);
    closed_pipe(&["schema"]);
    closed_pipe(&["man"]);
    closed_pipe(&["completions", "zsh"]);
    closed_pipe(&["--help"]);
}

#[test]
fn help_has_an_exit_status_section() {
    let (code, out, _) = warren(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Exit status:"), "{out}");
    for line in ["0  success", "1  a check failed", "2  bad input or usage"] {
        assert!(out.contains(line), "{line}: {out}");
    }
    for cmd in ["new", "schema", "completions", "man"] {
        assert!(out.contains(cmd), "{cmd}: {out}");
    }
}

#[test]
fn completions_for_every_shell() {
    for (shell, mark) in
        [("bash", "complete -F"), ("zsh", "#compdef warren"), ("fish", "complete -c warren"), ("powershell", "Register-ArgumentCompleter")]
    {
        let (code, out, err) = warren(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains(mark), "{shell}: {out}");
        assert!(out.contains("explore") && out.contains("seed"), "{shell} knows the subcommands and flags");
    }
    let (code, _, _) = warren(&["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn a_man_page() {
    let (code, out, _) = warren(&["man"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(".ie") || out.contains(".TH warren 1"), "{}", &out[..200.min(out.len())]);
    for s in [".SH NAME", ".SH SYNOPSIS", "EXIT STATUS", "check", "explore"] {
        assert!(out.contains(s), "{s} missing from the man page");
    }
}

#[test]
fn json_for_check_and_list() {
    let (code, out, _) = warren(&["list", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON array");
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), warren::scenario::bundled::names().len());
    assert_eq!(items[1]["name"], "work-queues");
    assert!(items[1]["title"]["zh"].as_str().unwrap().contains("工作队列"));

    let (code, out, _) = warren(&["check", "hello", "work-queues", "--json"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON Lines")).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["status"], "pass");
    assert!(lines[1]["items"].as_array().unwrap().iter().all(|i| i["pass"] == true));

    let (code, out, err) = with_stdin(&["check", "-", "--json"], "name: t\nqueues: [ { name: q, durabel: true } ]\n");
    assert_eq!(code, 2);
    assert!(err.is_empty(), "the errors are in the JSON: {err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["status"], "invalid");
    assert_eq!(v["errors"][0]["line"], 2);
    assert_eq!(v["errors"][0]["col"], 22);
    assert_eq!(v["errors"][0]["help"], "did you mean `durable`?");
}

#[test]
fn a_bare_name_that_is_also_a_file_says_which_runs() {
    let d = temp_dir("ambiguous");
    std::fs::write(d.join("hello.yaml"), "name: local-hello\n").unwrap();
    let out = bin().args(["run", "hello"]).current_dir(&d).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0));
    assert!(err.contains("running the bundled scenario `hello`, not ./hello.yaml"), "{err}");
    let out = bin().args(["run", "./hello.yaml"]).current_dir(&d).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("local-hello"));
}

#[test]
fn new_writes_a_scenario_that_checks() {
    let d = temp_dir("new");
    let out = bin().args(["new", "lesson"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(d.join("lesson.yaml")).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema="), "{text}");
    assert!(text.contains("name: lesson"));
    let out = bin().args(["check", "lesson.yaml"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "the template passes its own checks: {}", String::from_utf8_lossy(&out.stdout));
    let out = bin().args(["new", "lesson"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no overwrite without --force");
    let out = bin().args(["new", "my-rpc", "--from", "rpc"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = bin().args(["check", "my-rpc.yaml"]).current_dir(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("my-rpc"));
    let out = bin().args(["new", "x", "--from", "rcp"]).current_dir(&d).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `rpc`?"));
}
