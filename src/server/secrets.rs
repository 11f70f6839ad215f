//! Secrets at rest: the LLM API key, webhook signing secrets and the WhatsApp tokens are stored
//! sealed (XChaCha20-Poly1305) with a key that is not in the database: `LIAISON_SECRET_KEY`
//! (64 hex digits), or else `secret.key` in the data directory, made on first start and
//! readable by its owner only. A copy of the database alone does not give the secrets away.
//!
//! Sealed values read `sealed:v1:<hex of nonce and ciphertext>`; a value without the prefix is
//! one stored before sealing existed, read as it is and sealed at the next start
//! (`reseal_stored`).

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;

const PREFIX: &str = "sealed:v1:";
const KEY_FILE: &str = "secret.key";

pub struct Secrets {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("LIAISON_SECRET_KEY must be 64 hexadecimal digits (32 bytes)")]
    BadKey,
    #[error("the secret key file {0}: {1}")]
    File(String, std::io::Error),
    #[error(
        "the secret key ({0}) is not the one this database's secrets were sealed with; \
         use the same LIAISON_SECRET_KEY (or secret.key) as the other instances"
    )]
    WrongKey(&'static str),
}

/// A stored value that cannot be opened with this key.
#[derive(Debug, thiserror::Error)]
#[error("a stored secret could not be opened with this server's key")]
pub struct Unopenable;

