//! TLS for tests: a fresh test CA and a leaf certificate of the kind asked for (good, self-signed,
//! expired, wrong name), a rustls server configuration serving it, and a TLS-terminating proxy
//! that puts https in front of a plain-http server (the sandbox, moto), as a seller's reverse
//! proxy or an emulator behind TLS would.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use std::sync::Arc;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// What certificate a server presents.
#[derive(Clone, Copy, Debug)]
pub enum Leaf {
    /// For 127.0.0.1 and localhost, signed by the test CA, valid now.
    Good,
    /// For 127.0.0.1, self-signed (no CA vouches for it).
    SelfSigned,
    /// For 127.0.0.1, signed by the test CA, expired in 2021.
    Expired,
    /// Signed by the test CA, valid now, but for another name only.
    WrongName,
}

/// A fresh test CA (its PEM) and a rustls server configuration presenting a leaf of `kind`.
pub fn server_config(kind: Leaf) -> (rustls::ServerConfig, String) {
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Listing Assistant test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let names = match kind {
        Leaf::WrongName => vec!["registration.example.com".to_string()],
        _ => vec!["localhost".to_string()],
    };
    let mut params = CertificateParams::new(names).expect("leaf params");
    if !matches!(kind, Leaf::WrongName) {
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().expect("ip")));
    }
    if matches!(kind, Leaf::Expired) {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let leaf = match kind {
        Leaf::SelfSigned => params.self_signed(&leaf_key).expect("self-signed"),
        _ => params.signed_by(&leaf_key, &issuer).expect("leaf cert"),
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .expect("tls config");
    (config, ca_cert.pem())
}

/// A TLS-terminating proxy on a loopback port in front of `upstream` (`host:port`), running on
/// its own thread for the rest of the test process. Bytes pass through unchanged, so the Host
/// header (and a SigV4 signature over it) names the proxy: the upstream must accept any host
/// (the sandbox's `--allow-remote`).
pub struct TlsProxy {
    /// `https://127.0.0.1:PORT`
    pub url: String,
    /// The test CA that signed the proxy's certificate, PEM.
    pub ca_pem: String,
}

pub fn tls_proxy(upstream: &str) -> TlsProxy {
    let (config, ca_pem) = server_config(Leaf::Good);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let upstream = upstream.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((tcp, _)) = l.accept().await {
                let acceptor = acceptor.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut up) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                });
            }
        });
    });
    TlsProxy {
        url: format!("https://127.0.0.1:{port}"),
        ca_pem,
    }
}
