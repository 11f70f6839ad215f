//! The two backends behind one set of repository functions. A value is either SQLite's or
//! PostgreSQL's ([`Backend`]); the `on!` macro runs the same query code
//! against whichever it is, so each function is written once and type-checked for both. SQL is
//! written to run on both (`$1` placeholders, `RETURNING`, `ON CONFLICT`, `TRUE`/`FALSE`) and
//! picked per backend with [`Backend::pick`] only where it must differ (search, JSON).

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

/// One of the two backends' version of a thing.
#[derive(Debug, Clone)]
pub enum Backend<S, P> {
    Sqlite(S),
    Postgres(P),
}

impl<S, P> Backend<S, P> {
    /// What to use on this value's backend.
    pub fn pick<T>(&self, sqlite: T, postgres: T) -> T {
        match self {
            Backend::Sqlite(_) => sqlite,
            Backend::Postgres(_) => postgres,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres(_))
    }
}

/// The read pool (on PostgreSQL, the one pool).
pub type Pool = Backend<SqlitePool, PgPool>;

/// A connection to run statements on, borrowed: from a write transaction or from the pool.
pub type Conn<'a> = Backend<&'a mut SqliteConnection, &'a mut PgConnection>;

/// A connection taken from the pool, returned to it when dropped.
pub type PooledConn = Backend<PoolConnection<Sqlite>, PoolConnection<Postgres>>;

impl Pool {
    /// The executor for `on!`.
    pub fn on(&self) -> Backend<&SqlitePool, &PgPool> {
        match self {
            Backend::Sqlite(p) => Backend::Sqlite(p),
            Backend::Postgres(p) => Backend::Postgres(p),
        }
    }

    pub async fn acquire(&self) -> Result<PooledConn, sqlx::Error> {
        Ok(match self {
            Backend::Sqlite(p) => Backend::Sqlite(p.acquire().await?),
            Backend::Postgres(p) => Backend::Postgres(p.acquire().await?),
        })
    }

    /// The SQLite pool, for what only exists there (tests and benches that read SQLite's own
    /// tables).
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Backend::Sqlite(p) => Some(p),
            Backend::Postgres(_) => None,
        }
    }
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Backend::Sqlite(c) => Backend::Sqlite(&mut **c),
            Backend::Postgres(c) => Backend::Postgres(&mut **c),
        }
    }
}

impl<'a> Conn<'a> {
    /// The SQLite connection, for what only exists there (tests and benches).
    pub fn sqlite(self) -> Option<&'a mut SqliteConnection> {
        match self {
            Backend::Sqlite(c) => Some(c),
            Backend::Postgres(_) => None,
        }
    }
}

impl Conn<'_> {
    /// The executor for `on!`: a reborrow, so one connection runs
    /// several statements.
    pub fn on(&mut self) -> Conn<'_> {
        match self {
            Backend::Sqlite(c) => Backend::Sqlite(&mut **c),
            Backend::Postgres(c) => Backend::Postgres(&mut **c),
        }
    }
}

/// Runs `body` with `c` bound to the backend's executor (a pool or a connection):
/// `on!(pool, |p| sqlx::query("...").fetch_one(p).await)`. It looks like a closure (so rustfmt
/// formats it) but is expanded once per backend, so the body is checked against both.
macro_rules! on {
    ($target:expr, |$c:ident| $body:expr) => {
        match $target.on() {
            $crate::server::db::Backend::Sqlite($c) => $body,
            $crate::server::db::Backend::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;
