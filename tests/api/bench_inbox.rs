//! Figures for `cargo xtask bench` (ignored by `cargo test`; it prints, it never asserts times):
//! the inbox at 1,000,000 conversations and 10,000,000 messages, through the real query
//! functions and over HTTP from the running server.

use crate::common::*;
use leptos::server_fn::ServerFn;
use liaison::app::analytics::AnalyticsFigures;
use liaison::app::conversations::api::ListConversations;
use liaison::app::overview::CurrentOverview;
use liaison::server::db::conversations::{self, PageAt};
use liaison::server::db::{self, Db, search};
use liaison::server::realtime::Bus;
use liaison_protocol::analytics::{AnalyticsQuery, Period};
use liaison_protocol::{Channel, Filter, Tab};
use std::time::{Duration, Instant};

const CONVERSATIONS: i64 = 1_000_000;
const MESSAGES_PER_CONVERSATION: i64 = 10;
const BATCH: i64 = 100_000;
/// What the messages talk about.
const WORDS: &str = "order invoice delivery refund account password shipping warranty kettle \
    toaster battery charger subscription discount voucher store opening return exchange size \
    colour payment card bank transfer tracking parcel courier customs address email phone \
    support manual repair spare part cable screen keyboard hello thanks please help broken late \
    missing wrong damaged cancel change upgrade login reset code trial plan price";

/// What the Overview's triggers keep (migration 0028), written in one go after a fill that
/// bypassed them: the same statements on both backends.
const ROLLUPS: [&str; 7] = [
    "DELETE FROM activity_daily",
    "INSERT INTO activity_daily (day, sessions, agent_requests, ratings, rating_sum)
     SELECT created_at / 86400000, COUNT(*), SUM(CASE WHEN agent_requested THEN 1 ELSE 0 END),
        COUNT(rating), COALESCE(SUM(rating), 0)
     FROM conversations GROUP BY created_at / 86400000",
    "INSERT INTO activity_daily (day, resolved)
     SELECT COALESCE(resolved_at, last_activity_at) / 86400000, COUNT(*)
     FROM conversations WHERE status = 'resolved' GROUP BY 1
     ON CONFLICT (day) DO UPDATE SET resolved = excluded.resolved",
    "INSERT INTO activity_daily (day, messages)
     SELECT created_at / 86400000, COUNT(*)
     FROM messages WHERE sender IN ('ai', 'agent') AND NOT internal GROUP BY 1
     ON CONFLICT (day) DO UPDATE SET messages = excluded.messages",
    "INSERT INTO activity_daily (day, bookings)
     SELECT created_at / 86400000, COUNT(*) FROM conversations WHERE booked GROUP BY 1
     ON CONFLICT (day) DO UPDATE SET bookings = excluded.bookings",
    "DELETE FROM open_queue",
    "INSERT INTO open_queue (channel, n)
     SELECT channel, COUNT(*) FROM conversations
     WHERE status = 'open' AND assignee_id IS NULL GROUP BY channel",
];

