//! The page arrives with the first screen's data in it (issue 15).
//!
//! `ui/index.html` holds an empty JSON data block, `<script type="application/json"
//! id="la-boot">`; as Tauri serves that page, [`fill_bootstrap`] writes the `bootstrap` answer
//! into it, and `ui/src/main.tsx` renders the first screen from it in the task that runs the
//! entry script. Asking for the same answer over IPC once the page ran cost a round trip whose
//! answer landed 5–40 ms after the Rust side had it (through the app's main loop, then the
//! web process's, both busy with the first frame), and when it landed after the entry had run
//! the first render waited for WebKit to draw the placeholder first.
//!
//! A data block is not run, so the content security policy has nothing to allow. Anything that
//! goes wrong leaves the block empty; the entry then asks over IPC as before, and shows any
//! error the way every query does.

use la_app::App;
use std::borrow::Cow;
use tauri::http::{header::CONTENT_TYPE, Request, Response};
use tauri::{AppHandle, Manager, Runtime};

/// The empty block as it stands in `ui/index.html` (and in the built page: Tauri's build
/// rewrites the HTML, keeping this element as is — a test below reads the built page).
const EMPTY_BLOCK: &str = r#"<script type="application/json" id="la-boot"></script>"#;

/// A response as `WebviewWindowBuilder::on_web_resource_request` hands it over.
type Served = Response<Cow<'static, [u8]>>;

/// A handler for `WebviewWindowBuilder::on_web_resource_request`: fills the block of the page
/// being served with `bootstrap`'s answer.
pub fn fill_bootstrap<R: Runtime>(
    handle: AppHandle<R>,
) -> impl Fn(Request<Vec<u8>>, &mut Served) + Send + Sync + 'static {
    move |_request, response| {
        let is_html = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        // Only the app's page has the block: any other page costs no store read.
        let Some(at) = is_html.then(|| data_at(response.body())).flatten() else {
            return;
        };
        // The setup hook manages the app before it returns, and pages are served after it.
        let Some(app) = handle.try_state::<App>() else {
            tracing::warn!("page served before the app was open: the UI will ask for its data");
            return;
        };
        let json = match la_app::workspace::bootstrap_now(&app)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::to_string(&b).map_err(|e| e.to_string()))
        {
            Ok(json) => json,
            Err(e) => {
                // The UI then asks with the `bootstrap` command, and its queries show the error.
                tracing::warn!(error = %e, "first screen's data not placed in the page");
                return;
            }
        };
        let filled = with_data(response.body(), at, &json);
        *response.body_mut() = Cow::Owned(filled);
    }
}

/// Where the data goes in `html`: just inside its empty data block; None if the page has no
/// such block (any page but the app's).
fn data_at(html: &[u8]) -> Option<usize> {
    let start = std::str::from_utf8(html).ok()?.find(EMPTY_BLOCK)?;
    Some(start + EMPTY_BLOCK.len() - "</script>".len())
}

/// `html` with `json` written at `at` (from [`data_at`]).
fn with_data(html: &[u8], at: usize, json: &str) -> Vec<u8> {
    [&html[..at], script_data(json).as_bytes(), &html[at..]].concat()
}

/// JSON made safe as the text of a `<script>` element: a `<` inside the data ("</script>" or
/// "<!--" in a workspace's name) would end or change the element, so each becomes `\u003c`,
/// which JSON reads back as the same character. `<` can only occur inside JSON strings.
fn script_data(json: &str) -> String {
    json.replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_empty_block_and_nothing_else() {
        let page = format!("<html><head>{EMPTY_BLOCK}</head><body><script>1</script></body>");
        let at = data_at(page.as_bytes()).expect("the page has the block");
        let filled = with_data(page.as_bytes(), at, r#"{"a":1}"#);
        assert_eq!(
            String::from_utf8(filled).expect("still UTF-8"),
            r#"<html><head><script type="application/json" id="la-boot">{"a":1}</script></head><body><script>1</script></body>"#
        );
        assert!(data_at(b"<html><body>blank</body></html>").is_none());
    }

    #[test]
    fn data_cannot_end_the_element_and_reads_back_the_same() {
        let name = "Acme </script><script>alert(1)</script> <!-- x";
        let json = serde_json::json!({ "name": name }).to_string();
        let data = script_data(&json);
        assert!(!data.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&data).expect("still JSON");
        assert_eq!(back["name"], name);
    }

    /// The built page keeps the block as written: Tauri's build parses and re-serialises the
    /// HTML, and a change there would silently send every start back to the IPC call. (Only
    /// where the UI is embedded: `dev` builds load it from Vite's server.)
    #[cfg(not(dev))]
    #[test]
    fn the_built_page_has_the_empty_block() {
        let ctx: tauri::Context<tauri::Wry> = tauri::generate_context!();
        let page = ctx
            .assets()
            .get(&"index.html".into())
            .expect("ui/dist/index.html is embedded");
        assert!(data_at(&page).is_some());
    }
}
