//! TLS for the sync API: the server's rustls configuration (ring provider, TLS 1.2 and 1.3,
//! HTTP/1.1), and the force CA with the server certificate it signs, made with rcgen for tests
//! and the demo (`liaison-server tls init`).
//!
//! Devices pin the force CA: they trust no other root (see `liaison_core::sync::SyncOptions`),
//! so a certificate from a public CA, or from a CA an attacker installed on the tablet, is
//! refused. The CA's key signs server certificates only; keep it off the server in a real
//! force (the demo keeps it beside the server's files, readable by the owner only).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The files `tls init` writes in its directory.
pub const CA_CERT: &str = "ca.pem";
pub const CA_KEY: &str = "ca.key";
pub const SERVER_CERT: &str = "server.pem";
pub const SERVER_KEY: &str = "server.key";

/// The force CA's name; a reused CA is rebuilt as an issuer under this same name.
const CA_NAME: &str = "Liaison force CA";

/// Why TLS could not be set up. Messages tell the admin which file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error(
        "{path} holds no PEM certificate: give the server certificate (e.g. server.pem from `liaison-server tls init`)"
    )]
    NoCertificate { path: PathBuf },
    #[error(
        "{path} holds no usable private key ({detail}): give the key that matches the certificate (e.g. server.key)"
    )]
    BadKey { path: PathBuf, detail: String },
    #[error("the certificate and key cannot be used together: {0}")]
    Rustls(#[from] rustls::Error),
    #[error(
        "a force CA already exists in {0}: devices pinned to it would refuse a new one. Use --reuse-ca to issue a \
         new server certificate from it, or move it away on purpose"
    )]
    CaExists(PathBuf),
    #[error("no force CA to reuse in {0}: run `liaison-server tls init` without --reuse-ca first")]
    NoCa(PathBuf),
    #[error("at least one --host is needed: the names and addresses devices use to reach the server")]
    NoHosts,
    #[error("the certificate could not be made: {0}")]
    Rcgen(#[from] rcgen::Error),
}

/// The first certificate of a PEM file, as DER: the force CA an enrolment string carries.
pub fn first_certificate_der(path: &Path) -> Result<Vec<u8>, TlsError> {
    let pem = std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.into(),
        source,
    })?;
    CertificateDer::pem_slice_iter(&pem)
        .find_map(Result::ok)
        .map(|c| c.to_vec())
        .ok_or_else(|| TlsError::NoCertificate { path: path.into() })
}

/// The rustls configuration to serve with, from PEM files: the certificate chain (server
/// certificate first) and its private key (PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let read = |p: &Path| std::fs::read(p).map_err(|source| TlsError::Read { path: p.into(), source });
    let cert_pem = read(cert)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err(TlsError::NoCertificate { path: cert.into() });
    }
    let key_der = PrivateKeyDer::from_pem_slice(&read(key)?).map_err(|e| TlsError::BadKey {
        path: key.into(),
        detail: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)?;
    // The API speaks HTTP/1.1 only (axum's http1 feature).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// What `tls init` wrote.
#[derive(Debug, Clone)]
pub struct Issued {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// False when an existing CA was reused.
    pub new_ca: bool,
}

fn ca_params() -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    name.push(DnType::OrganizationName, "Liaison");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(params)
}

/// A date as rcgen's `date_time_ymd` takes it.
type Ymd = (i32, u8, u8);

/// Validity from yesterday (a device clock a little behind still accepts it) for `years`.
fn years_from_now(years: i32) -> (Ymd, Ymd) {
    use chrono::Datelike;
    let now = chrono::Utc::now().date_naive();
    let from = now - chrono::Duration::days(1);
    let to = now.with_year(now.year() + years).unwrap_or(now);
    (
        (from.year(), from.month() as u8, from.day() as u8),
        (to.year(), to.month() as u8, to.day() as u8),
    )
}

