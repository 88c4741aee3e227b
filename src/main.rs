//! The `warren` command. Everything it does lives in the library; see `warren --help`.

fn main() {
    std::process::exit(warren::cli::main());
}
