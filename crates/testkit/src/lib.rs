//! Test support shared by the crates' integration tests (a dev-dependency only): moto's server
//! (`.tools/venv/bin/moto_server`, or `LA_MOTO_SERVER`) on a free loopback port, killed and
//! reaped on drop; and, behind features, a seeded sandbox on a free port (`sandbox`), an SQS
//! queue on moto (`sqs`), a core on a temporary folder (`core`) and test certificates and a
//! TLS-terminating proxy (`tls`).

#[cfg(feature = "core")]
pub mod core;
#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(feature = "sqs")]
pub mod sqs;
#[cfg(feature = "tls")]
pub mod tls;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Moto {
    pub url: String,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_bin() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("LA_MOTO_SERVER") {
        return p.into();
    }
    repo_root().join(".tools/venv/bin/moto_server")
}

/// The folder of the package under test. Read at run time (cargo sets CARGO_MANIFEST_DIR for
/// the tests it runs), never with `env!`: a test binary cargo reuses from a build in another
/// checkout (a worktree, CI's fresh clone sharing the target cache) would keep that checkout's
/// path.
pub fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
    )
}

/// The repository's root: the nearest folder holding Cargo.lock above the package under test
/// (see [`manifest_dir`]).
pub fn repo_root() -> std::path::PathBuf {
    let dir = manifest_dir();
    dir.ancestors()
        .find(|d| d.join("Cargo.lock").exists())
        .unwrap_or(&dir)
        .to_path_buf()
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The project virtualenv's Python (the one moto is installed in).
pub fn venv_python() -> std::path::PathBuf {
    let p = moto_bin().with_file_name("python");
    assert!(p.exists(), "{} missing: run `make deps`", p.display());
    p
}

/// Starts moto and waits until it accepts connections.
pub fn moto() -> Moto {
    let bin = moto_bin();
    assert!(
        bin.exists(),
        "moto_server not found at {}: run `make deps` (it installs moto from PyPI into .tools/venv)",
        bin.display()
    );
    let port = free_port();
    let child = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    Moto::adopt(port, child)
}

impl Moto {
    /// Owns a moto server the caller started on `port` (moto_server, or a fixture script running
    /// it in-process) and waits until it accepts connections. Owned from here on, so it is
    /// killed and reaped whatever happens next.
    pub fn adopt(port: u16, child: Child) -> Moto {
        let moto = Moto {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return moto;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("moto did not start on port {port}");
    }
}

/// User + system CPU seconds a process has used so far (`"self"` or a pid; Linux /proc, whose
/// clock ticks are 100 a second here): the benchmarks compare servers by it.
pub fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Writes `mib` MiB of incompressible-looking bytes (xorshift from `seed`) to `path`, a MiB at a
/// time: evidence files for the export memory test and benchmark.
pub fn write_noise(path: &std::path::Path, mib: usize, seed: u64) {
    use std::io::Write;
    let mut chunk = vec![0u8; 1024 * 1024];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ seed;
    for _ in 0..mib {
        for b in chunk.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        f.write_all(&chunk).expect("write");
    }
    f.flush().expect("flush");
}