/// Writes `data` to a new file; `secret` files are readable by their owner only (0600 from
/// creation, never briefly wider).
fn write_new(path: &Path, data: &[u8], secret: bool, replace: bool) -> Result<(), TlsError> {
    let err = |source| TlsError::Write {
        path: path.into(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if replace {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let _ = secret;
    let mut f = opts.open(path).map_err(err)?;
    #[cfg(unix)]
    if secret {
        // A replaced file keeps its old mode: narrow it.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    f.write_all(data).and_then(|()| f.sync_all()).map_err(err)
}

/// Makes the force CA (unless `reuse_ca`, then reads it) and a server certificate it signs
/// for `hosts` (DNS names or IP addresses). Never replaces an existing CA.
pub fn init(dir: &Path, hosts: &[String], reuse_ca: bool) -> Result<Issued, TlsError> {
    if hosts.is_empty() {
        return Err(TlsError::NoHosts);
    }
    std::fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.into(),
        source,
    })?;
    let ca_cert_path = dir.join(CA_CERT);
    let ca_key_path = dir.join(CA_KEY);
    let (issuer, new_ca) = if reuse_ca {
        let pem = std::fs::read_to_string(&ca_key_path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => TlsError::NoCa(dir.into()),
            _ => TlsError::Read {
                path: ca_key_path.clone(),
                source: e,
            },
        })?;
        if !ca_cert_path.exists() {
            return Err(TlsError::NoCa(dir.into()));
        }
        let key = KeyPair::from_pem(&pem).map_err(|e| TlsError::BadKey {
            path: ca_key_path.clone(),
            detail: e.to_string(),
        })?;
        (Issuer::new(ca_params()?, key), false)
    } else {
        if ca_cert_path.exists() || ca_key_path.exists() {
            return Err(TlsError::CaExists(dir.into()));
        }
        let mut params = ca_params()?;
        let (from, to) = years_from_now(10);
        params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
        params.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        // Key first: a CA certificate without its key on disk would be a CA nobody can use.
        write_new(&ca_key_path, key.serialize_pem().as_bytes(), true, false)?;
        write_new(&ca_cert_path, cert.pem().as_bytes(), false, false)?;
        (Issuer::new(params, key), true)
    };

    let mut params = CertificateParams::new(hosts.to_vec())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, hosts[0].as_str());
    params.distinguished_name = name;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let (from, to) = years_from_now(2);
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    let server_cert = dir.join(SERVER_CERT);
    let server_key = dir.join(SERVER_KEY);
    // The server certificate and key may be replaced (that is what --reuse-ca is for).
    write_new(&server_key, key.serialize_pem().as_bytes(), true, true)?;
    write_new(&server_cert, cert.pem().as_bytes(), false, true)?;
    Ok(Issued {
        ca_cert: ca_cert_path,
        server_cert,
        server_key,
        new_ca,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_a_usable_chain_with_private_keys_and_never_replaces_the_ca() {
        let dir = tempfile::tempdir().unwrap();
        let hosts = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let issued = init(dir.path(), &hosts, false).unwrap();
        assert!(issued.new_ca);
        server_config(&issued.server_cert, &issued.server_key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for f in [CA_KEY, SERVER_KEY] {
                let mode = std::fs::metadata(dir.path().join(f)).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{f}");
            }
        }
        let ca = std::fs::read(&issued.ca_cert).unwrap();
        assert!(matches!(init(dir.path(), &hosts, false), Err(TlsError::CaExists(_))));
        assert_eq!(std::fs::read(&issued.ca_cert).unwrap(), ca, "the CA is untouched");
        let again = init(dir.path(), &hosts, true).unwrap();
        assert!(!again.new_ca);
        assert_eq!(std::fs::read(&issued.ca_cert).unwrap(), ca);
        server_config(&again.server_cert, &again.server_key).unwrap();
    }

    #[test]
    fn a_missing_certificate_or_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("none.pem");
        let err = server_config(&cert, &cert).unwrap_err();
        assert!(err.to_string().contains("none.pem"), "{err}");
        std::fs::write(&cert, "not pem").unwrap();
        let err = server_config(&cert, &cert).unwrap_err();
        assert!(matches!(err, TlsError::NoCertificate { .. }), "{err}");
    }
}
