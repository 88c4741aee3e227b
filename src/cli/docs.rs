//! `warren completions SHELL` and `warren man`: shell completions (clap_complete) and the
//! manual page (clap_mangen), both generated from the same definition as `--help`.

use clap::CommandFactory;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  warren completions bash > ~/.local/share/bash-completion/completions/warren\n  \
                        warren completions zsh > ~/.zfunc/_warren\n  warren completions fish > ~/.config/fish/completions/warren.fish")]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write to this file instead of standard output (`-` for standard output).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub output: Option<String>,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  warren man | man -l -\n  warren man -o /usr/local/share/man/man1/warren.1")]
pub struct ManArgs {
    /// Write to this file instead of standard output (`-` for standard output).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub output: Option<String>,
}

pub fn completions(a: CompletionsArgs) -> i32 {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "warren", &mut buf);
    super::out::to(a.output.as_deref(), &String::from_utf8_lossy(&buf))
}

/// The manual page, in roff: clap's sections, then EXIT STATUS and FILES.
pub fn man_page() -> String {
    let cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf).expect("writing to memory cannot fail");
    let mut page = String::from_utf8_lossy(&buf).into_owned();
    page.push_str(".SH \"EXIT STATUS\"\n");
    for (code, what) in super::EXIT_STATUSES {
        page.push_str(&format!(".TP\n\\fB{code}\\fR\n{what}\n"));
    }
    page.push_str(
        ".SH FILES\nA scenario is a YAML file (see docs/scenarios.md), \\fB-\\fR for standard input, or the name of a \
         bundled scenario (\\fBwarren list\\fR). \\fBwarren schema\\fR prints its JSON Schema.\n",
    );
    page
}

pub fn man(a: ManArgs) -> i32 {
    super::out::to(a.output.as_deref(), &man_page())
}