/// What the Analytics triggers keep (migration 0032), after giving the conversations response
/// times, hand-over reasons and knowledge gaps: the same statements on both backends. The
/// operators (ids 1 to 3) are made by [`team`] first.
const ANALYTICS_ROLLUPS: [&str; 16] = [
    "UPDATE conversations SET first_response_at = created_at + 2000 + (id % 9) * 1000,
        handover_reason = CASE id % 10 WHEN 0 THEN 'asked_for_human' WHEN 4 THEN 'out_of_scope'
            WHEN 7 THEN 'frustrated' WHEN 9 THEN 'manual' END,
        agent_requested_at = CASE WHEN id % 10 IN (0, 4, 7, 9) THEN created_at + 3000 END,
        first_human_reply_at = CASE WHEN id % 10 IN (0, 4, 7, 9)
            THEN created_at + 3000 + (id % 13) * 20000 END,
        first_human_reply_by = CASE WHEN id % 10 IN (0, 4, 7, 9) THEN 1 + id % 3 END",
    "INSERT INTO knowledge_gaps (conversation_id, question, reason, created_at)
     SELECT id, 'How do I return item ' || (id % 500) || '?', 'out_of_scope', created_at + 1000
     FROM conversations WHERE id % 50 = 0",
    "DELETE FROM analytics_daily",
    "DELETE FROM analytics_hourly",
    "DELETE FROM operator_daily",
    "DELETE FROM durations_daily",
    "INSERT INTO analytics_daily (day, channel, sessions)
     SELECT created_at / 86400000, channel, COUNT(*) FROM conversations GROUP BY 1, 2",
    "INSERT INTO analytics_daily (day, channel, resolved, ai_resolved)
     SELECT resolved_at / 86400000, channel, COUNT(*),
        SUM(CASE WHEN resolved_by IS NULL AND first_human_reply_at IS NULL THEN 1 ELSE 0 END)
     FROM conversations WHERE status = 'resolved' GROUP BY 1, 2
     ON CONFLICT (day, channel) DO UPDATE SET resolved = excluded.resolved,
        ai_resolved = excluded.ai_resolved",
    "INSERT INTO analytics_daily (day, channel, asked_for_human, out_of_scope, frustrated, manual)
     SELECT agent_requested_at / 86400000, channel,
        SUM(CASE WHEN handover_reason = 'asked_for_human' THEN 1 ELSE 0 END),
        SUM(CASE WHEN handover_reason = 'out_of_scope' THEN 1 ELSE 0 END),
        SUM(CASE WHEN handover_reason = 'frustrated' THEN 1 ELSE 0 END),
        SUM(CASE WHEN handover_reason = 'manual' THEN 1 ELSE 0 END)
     FROM conversations WHERE handover_reason IS NOT NULL GROUP BY 1, 2
     ON CONFLICT (day, channel) DO UPDATE SET asked_for_human = excluded.asked_for_human,
        out_of_scope = excluded.out_of_scope, frustrated = excluded.frustrated,
        manual = excluded.manual",
    "INSERT INTO analytics_hourly (hour, channel, sessions)
     SELECT created_at / 3600000, channel, COUNT(*) FROM conversations GROUP BY 1, 2",
    "INSERT INTO operator_daily (operator_id, day, channel, conversations)
     SELECT first_human_reply_by, first_human_reply_at / 86400000, channel, COUNT(*)
     FROM conversations WHERE first_human_reply_by IS NOT NULL GROUP BY 1, 2, 3",
    "INSERT INTO operator_daily (operator_id, day, channel, ratings, rating_sum)
     SELECT first_human_reply_by, resolved_at / 86400000, channel, COUNT(*), SUM(rating)
     FROM conversations WHERE first_human_reply_by IS NOT NULL AND rating IS NOT NULL
        AND resolved_at IS NOT NULL GROUP BY 1, 2, 3
     ON CONFLICT (day, channel, operator_id) DO UPDATE SET ratings = excluded.ratings,
        rating_sum = excluded.rating_sum",
    "INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
     SELECT 'first_response', 0, day, channel, bucket, COUNT(*) FROM (
        SELECT first_response_at / 86400000 AS day, channel, (SELECT MIN(bucket)
            FROM duration_buckets WHERE below_ms > first_response_at - created_at) AS bucket
        FROM conversations WHERE first_response_at IS NOT NULL) t
     GROUP BY day, channel, bucket",
    "INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
     SELECT 'human_response', 0, day, channel, bucket, COUNT(*) FROM (
        SELECT first_human_reply_at / 86400000 AS day, channel, (SELECT MIN(bucket)
            FROM duration_buckets WHERE below_ms > first_human_reply_at - agent_requested_at) AS bucket
        FROM conversations WHERE first_human_reply_at IS NOT NULL) t
     GROUP BY day, channel, bucket",
    "INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
     SELECT 'human_response', operator_id, day, channel, bucket, COUNT(*) FROM (
        SELECT first_human_reply_by AS operator_id, first_human_reply_at / 86400000 AS day,
            channel, (SELECT MIN(bucket) FROM duration_buckets
                WHERE below_ms > first_human_reply_at - agent_requested_at) AS bucket
        FROM conversations WHERE first_human_reply_at IS NOT NULL) t
     GROUP BY operator_id, day, channel, bucket",
    "INSERT INTO durations_daily (metric, operator_id, day, channel, bucket, n)
     SELECT 'resolution', 0, day, channel, bucket, COUNT(*) FROM (
        SELECT resolved_at / 86400000 AS day, channel, (SELECT MIN(bucket)
            FROM duration_buckets WHERE below_ms > resolved_at - created_at) AS bucket
        FROM conversations WHERE status = 'resolved' AND resolved_at IS NOT NULL) t
     GROUP BY day, channel, bucket",
];

