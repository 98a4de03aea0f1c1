//! Which environments point at the sandbox's demo SaaS: the backend says so on each environment
//! (`EnvironmentView::demo_saas`), so the UI offers "send a metering record" only there.

use la_core::demo::{is_demo_saas, repoint, settings};
use la_core::model::*;
use la_core::secrets::{Backend, Secrets};
use la_core::service::{Core, NoEvents};
use std::sync::Arc;

#[test]
fn the_demo_environments_use_the_demo_saas_and_keep_it_when_repointed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Core::open(
        dir.path(),
        Secrets::new("io.listingassistant.test", Backend::Mock),
        Arc::new(NoEvents),
    )
    .expect("open core");
    let demo = c.list_workspaces().expect("list")[0].workspace.id.clone();
    let views = c.workspace_detail(&demo).expect("detail").environments;
    assert!(views.iter().all(|e| e.demo_saas), "{views:?}");
    // The sandbox came up on another port: the environments follow it and still qualify.
    assert_eq!(repoint(&c, "http://127.0.0.1:40123").expect("repoint"), 2);
    let views = c.workspace_detail(&demo).expect("detail").environments;
    assert!(views.iter().all(|e| e.demo_saas
        && e.settings
            .fulfillment_url
            .starts_with("http://127.0.0.1:40123/_demo-saas/")));
    // A new workspace's empty environments do not.
    let ws = c.create_workspace("Acme", "").expect("create");
    let views = c.workspace_detail(&ws.id).expect("detail").environments;
    assert!(views.iter().all(|e| !e.demo_saas));
}

#[test]
fn only_the_sandbox_s_own_demo_landing_page_counts() {
    let demo = settings(EnvKind::Staging);
    assert!(is_demo_saas(&demo));
    let with = |f: &dyn Fn(&mut EnvironmentSettings)| {
        let mut s = demo.clone();
        f(&mut s);
        is_demo_saas(&s)
    };
    // A trailing slash on the endpoint is the same sandbox.
    assert!(with(&|s| s.endpoint_url.push('/')));
    // Real AWS never has a demo SaaS, even with a URL that looks like one.
    assert!(!with(&|s| s.mode = EnvMode::Real));
    // The seller's own SaaS, a demo path on another host, and the demo EULA are not it.
    assert!(!with(
        &|s| s.fulfillment_url = "https://app.example.com/marketplace/register".into()
    ));
    assert!(!with(&|s| {
        s.fulfillment_url =
            "https://evil.example.com/_demo-saas/staging/marketplace/register".into()
    }));
    assert!(!with(&|s| s.fulfillment_url = s.eula_url.clone()));
    assert!(!with(&|s| s.endpoint_url.clear()));
}
