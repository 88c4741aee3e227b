//! `warren list`: the bundled scenarios, name and title (or as JSON).

use crate::scenario::{bundled, Scenario};

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Language of the titles: en or zh.
    #[arg(long, default_value = "en", value_parser = super::parse_lang)]
    pub lang: crate::explain::Lang,
    /// Print a JSON array: name, title and description in English and Chinese, and the
    /// number of expect: items of each.
    #[arg(long)]
    pub json: bool,
}

pub fn main(a: ListArgs) -> i32 {
    let names = bundled::names();
    if a.json {
        let items: Vec<serde_json::Value> = names
            .iter()
            .map(|name| match Scenario::load(name) {
                Ok(s) => serde_json::json!({
                    "name": name,
                    "title": { "en": s.title("en"), "zh": s.title("zh") },
                    "description": { "en": s.description("en"), "zh": s.description("zh") },
                    "expect_items": s.expects.len(),
                }),
                Err(e) => serde_json::json!({ "name": name, "error": e.to_string() }),
            })
            .collect();
        super::out::line(&serde_json::Value::Array(items).to_string());
        return 0;
    }
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    for name in names {
        match Scenario::load(name) {
            Ok(s) => super::out::line(&format!("{name:<width$}  {}", s.title(a.lang.code()))),
            Err(e) => super::out::line(&format!("{name:<width$}  (invalid: {e})")),
        }
    }
    0
}
