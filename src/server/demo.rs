//! Demo data for `cargo xtask dev` (LIAISON_DEMO=1): a few knowledge-base articles the built-in
//! answerer can cite, and a second operator so join/lock can be tried with two browsers.
//! Seeded once: nothing happens when the knowledge base already has articles.

use crate::server::Config;
use crate::server::auth;
use crate::server::db::{self, Db};
use crate::server::kb::chunk::chunk_markdown;

pub const DEMO_AGENT_EMAIL: &str = "agent@liaison.local";

const ARTICLES: &[(&str, &str, &str)] = &[
    (
        "Account and password help",
        "account-and-password",
        "## Resetting your password\n\nTo reset your password, open the sign-in page and click \"Forgot password\". We email you a reset link that works for 30 minutes. Follow it and choose a new password of at least 8 characters.\n\n## Changing your email address\n\nGo to Settings, then Profile, and edit the email field. We send a confirmation link to the new address before the change takes effect.",
    ),
    (
        "Shipping and delivery",
        "shipping-and-delivery",
        "## Where we ship\n\nWe ship to the EU, the UK, the United States and Canada. Orders placed before 2 pm ship the same working day.\n\n## Delivery times\n\nStandard delivery takes 3 to 5 working days; express delivery takes 1 to 2 working days. Every order gets a tracking link by email.",
    ),
    (
        "Billing and refunds",
        "billing-and-refunds",
        "## Refund policy\n\nYou can ask for a refund within 30 days of purchase. Refunds go back to the original payment method within 5 working days of approval.\n\n## Invoices\n\nInvoices are in Settings, then Billing. Each invoice can be downloaded as a PDF.",
    ),
    (
        "Opening hours and contact",
        "opening-hours",
        "## Opening hours\n\nOur support team is available Monday to Friday, 9 am to 6 pm Central European Time. Outside these hours the AI assistant answers and a human follows up the next working day.",
    ),
];

pub async fn seed(db: &Db, config: &Config) -> Result<(), sqlx::Error> {
    if db::kb::count_articles(&db.read).await? > 0 {
        return Ok(());
    }
    let mut tx = db.write().await?;
    for (title, slug, body) in ARTICLES {
        db::kb::insert_article(
            tx.conn(),
            title,
            slug,
            body,
            true,
            &chunk_markdown(title, body),
        )
        .await?;
    }
    let password = config
        .demo_agent_password
        .clone()
        .unwrap_or_else(auth::generate_password);
    if db::users::find_by_email(&db.read, DEMO_AGENT_EMAIL)
        .await?
        .is_none()
    {
        db::users::insert(
            tx.conn(),
            DEMO_AGENT_EMAIL,
            "Sam (demo agent)",
            &auth::hash_password(&password).await,
            liaison_protocol::Role::Agent,
        )
        .await?;
        println!("  Demo agent login: {DEMO_AGENT_EMAIL}  password: {password}");
    }
    tx.commit().await?;
    println!("  Demo data: {} knowledge-base articles.", ARTICLES.len());
    Ok(())
}

/// The /demo page: a stand-in for a customer's website with the one-tag embed.
pub fn page(base_url: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Store — Liaison demo</title>
<style>
  body {{ font-family: Georgia, serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #222; }}
  h1 {{ font-size: 2rem; }}
  .note {{ background: #f4f1ea; padding: 1rem; border-radius: 6px; font-family: monospace; font-size: .85rem; }}
</style>
</head>
<body>
<h1>Acme Store</h1>
<p>This page stands in for a customer's website. The chat bubble in the corner is the Liaison
widget, embedded with one tag:</p>
<p class="note">&lt;script type="module" src="{base_url}/widget/liaison.js" data-liaison-url="{base_url}"&gt;&lt;/script&gt;</p>
<p>Try asking "How do I reset my password?", "Do you ship to Canada?", or "Can I talk to a human?".</p>
<script type="module" src="{base_url}/widget/liaison.js" data-liaison-url="{base_url}"></script>
</body>
</html>
"#
    )
}