impl Secrets {
    fn from_key(key: &[u8; 32]) -> Secrets {
        Secrets {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// A key for this process only (databases opened outside the server: tests, benches).
    pub fn ephemeral() -> Secrets {
        Secrets::from_key(&XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    /// The server's key: from the environment, else the data directory's key file (made now
    /// when there is none). Says where it came from, for messages.
    pub fn load(
        data_dir: &Path,
        from_env: Option<&str>,
    ) -> Result<(Secrets, &'static str), SecretsError> {
        if let Some(hex_key) = from_env {
            return Ok((
                Secrets::from_key(&parse_key(hex_key)?),
                "LIAISON_SECRET_KEY",
            ));
        }
        let path = data_dir.join(KEY_FILE);
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok((Secrets::from_key(&parse_key(&text)?), "secret.key")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = XChaCha20Poly1305::generate_key(&mut OsRng).into();
                write_private(&path, &hex::encode(key))
                    .map_err(|e| SecretsError::File(shown, e))?;
                Ok((Secrets::from_key(&key), "secret.key"))
            }
            Err(e) => Err(SecretsError::File(shown, e)),
        }
    }

    /// `plain` sealed for storing; empty stays empty (nothing to hide, and "not set" reads).
    pub fn seal(&self, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("sealing a string cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", hex::encode(bytes))
    }

    /// A stored value opened; one stored before sealing existed is returned as it is.
    pub fn open(&self, stored: &str) -> Result<String, Unopenable> {
        let Some(hex_text) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let bytes = hex::decode(hex_text).map_err(|_| Unopenable)?;
        if bytes.len() < 24 {
            return Err(Unopenable);
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| Unopenable)?;
        String::from_utf8(plain).map_err(|_| Unopenable)
    }

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

fn parse_key(text: &str) -> Result<[u8; 32], SecretsError> {
    let bytes = hex::decode(text.trim()).map_err(|_| SecretsError::BadKey)?;
    bytes.try_into().map_err(|_| SecretsError::BadKey)
}

/// Writes a new file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_only() {
        let s = Secrets::ephemeral();
        let sealed = s.seal("sk-live-123");
        assert!(Secrets::is_sealed(&sealed));
        assert!(!sealed.contains("sk-live"));
        assert_ne!(sealed, s.seal("sk-live-123"), "a fresh nonce each time");
        assert_eq!(s.open(&sealed).unwrap(), "sk-live-123");
        assert!(Secrets::ephemeral().open(&sealed).is_err());
        // Tampering is detected.
        let mut bad = sealed.clone();
        bad.replace_range(bad.len() - 2.., "00");
        assert!(s.open(&bad).is_err() || bad == sealed);
        // Values from before sealing read as they are; empty stays empty.
        assert_eq!(s.open("plain-old").unwrap(), "plain-old");
        assert_eq!(s.seal(""), "");
    }

    #[test]
    fn the_key_file_is_made_once_and_private() {
        let dir = std::env::temp_dir().join(format!("liaison-secrets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (first, _) = Secrets::load(&dir, None).unwrap();
        let sealed = first.seal("whsec");
        let (again, from) = Secrets::load(&dir, None).unwrap();
        assert_eq!(from, "secret.key");
        assert_eq!(again.open(&sealed).unwrap(), "whsec");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        assert!(matches!(
            Secrets::load(&dir, Some("abc")),
            Err(SecretsError::BadKey)
        ));
        let (env, from) = Secrets::load(&dir, Some(&"ab".repeat(32))).unwrap();
        assert_eq!(from, "LIAISON_SECRET_KEY");
        assert!(env.open(&sealed).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Where the key check lives in settings: a known word sealed with the key in use.
const CHECK_KEY: &str = "secrets_check";
const CHECK_WORD: &str = "liaison";

/// At start: refuses a key that is not the one the database's secrets were sealed with (two
/// instances with different keys would each fail to read the other's), then seals what was
/// stored before sealing existed.
pub async fn prepare(db: &Db, from: &'static str) -> Result<(), PrepareError> {
    let check: Option<String> = db::settings::get(&db.read, CHECK_KEY).await?;
    match check {
        Some(sealed) if db.secrets().open(&sealed).ok().as_deref() == Some(CHECK_WORD) => {}
        Some(_) => return Err(SecretsError::WrongKey(from).into()),
        None => {
            let mut tx = db.write().await?;
            db::settings::put(tx.conn(), CHECK_KEY, &db.secrets().seal(CHECK_WORD), None).await?;
            tx.commit().await?;
        }
    }
    reseal_stored(db).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("{0}")]
    Key(#[from] SecretsError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

use crate::server::db::{self, Db};

/// Seals the secrets stored in plain text by a version from before sealing: the LLM key, the
/// WhatsApp tokens, the webhooks' signing secrets. Nothing to do the next time.
async fn reseal_stored(db: &Db) -> Result<(), sqlx::Error> {
    use crate::server::ai::llm::AgentSettings;
    let s = db.secrets();
    let mut tx = db.write().await?;
    if let Some(mut agent) = db::settings::get::<AgentSettings>(&db.read, "agent").await?
        && let Some(llm) = agent.llm.as_mut()
        && !llm.api_key.is_empty()
        && !Secrets::is_sealed(&llm.api_key)
    {
        llm.api_key = s.seal(&llm.api_key);
        db::settings::put(tx.conn(), "agent", &agent, None).await?;
    }
    let whatsapp_key = crate::app::connectors::WHATSAPP_KEY;
    if let Some(w) =
        db::settings::get::<liaison_protocol::whatsapp::WhatsappSettings>(&db.read, whatsapp_key)
            .await?
        && [&w.access_token, &w.app_secret, &w.verify_token]
            .iter()
            .any(|v| !v.is_empty() && !Secrets::is_sealed(v))
    {
        db::settings::put(tx.conn(), whatsapp_key, &seal_whatsapp(s, w), None).await?;
    }
    for hook in db::webhooks::all(&db.read).await? {
        if !Secrets::is_sealed(&hook.secret) {
            db::webhooks::set_secret(tx.conn(), hook.id, &s.seal(&hook.secret)).await?;
        }
    }
    tx.commit().await
}

/// The WhatsApp settings as stored: tokens sealed (already sealed ones stay as they are).
pub fn seal_whatsapp(
    s: &Secrets,
    mut w: liaison_protocol::whatsapp::WhatsappSettings,
) -> liaison_protocol::whatsapp::WhatsappSettings {
    for v in [&mut w.access_token, &mut w.app_secret, &mut w.verify_token] {
        if !Secrets::is_sealed(v) {
            *v = s.seal(v);
        }
    }
    w
}

/// The WhatsApp settings as used: tokens opened (one that cannot be opened reads as not set).
pub fn open_whatsapp(
    s: &Secrets,
    mut w: liaison_protocol::whatsapp::WhatsappSettings,
) -> liaison_protocol::whatsapp::WhatsappSettings {
    for v in [&mut w.access_token, &mut w.app_secret, &mut w.verify_token] {
        *v = s.open(v).unwrap_or_else(|e| {
            tracing::error!("WhatsApp settings: {e}");
            String::new()
        });
    }
    w
}
