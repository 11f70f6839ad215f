//! The document upload endpoint: a multipart form posted by the Documents page (it works before
//! the page hydrates, as a plain form). Admin and Owner only (the access middleware checks the
//! path's role).

use crate::server::http::{AppState, AuthOperator};
use crate::server::kb::documents::{self, DocumentError};
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

pub use crate::app::kb::UPLOAD_PATH;

/// Stores each file in the form; answers JSON for scripts, or sends a browser back to the page.
pub async fn upload(
    State(state): State<AppState>,
    AuthOperator(operator): AuthOperator,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let mut added = Vec::new();
    let mut problems = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                problems.push(format!("The upload was cut off: {}", e.body_text()));
                break;
            }
        };
        let Some(name) = field.file_name().map(str::to_string) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{name:?}: {}", e.body_text()));
                continue;
            }
        };
        match documents::add_upload(&state.db, &state.documents, &name, &bytes, operator.id).await {
            Ok(id) => added.push(id),
            Err(DocumentError::Invalid(reason)) => problems.push(reason),
            Err(e) => {
                tracing::error!("upload: {e}");
                problems.push(format!("{name:?} could not be stored."));
            }
        }
    }
    if added.is_empty() && problems.is_empty() {
        problems.push("Choose a file to upload.".into());
    }
    if wants_json {
        let status = if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        return (
            status,
            axum::Json(serde_json::json!({"added": added, "errors": problems})),
        )
            .into_response();
    }
    let target = if problems.is_empty() {
        format!("/documents?added={}", added.len())
    } else {
        format!("/documents?error={}", urlencode(&problems.join(" ")))
    };
    Redirect::to(&target).into_response()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
