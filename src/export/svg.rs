pub fn render(_d: &super::diagram::Diagram) -> String {
    String::new()
}
