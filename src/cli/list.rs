//! `warren list`: the bundled scenarios, name and title.

use crate::scenario::{bundled, Scenario};

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Language of the titles: en or zh.
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    pub lang: crate::explain::Lang,
}

pub fn main(a: ListArgs) -> i32 {
    let names = bundled::names();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    for name in names {
        match Scenario::load(name) {
            Ok(s) => println!("{name:<width$}  {}", s.title(a.lang.code())),
            Err(e) => println!("{name:<width$}  (invalid: {e})"),
        }
    }
    0
}
