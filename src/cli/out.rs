//! Where the CLI's output goes: standard output or a file (`-o PATH`, `-o -` for standard
//! output), and the shell's convention that a closed pipe (`warren list | head -1`) ends the
//! program quietly, never with a panic.

use std::io::{self, Write};

/// Ends the program quietly when standard output was closed by its reader; any other
/// failure to write is reported.
pub fn written(r: io::Result<()>) {
    if let Err(e) = r {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {e}");
        std::process::exit(2);
    }
}

/// Writes `text` to standard output.
pub fn print(text: &str) {
    let mut out = io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|_| out.flush()));
}

/// Writes one line to standard output.
pub fn line(text: &str) {
    let mut out = io::stdout().lock();
    written(writeln!(out, "{text}"));
}

/// Writes `text` to `path`, or to standard output for `None` or `-`. Returns the exit
/// status (2 when the file cannot be written).
pub fn to(path: Option<&str>, text: &str) -> i32 {
    match path {
        None | Some("-") => {
            print(text);
            0
        }
        Some(p) => match std::fs::write(p, text) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: cannot write {p}: {e}");
                2
            }
        },
    }
}

/// The safety net under every subcommand: `println!` panics when the reader of standard
/// output has gone; such a panic ends the program quietly instead (status 0, like the pager
/// quitting), and every other panic is reported as before.
pub fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
