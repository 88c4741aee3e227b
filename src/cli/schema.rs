//! `warren schema`: the JSON Schema of the scenario format, for editors (completion and
//! hover in VS Code, Neovim and others through yaml-language-server).

#[derive(clap::Args, Debug)]
#[command(after_help = "Put the schema where your editor finds it, then start a scenario with\n  \
                        # yaml-language-server: $schema=./warren.schema.json\n\n\
                        Examples:\n  warren schema -o warren.schema.json")]
pub struct SchemaArgs {
    /// Write to this file instead of standard output (`-` for standard output).
    #[arg(short = 'o', long = "output", visible_alias = "out", value_name = "PATH")]
    pub output: Option<String>,
}

pub fn main(a: SchemaArgs) -> i32 {
    let mut text = crate::scenario::schema::json_schema_text();
    text.push('\n');
    super::out::to(a.output.as_deref(), &text)
}