/// The Owner the server signs in as (made before it starts, with the tests' password) and two
/// Agents: ids 1 to 3, who answer the conversations in the bench's data.
async fn team(db: &Db) {
    liaison::server::auth::ensure_owner(db, OWNER_EMAIL, Some(PASSWORD))
        .await
        .unwrap();
    add_agents_to(db, 2).await;
}

async fn time<T, F: std::future::Future<Output = T>>(n: usize, f: impl Fn(usize) -> F) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        std::hint::black_box(f(i).await);
        out.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    out
}

/// 1,000,000 conversations of 700,000 visitors, 10,000,000 messages, by direct SQL in batches.
/// The FTS trigger is set aside during the load and the index rebuilt once after it.
async fn fill_sqlite(db: &Db) {
    let started = Instant::now();
    let w = |sql: &'static str| async move {
        let mut tx = db.write().await.unwrap();
        sqlx::query(sql)
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    };
    w("CREATE TABLE bench_words (id INTEGER PRIMARY KEY, w TEXT NOT NULL)").await;
    let words = WORDS;
    let mut tx = db.write().await.unwrap();
    for (i, word) in words.split_whitespace().enumerate() {
        sqlx::query("INSERT INTO bench_words (id, w) VALUES (?, ?)")
            .bind(i as i64)
            .bind(word)
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let n_words = words.split_whitespace().count() as i64;
    // The message triggers (full-text index, the conversation's counters) are off while filling:
    // the index is rebuilt at the end and the counters are written directly.
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages'
            AND sql LIKE '%AFTER INSERT%'",
    )
    .fetch_all(db.read.sqlite().unwrap())
    .await
    .unwrap();
    for (name, _) in &triggers {
        let mut tx = db.write().await.unwrap();
        sqlx::query(&format!("DROP TRIGGER {name}"))
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let visitors = CONVERSATIONS * 7 / 10;
    for start in (0..visitors).step_by(BATCH as usize) {
        let mut tx = db.write().await.unwrap();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
             INSERT INTO visitors (id, token_hash, browser, name, email, created_at, last_seen_at)
             SELECT i, 'bench-' || i, 'Mozilla/5.0 Chrome/126',
                CASE WHEN i % 5 = 0 THEN 'Customer ' || i END,
                CASE WHEN i % 5 = 0 THEN 'customer' || i || '@example.com' END,
                1700000000000 + i, 1700000000000 + i FROM n",
        )
        .bind(start + 1)
        .bind((start + BATCH).min(visitors))
        .execute(tx.conn().sqlite().unwrap())
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    for start in (0..CONVERSATIONS).step_by(BATCH as usize) {
        let mut tx = db.write().await.unwrap();
        // Mostly resolved, some open, needs agent and delegated; a fifth on WhatsApp; a few
        // booked and rated. Ten minutes apart in creation order.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
             INSERT INTO conversations (id, visitor_id, channel, status, message_count,
                last_message, created_at, last_activity_at, resolved_at, booked, rating)
             SELECT i, 1 + (i * 7) % ?3,
                CASE WHEN i % 5 = 0 THEN 'whatsapp' ELSE 'widget' END,
                CASE WHEN i % 20 = 0 THEN 'needs_agent' WHEN i % 20 = 1 THEN 'delegated'
                     WHEN i % 10 < 3 THEN 'open' ELSE 'resolved' END,
                ?4, 'Thanks for your help with order ' || i,
                1600000000000 + i * 600000, 1600000000000 + i * 600000 + 300000,
                CASE WHEN i % 10 >= 3 AND i % 20 > 1 THEN 1600000000000 + i * 600000 + 300000 END,
                CASE WHEN i % 33 = 0 THEN 1 ELSE 0 END,
                CASE WHEN i % 10 >= 3 AND i % 3 = 0 THEN 1 + i % 5 END
             FROM n",
        )
        .bind(start + 1)
        .bind((start + BATCH).min(CONVERSATIONS))
        .bind(visitors)
        .bind(MESSAGES_PER_CONVERSATION)
        .execute(tx.conn().sqlite().unwrap())
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let messages = CONVERSATIONS * MESSAGES_PER_CONVERSATION;
    for start in (0..messages).step_by(BATCH as usize * 2) {
        let mut tx = db.write().await.unwrap();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
             INSERT INTO messages (id, conversation_id, sender, body, created_at)
             SELECT i, 1 + (i - 1) / ?3,
                CASE (i % 3) WHEN 0 THEN 'customer' WHEN 1 THEN 'ai' ELSE 'agent' END,
                'About my ' || (SELECT w FROM bench_words WHERE id = (i * 7) % ?4) || ' and the '
                    || (SELECT w FROM bench_words WHERE id = (i * 13 + 5) % ?4)
                    || ', reference ' || i,
                1600000000000 + i * 60000
             FROM n",
        )
        .bind(start + 1)
        .bind((start + BATCH * 2).min(messages))
        .bind(MESSAGES_PER_CONVERSATION)
        .bind(n_words)
        .execute(tx.conn().sqlite().unwrap())
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    w("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')").await;
    for (_, sql) in &triggers {
        let mut tx = db.write().await.unwrap();
        sqlx::query(sql)
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    for sql in ROLLUPS.iter().chain(&ANALYTICS_ROLLUPS) {
        let mut tx = db.write().await.unwrap();
        sqlx::query(sql)
            .execute(tx.conn().sqlite().unwrap())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        tx.commit().await.unwrap();
    }
    w("ANALYZE").await;
    println!(
        "\nFilled {CONVERSATIONS} conversations and {messages} messages in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// The same data as [`fill_sqlite`] in the migrated PostgreSQL database at `url`: triggers off
/// for the load (the counters they keep are computed once after it), the full-text indexes
/// built once at the end.
async fn fill_postgres(url: &str) {
    let started = Instant::now();
    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    let mut run = async |sql: &str, binds: &[i64]| {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    run("SET session_replication_role = replica", &[]).await;
    run("SET maintenance_work_mem = '1GB'", &[]).await;
    run("DROP INDEX messages_search", &[]).await;
    run("DROP INDEX visitors_search", &[]).await;
    let visitors = CONVERSATIONS * 7 / 10;
    run(
        "INSERT INTO visitors (id, token_hash, browser, name, email, created_at, last_seen_at)
         SELECT i, 'bench-' || i, 'Mozilla/5.0 Chrome/126',
            CASE WHEN i % 5 = 0 THEN 'Customer ' || i END,
            CASE WHEN i % 5 = 0 THEN 'customer' || i || '@example.com' END,
            1700000000000 + i, 1700000000000 + i FROM generate_series(1, $1) i",
        &[visitors],
    )
    .await;
    run(
        "INSERT INTO conversations (id, visitor_id, channel, status, message_count,
            last_message, created_at, last_activity_at, resolved_at, booked, rating)
         SELECT i, 1 + (i * 7) % $2,
            CASE WHEN i % 5 = 0 THEN 'whatsapp' ELSE 'widget' END,
            CASE WHEN i % 20 = 0 THEN 'needs_agent' WHEN i % 20 = 1 THEN 'delegated'
                 WHEN i % 10 < 3 THEN 'open' ELSE 'resolved' END,
            $3, 'Thanks for your help with order ' || i,
            1600000000000 + i * 600000, 1600000000000 + i * 600000 + 300000,
            CASE WHEN i % 10 >= 3 AND i % 20 > 1 THEN 1600000000000 + i * 600000 + 300000 END,
            i % 33 = 0,
            CASE WHEN i % 10 >= 3 AND i % 3 = 0 THEN 1 + i % 5 END
         FROM generate_series(1, $1) i",
        &[CONVERSATIONS, visitors, MESSAGES_PER_CONVERSATION],
    )
    .await;
    let messages = CONVERSATIONS * MESSAGES_PER_CONVERSATION;
    let words = WORDS.split_whitespace().collect::<Vec<_>>().join(" ");
    let n_words = WORDS.split_whitespace().count() as i64;
    for start in (0..messages).step_by(BATCH as usize * 20) {
        sqlx::query(
            "WITH w AS (SELECT string_to_array($5, ' ') AS a)
             INSERT INTO messages (id, conversation_id, sender, body, created_at)
             SELECT i, 1 + (i - 1) / $3,
                CASE (i % 3) WHEN 0 THEN 'customer' WHEN 1 THEN 'ai' ELSE 'agent' END,
                'About my ' || w.a[1 + (i * 7) % $4] || ' and the ' || w.a[1 + (i * 13 + 5) % $4]
                    || ', reference ' || i,
                1600000000000 + i * 60000
             FROM generate_series($1, $2) i, w",
        )
        .bind(start + 1)
        .bind((start + BATCH * 20).min(messages))
        .bind(MESSAGES_PER_CONVERSATION)
        .bind(n_words)
        .bind(&words)
        .execute(&mut c)
        .await
        .unwrap();
    }
    let mut run = async |sql: &str| {
        sqlx::query(sql)
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    // What the triggers would have kept.
    run(
        "INSERT INTO conversation_counts (channel, status, booked, n)
         SELECT channel, status, booked, count(*) FROM conversations GROUP BY 1, 2, 3
         ON CONFLICT (channel, status, booked) DO UPDATE SET n = excluded.n",
    )
    .await;
    for sql in ROLLUPS.iter().chain(&ANALYTICS_ROLLUPS) {
        run(sql).await;
    }
    run("UPDATE visitors v SET conversation_count = c.n
         FROM (SELECT visitor_id, count(*) AS n FROM conversations GROUP BY 1) c
         WHERE v.id = c.visitor_id")
    .await;
    for table in ["visitors", "conversations", "messages"] {
        run(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        ))
        .await;
    }
    run("CREATE INDEX visitors_search ON visitors USING GIN (to_tsvector('simple',
        liaison_fold(coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, ''))))")
    .await;
    run("CREATE INDEX messages_search ON messages USING GIN (search)").await;
    run("VACUUM ANALYZE").await;
    println!(
        "\nFilled {CONVERSATIONS} conversations and {messages} messages in PostgreSQL in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// Which indexes the inbox's queries used, and whether any read a big table from end to end.
async fn scans(c: &mut sqlx::PgConnection) {
    let tables: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT relname::text, seq_scan, seq_tup_read FROM pg_stat_user_tables
         WHERE relname IN ('visitors', 'conversations', 'messages') ORDER BY relname",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    for (table, scans, rows) in tables {
        println!("  sequential scans of {table:<14} {scans:>4} ({rows} rows read)");
    }
    let indexes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT indexrelname::text, idx_scan FROM pg_stat_user_indexes
         WHERE relname IN ('visitors', 'conversations', 'messages') AND idx_scan > 0
         ORDER BY relname, indexrelname",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    let used: Vec<String> = indexes
        .iter()
        .map(|(name, n)| format!("{name} ({n})"))
        .collect();
    println!("  indexes used: {}", used.join(", "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_inbox_at_a_million_conversations() {
    let dir = std::env::temp_dir().join(format!("liaison-bench-inbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(&dir.join("liaison.db"), Bus::default())
        .await
        .unwrap();
    team(&db).await;
    fill_sqlite(&db).await;
    queries(&db, "SQLite").await;
    drop(db);
    let data_dir = dir.display().to_string();
    over_http("SQLite", &[("LIAISON_DATA_DIR", &data_dir)]).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_inbox_at_a_million_conversations_on_postgres() {
    let url = postgres::fresh_database().await;
    let db = Db::open_postgres(&url, Bus::default()).await.unwrap();
    team(&db).await;
    fill_postgres(&url).await;
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("SELECT pg_stat_reset()")
        .execute(&mut admin)
        .await
        .unwrap();
    queries(&db, "PostgreSQL").await;
    // The pool's connections exit, which hands their statistics over.
    if let db::Backend::Postgres(pool) = &db.read {
        pool.close().await;
    }
    drop(db);
    tokio::time::sleep(Duration::from_secs(1)).await;
    scans(&mut admin).await;
    over_http("PostgreSQL", &[("LIAISON_DATABASE_URL", &url)]).await;
}

/// The inbox's queries through the real query functions, on the filled database `db`.
async fn queries(db: &Db, backend: &str) {
    println!("\nInbox queries at {CONVERSATIONS} conversations ({backend}, this machine)");
    let mut conn = db.read.acquire().await.unwrap();
    for tab in Tab::ALL {
        for channel in [None, Some(Channel::Widget), Some(Channel::Whatsapp)] {
            let filter = Filter {
                tab,
                channel,
                holder: None,
            };
            let mut samples = Vec::new();
            for _ in 0..100 {
                let start = Instant::now();
                let rows = conversations::page(conn.conn(), filter, 0, PageAt::First, 51)
                    .await
                    .unwrap();
                samples.push(start.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(rows);
            }
            let name = format!(
                "first page: {} / {}",
                tab.label(),
                channel.map_or("all channels", Channel::label)
            );
            report(&name, samples, 0.95);
        }
    }
    // The next page, and one deep in the middle: the same index range whatever the depth.
    let first = conversations::page(conn.conn(), Filter::default(), 0, PageAt::First, 51)
        .await
        .unwrap();
    let cursor = first[49].id;
    let mut next = Vec::new();
    let mut deep = Vec::new();
    for i in 0..100 {
        let start = Instant::now();
        std::hint::black_box(
            conversations::page(
                conn.conn(),
                Filter::default(),
                0,
                PageAt::Before(cursor),
                51,
            )
            .await
            .unwrap(),
        );
        next.push(start.elapsed().as_secs_f64() * 1000.0);
        let start = Instant::now();
        let resolved = Filter {
            tab: Tab::Resolved,
            channel: Some(Channel::Widget),
            holder: None,
        };
        std::hint::black_box(
            conversations::page(
                conn.conn(),
                resolved,
                0,
                PageAt::Before(500_000 - i * 997),
                51,
            )
            .await
            .unwrap(),
        );
        deep.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    report("next page (All)", next, 0.95);
    report("a page in the middle (Resolved / Widget)", deep, 0.95);
    let mut counts = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        std::hint::black_box(conversations::counts(conn.conn()).await.unwrap());
        counts.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    report("tab counts (all tabs, both channels)", counts, 0.95);
    let now = liaison::server::now_ms();
    let team = time(100, |_| db::overview::team(&db.read, now)).await;
    report("Overview, Owner/Admin: 8 cards + 14 days", team, 0.95);
    let agent = time(100, |_| db::overview::agent(&db.read, 1)).await;
    report("Overview, Agent: 4 cards", agent, 0.95);
    for (period, label) in [
        (
            Period::Last(7),
            "Analytics, last 7 days (all figures and tables)",
        ),
        (Period::Last(30), "Analytics, last 30 days"),
        (Period::Last(90), "Analytics, last 90 days"),
        (
            Period::Custom {
                from: liaison_protocol::calendar::day_of(now) - 365,
                to: liaison_protocol::calendar::day_of(now),
            },
            "Analytics, 366 days (the longest range)",
        ),
    ] {
        for channel in [None, Some(Channel::Whatsapp)] {
            let query = AnalyticsQuery { period, channel };
            let samples = time(30, |_| {
                liaison::server::analytics::figures(&db.read, query, now)
            })
            .await;
            let label = match channel {
                None => label.to_string(),
                Some(_) => format!("{label}, WhatsApp only"),
            };
            report(&label, samples, 0.95);
        }
    }
    for (q, label) in [
        ("parcel courier", "search: two common words"),
        ("reference 4999999", "search: one message among 10,000,000"),
        ("customer12345@example.com", "search: a visitor's email"),
        ("warr", "search: a prefix"),
    ] {
        let mut samples = Vec::new();
        for _ in 0..30 {
            let start = Instant::now();
            let found = search::conversations(conn.conn(), q, Filter::default(), 0, None, 50)
                .await
                .unwrap();
            samples.push(start.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(found);
        }
        report(label, samples, 0.95);
    }
    let mut detail = Vec::new();
    for i in 0..100 {
        let id = 1 + (i * 9973) % CONVERSATIONS;
        let start = Instant::now();
        let c = conversations::find(conn.conn(), id).await.unwrap().unwrap();
        let v = db::visitors::find(&db.read, c.visitor_id).await.unwrap();
        let m = db::messages::for_conversation(&db.read, id, db::messages::Audience::Operators)
            .await
            .unwrap();
        detail.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box((c, v, m));
    }
    report("one detail view (row, visitor, 10 messages)", detail, 0.95);
}

/// The same database behind the real server (started with `env`), over HTTP.
async fn over_http(backend: &str, env: &[(&str, &str)]) {
    let app = spawn_with(env).await;
    println!("\nThe running server at {CONVERSATIONS} conversations ({backend}, HTTP)");
    let owner = operator(&app, OWNER_EMAIL).await;
    for (args, label) in [
        (vec![], "list server function: All, first page"),
        (
            vec![("tab", "needs_agent")],
            "list server function: Needs agent",
        ),
        (
            vec![("q", "parcel courier")],
            "list server function: search",
        ),
    ] {
        let samples = time(50, |_| {
            let owner = &owner;
            let app = &app;
            let args = &args;
            async move {
                let r = owner
                    .post(app.url(ListConversations::PATH))
                    .form(args)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap().len()
            }
        })
        .await;
        report(label, samples, 0.95);
    }
    let samples = time(50, |_| async {
        let r = call::<CurrentOverview>(&owner, &app, &[]).await;
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap().len()
    })
    .await;
    report("Overview server function (Owner)", samples, 0.95);
    for range in ["30", "90"] {
        let samples = time(30, |_| async {
            let r = call::<AnalyticsFigures>(&owner, &app, &[("range", range)]).await;
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap().len()
        })
        .await;
        report(
            &format!("Analytics server function, {range} days"),
            samples,
            0.95,
        );
    }
    // A newly opened dashboard stream: how many events arrive before the first live one.
    let stream = owner
        .get(app.url("/api/dashboard/v1/stream"))
        .send()
        .await
        .unwrap();
    let mut stream = SseReader::new(stream);
    let token = visitor(&app).await;
    let sent = send(&app, &token, "bench-1", "Is my parcel late?").await;
    let sent: serde_json::Value = sent.json().await.unwrap();
    let live_id = sent["message"]["id"].as_i64().unwrap();
    let mut before_live = 0;
    while let Some(e) = stream.next(Duration::from_secs(5)).await {
        if e.data["type"] == "message_created" && e.data["message"]["id"] == live_id {
            break;
        }
        if e.data["type"] != "conversation_created" {
            before_live += 1;
        }
    }
    println!("  events a new dashboard stream sends before the first live one: {before_live}");
    app.stop().await;
}
