//! An environment's `ca_bundle` is checked when it is read, for every path that takes one (check
//! runs, the listing, `purchase watch`): a file that is missing or holds no certificate gets its
//! own message naming the file, before any client is built. (A CERTIFICATE block whose contents
//! are not a certificate passes here and fails at the TLS handshake: the DER is not parsed.)

use la_aws::access::read_ca_bundle;
use la_core::ErrorCode;

fn refused(contents: Option<&[u8]>) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ca.pem");
    if let Some(c) = contents {
        std::fs::write(&path, c).expect("write");
    }
    let e = read_ca_bundle(&path).expect_err("refused");
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
    assert!(
        e.message.contains("ca.pem"),
        "names the file: {}",
        e.message
    );
    e.message
}

#[test]
fn a_bundle_without_a_certificate_is_refused_when_read() {
    assert!(refused(None).contains("Cannot read the CA bundle"));
    assert!(refused(Some(b"")).contains("holds no certificate"));
    // A private key is PEM, but no certificate.
    let key = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBc5ACakXtoXV6EV5ed1OBBwb9o0h5Y0OSUtiKhUyI1P\n-----END PRIVATE KEY-----\n";
    assert!(refused(Some(key)).contains("holds no certificate"));
    // Text that is not PEM at all.
    assert!(refused(Some(b"this is not a certificate\n")).contains("holds no certificate"));
}

#[test]
fn a_ca_certificate_is_read_as_it_is() {
    let (_, ca_pem) = la_testkit::tls::server_config(la_testkit::tls::Leaf::Good);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &ca_pem).expect("write");
    assert_eq!(read_ca_bundle(&path).expect("read"), ca_pem.as_bytes());
}
