//! Against the WebKitGTK installed here. Its settings object reads GTK's defaults, so GTK needs a
//! display: the test starts a private Xvfb when there is none (the package the end-to-end tests
//! install).
#![cfg(target_os = "linux")]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use webkit2gtk::Settings;

/// A private X server on display `.1`, stopped (and waited for) when dropped; a killed server
/// leaves its lock and socket behind, so they go too.
struct Xvfb(Child, u32);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.1));
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.1));
    }
}

fn display() -> Option<Xvfb> {
    if std::env::var_os("DISPLAY").is_some() {
        return None;
    }
    let n = 300 + std::process::id() % 500;
    let child = Command::new("Xvfb")
        .args([format!(":{n}").as_str(), "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (package xvfb) to give GTK a display");
    let server = Xvfb(child, n);
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::path::Path::new(&socket).exists() {
        assert!(Instant::now() < deadline, "Xvfb :{n} did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::env::set_var("DISPLAY", format!(":{n}"));
    Some(server)
}

/// The feature the desktop turns off exists under this name, is on by default, and turning it
/// off is seen when read back; a name WebKitGTK does not have is reported as missing, not
/// silently accepted.
#[test]
fn a_named_feature_is_found_set_and_read_back() {
    let _x = display();
    gtk::init().expect("GTK starts");
    let settings = Settings::new();
    assert_eq!(
        la_webkit::feature_enabled(&settings, "AsyncOverflowScrolling"),
        Some(true),
        "on by default in this WebKitGTK"
    );
    for on in [false, true] {
        assert!(la_webkit::set_feature(
            &settings,
            "AsyncOverflowScrolling",
            on
        ));
        assert_eq!(
            la_webkit::feature_enabled(&settings, "AsyncOverflowScrolling"),
            Some(on)
        );
    }

    assert!(!la_webkit::set_feature(
        &settings,
        "AsyncOverflowScrollingEnabled",
        false
    ));
    assert_eq!(la_webkit::feature_enabled(&settings, "NoSuchFeature"), None);
}
