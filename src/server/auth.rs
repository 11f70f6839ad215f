//! Operators' authentication: argon2 password hashes, a server-side session (tower-sessions,
//! stored in SQLite), and the one check every dashboard server function and route goes through.

use crate::server::db::{self, Db};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use liaison_protocol::Role;
use rand::Rng;
use tower_sessions::Session;

/// The session key holding the signed-in operator's id.
pub const SESSION_OPERATOR: &str = "operator_id";
/// The session key holding the key of the operator's row in `operator_sessions`: the session is
/// signed in only while that row exists (ending a session from the Profile page deletes it).
const SESSION_KEY: &str = "session_key";

/// A session unused this long is over (the cookie's expiry and the listed sessions agree).
pub const IDLE_SECS: i64 = 7 * 24 * 3600;

/// The oldest "last seen" of a session still signed in at `now` (ms).
pub fn idle_cutoff(now: i64) -> i64 {
    now - IDLE_SECS * 1000
}
/// How often a session's "last seen" is written: not on every request.
const SEEN_EVERY_MS: i64 = 5 * 60 * 1000;
/// How much of a browser's user agent a session keeps.
const USER_AGENT_CHARS: usize = 300;

/// Where a sign-in came from, as the sessions list shows it.
#[derive(Debug, Clone, Copy)]
pub struct Device<'a> {
    pub user_agent: &'a str,
    pub address: &'a str,
}

/// Signing in or out could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session store: {0}")]
    Store(#[from] tower_sessions::session::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The signed-in session this operator was found through (`operator_sessions.id`); None
    /// when found by password or id.
    pub session: Option<i64>,
}

fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs `work` (argon2: tens of milliseconds of CPU and ~19 MiB each) on the blocking pool, on
/// at most half the cores at a time (at least one). A burst of sign-ins then waits here,
/// instead of occupying the async workers that serve every stream, page and widget call, and
/// leaves them half the machine (`cargo xtask bench`: the widget API during a sign-in flood).
async fn on_hashing_pool<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    static PERMITS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new((cores / 2).max(1))
    });
    let _permit = PERMITS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(work)
        .await
        .expect("password hashing does not panic")
}

/// An argon2 hash of `password`, to store.
pub async fn hash_password(password: &str) -> String {
    let password = password.to_string();
    on_hashing_pool(move || hash_now(&password)).await
}

/// Whether `password` is the one `hash` was made from.
pub async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    on_hashing_pool(move || verify_now(&password, &hash)).await
}

/// A password people can type: 16 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Checks an email and password. The same answer for an unknown email and a wrong password.
pub async fn authenticate(
    db: &Db,
    email: &str,
    password: &str,
) -> Result<Option<Operator>, sqlx::Error> {
    let Some(user) = db::users::find_by_email(&db.read, email.trim()).await? else {
        // Spend the same time as a real check so timing does not reveal which emails exist.
        let _ = verify_password(password, &DUMMY_HASH).await;
        return Ok(None);
    };
    if !verify_password(password, &user.password_hash).await {
        return Ok(None);
    }
    Ok(Some(Operator::from(user)))
}

impl From<db::users::UserRow> for Operator {
    /// The operator as their row stands.
    fn from(u: db::users::UserRow) -> Operator {
        Operator {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            session: None,
        }
    }
}

/// An active operator by id, as the server just wrote them (after a new password: no second
/// password check needed to sign them in).
pub async fn operator_by_id(db: &Db, id: i64) -> Result<Option<Operator>, sqlx::Error> {
    Ok(db::users::find(&db.read, id).await?.map(Operator::from))
}

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_now("no such operator"));

