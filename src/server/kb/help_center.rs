//! The public Help Center: published articles at /help and /help/{slug}, and ready documents at
//! /help/documents/{id} (so every citation links somewhere). Markdown is rendered with raw HTML
//! escaped, so nothing an author pastes can run script on the page.

use crate::server::db;
use crate::server::http::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use pulldown_cmark::{Event, Options, Parser, html};

/// Markdown to HTML, with any raw HTML in the source shown as text and only safe link schemes.
pub fn render_markdown(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url: "#".into(),
            title,
            id,
        }),
        Event::Start(pulldown_cmark::Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(pulldown_cmark::Tag::Image {
            link_type,
            dest_url: "#".into(),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    !lower.contains(':')
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Help Center</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1f2937; line-height: 1.6; }}
  a {{ color: #4f46e5; }}
  nav {{ font-size: .9rem; margin-bottom: 1.5rem; }}
  .articles li {{ margin: .4rem 0; }}
  pre {{ background: #f3f4f6; padding: .75rem; overflow-x: auto; white-space: pre-wrap; }}
</style>
</head>
<body>
<nav><a href="/help">Help Center</a></nav>
{body}
</body>
</html>
"#,
        title = escape(title)
    ))
}

fn internal(e: sqlx::Error) -> Response {
    tracing::error!("help center: {e}");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        page(
            "Not found",
            "<h1>Not found</h1><p>This article does not exist or is not published.</p>",
        ),
    )
        .into_response()
}

pub async fn index(State(state): State<AppState>) -> Response {
    let articles = match db::kb::published(&state.db.read).await {
        Ok(a) => a,
        Err(e) => return internal(e),
    };
    let mut body = String::from("<h1>Help Center</h1>");
    if articles.is_empty() {
        body.push_str("<p>No articles yet.</p>");
    } else {
        body.push_str("<ul class=\"articles\">");
        for a in articles {
            body.push_str(&format!(
                "<li><a href=\"/help/{}\">{}</a></li>",
                escape(&a.slug),
                escape(&a.title)
            ));
        }
        body.push_str("</ul>");
    }
    page("Help Center", &body).into_response()
}

pub async fn article(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match db::kb::find_published(&state.db.read, &slug).await {
        Ok(Some(a)) => page(
            &a.title,
            &format!(
                "<article><h1>{}</h1>{}</article>",
                escape(&a.title),
                render_markdown(&a.body)
            ),
        )
        .into_response(),
        Ok(None) => not_found(),
        Err(e) => internal(e),
    }
}

pub async fn document(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    match db::documents::text(&state.db.read, id).await {
        Ok(Some((title, text))) => page(
            &title,
            &format!(
                "<article><h1>{}</h1><pre>{}</pre></article>",
                escape(&title),
                escape(&text)
            ),
        )
        .into_response(),
        Ok(None) => not_found(),
        Err(e) => internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_without_raw_html_or_script_links() {
        let html = render_markdown(
            "# Title\n\nSome **bold** text.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.com)",
        );
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.com\""));
    }
}
