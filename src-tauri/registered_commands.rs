// Shared by build.rs and tests/capabilities.rs (through `include!`), so the permissions the build
// generates and the ones the test expects come from one reading of src/lib.rs.

/// The command names in the list of `macro_rules! with_commands` (`$($make)+![ a::b, c, ]`; the
/// last path segment of each): the one list both the invoke handler and the bindings expand.
fn registered_commands(lib: &str) -> Vec<String> {
    let Some(start) = lib.find("macro_rules! with_commands") else {
        return Vec::new();
    };
    let body = &lib[start..];
    let Some(open) = body.find("![") else {
        return Vec::new();
    };
    let body = &body[open + "![".len()..];
    let body = &body[..body.find(']').unwrap_or(body.len())];
    body.split(',')
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && !s.starts_with("//"))
        .map(|s| s.rsplit("::").next().unwrap_or(s).trim().to_string())
        .collect()
}