/// The operator signed in on this session, if any: their session row exists and was seen
/// within [`IDLE_SECS`], and they are active (a new password or a deactivation deletes the rows).
pub async fn session_operator(db: &Db, session: &Session) -> Result<Option<Operator>, sqlx::Error> {
    let Ok(Some(id)) = session.get::<i64>(SESSION_OPERATOR).await else {
        return Ok(None);
    };
    let Ok(Some(key)) = session.get::<String>(SESSION_KEY).await else {
        return Ok(None);
    };
    let now = crate::server::now_ms();
    let Some(found) = db::operator_sessions::signed_in(&db.read, &key, idle_cutoff(now)).await?
    else {
        return Ok(None);
    };
    let op = Operator {
        session: Some(found.session),
        ..Operator::from(found.user)
    };
    if op.id != id {
        return Ok(None);
    }
    if now - found.last_seen_at >= SEEN_EVERY_MS {
        let (db, row) = (db.clone(), found.session);
        tokio::spawn(async move {
            let seen = async {
                let mut tx = db.write().await?;
                db::operator_sessions::seen(tx.conn(), row, now).await?;
                tx.commit().await
            };
            if let Err(e) = seen.await {
                tracing::warn!("marking a session seen failed: {e}");
            }
        });
    }
    Ok(Some(op))
}

/// Signs `operator` in on `session` from `device`: a fresh session id (so a planted id is
/// worthless) and a new row in the sessions list. A sign-in already on this session ends.
pub async fn sign_in(
    db: &Db,
    session: &Session,
    operator: &Operator,
    device: Device<'_>,
) -> Result<(), SessionError> {
    let earlier = session.get::<String>(SESSION_KEY).await.ok().flatten();
    session.cycle_id().await?;
    let key = hex::encode(rand::random::<[u8; 32]>());
    let user_agent: String = device.user_agent.chars().take(USER_AGENT_CHARS).collect();
    let mut tx = db.write().await?;
    if let Some(earlier) = earlier {
        db::operator_sessions::end_key(tx.conn(), &earlier).await?;
    }
    db::operator_sessions::insert(
        tx.conn(),
        &key,
        operator.id,
        &user_agent,
        device.address,
        crate::server::now_ms(),
    )
    .await?;
    tx.commit().await?;
    session.insert(SESSION_OPERATOR, operator.id).await?;
    session.insert(SESSION_KEY, key).await?;
    Ok(())
}

/// Signs out: the session's row goes, then the session itself.
pub async fn sign_out(db: &Db, session: &Session) -> Result<(), SessionError> {
    if let Ok(Some(key)) = session.get::<String>(SESSION_KEY).await {
        let mut tx = db.write().await?;
        db::operator_sessions::end_key(tx.conn(), &key).await?;
        tx.commit().await?;
    }
    session.flush().await?;
    Ok(())
}

/// What start-up found or did about the owner.
#[derive(Debug, PartialEq, Eq)]
pub enum OwnerAtStart {
    /// Operators exist already: nothing done, nothing to say.
    Existing,
    /// The owner was created now, with the password from the environment or, when there was
    /// none, this generated one (to be shown once).
    Created { generated: Option<String> },
}

/// Creates the owner on first start when no user exists.
pub async fn ensure_owner(
    db: &Db,
    email: &str,
    password: Option<&str>,
) -> Result<OwnerAtStart, sqlx::Error> {
    if db::users::count(&db.read).await? > 0 {
        return Ok(OwnerAtStart::Existing);
    }
    let generated = password.is_none().then(generate_password);
    let password = password
        .or(generated.as_deref())
        .expect("one of them is set");
    let mut tx = db.write().await?;
    db::users::insert(
        tx.conn(),
        email,
        "Owner",
        &hash_password(password).await,
        Role::Owner,
    )
    .await?;
    tx.commit().await?;
    Ok(OwnerAtStart::Created { generated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify() {
        let h = hash_password("correct horse").await;
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("correct horse", &h).await);
        assert!(!verify_password("wrong horse", &h).await);
        assert!(!verify_password("x", "not a hash").await);
    }

    #[test]
    fn generated_passwords_differ() {
        let a = generate_password();
        assert_eq!(a.len(), 16);
        assert_ne!(a, generate_password());
    }
}
