//! The attachment endpoints. Operators (signed in; the access middleware covers the paths):
//! `POST /api/dashboard/v1/conversations/{id}/attachments` sends a file into a conversation they
//! hold, `GET /api/dashboard/v1/attachments/{id}[?thumb]` reads any. Visitors (widget token):
//! `POST /api/widget/v1/attachments` sends one into their conversation, `GET
//! /api/widget/v1/attachments/{id}[?thumb]` reads those of their own conversations only.
//!
//! Uploads are multipart forms: `file` (the bytes and the sent name), optional `caption`,
//! `recording=1` for a voice recording, and (widget) `client_msg_id`, so a retry is stored once.

use super::{AcceptError, Store, StoredFile, sniff::Refused};
use crate::server::conversations::{self, OpError, VisitorSend};
use crate::server::db::{self, attachments::AttachmentRow};
use crate::server::http::{AppState, AuthOperator};
use crate::server::widget_api::{Visitor, WidgetError};
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use liaison_protocol::widget_api::SendMessageResponse;
use serde::Deserialize;

/// Room for the form's other fields beyond the file itself.
const FORM_OVERHEAD: usize = 64 * 1024;

pub fn dashboard_routes(max_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/api/dashboard/v1/conversations/{id}/attachments",
            post(operator_upload).layer(DefaultBodyLimit::max(max_bytes + FORM_OVERHEAD)),
        )
        .route("/api/dashboard/v1/attachments/{id}", get(operator_download))
}

/// Nested under the widget API's base path.
pub fn widget_routes(max_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/attachments",
            post(visitor_upload).layer(DefaultBodyLimit::max(max_bytes + FORM_OVERHEAD)),
        )
        .route("/attachments/{id}", get(visitor_download))
}

/// What an upload form held.
#[derive(Default)]
struct Form {
    file: Option<(String, Vec<u8>)>,
    caption: String,
    recording: bool,
    client_msg_id: Option<String>,
}

/// Why an upload failed; each boundary turns it into its own error type.
enum UploadError {
    Bad(String),
    TooLarge(String),
    Internal,
}

async fn read_form(mut form: Multipart, max_bytes: usize) -> Result<Form, UploadError> {
    let mut out = Form::default();
    let cut = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge(Refused::TooLarge(max_bytes >> 20).to_string())
        } else {
            UploadError::Bad(format!("The upload was cut off: {}", e.body_text()))
        }
    };
    while let Some(mut field) = form.next_field().await.map_err(cut)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(cut)? {
                    if bytes.len() + chunk.len() > max_bytes {
                        return Err(UploadError::TooLarge(
                            Refused::TooLarge(max_bytes >> 20).to_string(),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                out.file = Some((name, bytes));
            }
            "caption" => out.caption = field.text().await.map_err(cut)?,
            "recording" => out.recording = field.text().await.map_err(cut)? == "1",
            "client_msg_id" => out.client_msg_id = Some(field.text().await.map_err(cut)?),
            _ => {}
        }
    }
    Ok(out)
}

async fn store(state: &AppState, form: &mut Form) -> Result<StoredFile, UploadError> {
    let Some((name, bytes)) = form.file.take() else {
        return Err(UploadError::Bad("Choose a file to send.".into()));
    };
    match state.attachments.accept(bytes, &name, form.recording).await {
        Ok(file) => Ok(file),
        Err(AcceptError::Refused(r)) => Err(UploadError::Bad(r.to_string())),
        Err(AcceptError::Io(e)) => {
            tracing::error!("attachment store: {e}");
            Err(UploadError::Internal)
        }
    }
}

fn refused(status: StatusCode, error: String) -> Response {
    (
        status,
        Json(liaison_protocol::widget_api::ApiError { error }),
    )
        .into_response()
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        match self {
            UploadError::Bad(m) => refused(StatusCode::BAD_REQUEST, m),
            UploadError::TooLarge(m) => refused(StatusCode::PAYLOAD_TOO_LARGE, m),
            UploadError::Internal => refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be stored. Please try again.".into(),
            ),
        }
    }
}

async fn operator_upload(
    State(state): State<AppState>,
    AuthOperator(operator): AuthOperator,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let max = state.config.attachment_max_bytes;
    let mut form = match read_form(form, max).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let file = match store(&state, &mut form).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    match conversations::post_operator_file(&state.db, id, operator.id, &form.caption, &file).await
    {
        Ok(message) => Json(message).into_response(),
        Err(e) => {
            let app: crate::app::error::AppError = e.into();
            refused(app.status(), app.to_string())
        }
    }
}

async fn visitor_upload(
    State(state): State<AppState>,
    visitor: Visitor,
    form: Multipart,
) -> Result<Json<SendMessageResponse>, Response> {
    let max = state.config.attachment_max_bytes;
    let mut form = read_form(form, max)
        .await
        .map_err(IntoResponse::into_response)?;
    let client_msg_id = form.client_msg_id.clone().unwrap_or_default();
    // Check the id before storing anything.
    liaison_protocol::widget_api::validate_client_msg_id(&client_msg_id)
        .map_err(|m| WidgetError::BadRequest(m.into()).into_response())?;
    let file = store(&state, &mut form)
        .await
        .map_err(IntoResponse::into_response)?;
    let send = VisitorSend::with_file(visitor.id, &client_msg_id, &form.caption, file)
        .map_err(|e| WidgetError::from(e).into_response())?;
    let sent = state
        .sends
        .run(send)
        .await
        .map_err(|e: OpError| WidgetError::from(e).into_response())?;
    Ok(Json(SendMessageResponse {
        message: sent.message,
        status: sent.status,
    }))
}

#[derive(Deserialize)]
struct Download {
    thumb: Option<String>,
}

async fn operator_download(
    State(state): State<AppState>,
    AuthOperator(_operator): AuthOperator,
    Path(id): Path<i64>,
    Query(q): Query<Download>,
) -> Response {
    match db::attachments::find(&state.db.read, id).await {
        Ok(Some(row)) => serve(&state.attachments, &row, q.thumb.is_some()).await,
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!("attachment {id}: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A visitor reads the attachments of their own conversations; any other id is "not found",
/// whether it exists or not.
async fn visitor_download(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<Download>,
) -> Response {
    match db::attachments::find(&state.db.read, id).await {
        Ok(Some(row)) if row.visitor_id == visitor.id => {
            serve(&state.attachments, &row, q.thumb.is_some()).await
        }
        Ok(_) => WidgetError::NotFound.into_response(),
        Err(e) => WidgetError::from(e).into_response(),
    }
}

/// The file (or its thumbnail) with the type sniffed at upload, never rendered as a page.
async fn serve(store: &Store, row: &AttachmentRow, thumb: bool) -> Response {
    if row.removed_at.is_some() {
        return (
            StatusCode::GONE,
            "This file was removed: Settings → Data retention keeps attachments for a limited time.",
        )
            .into_response();
    }
    let path = if thumb && row.thumbnail {
        store.thumbnail_path(&row.sha256)
    } else {
        store.path(&row.sha256)
    };
    let Some(path) = path else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("attachment {} missing: {e}", row.id);
            return StatusCode::NOT_FOUND.into_response();
        }
    };
    let mime = if thumb && row.thumbnail {
        infer::get(&bytes).map_or("image/jpeg", |t| t.mime_type())
    } else {
        row.mime.as_str()
    };
    // Images, audio and PDFs open in the browser; documents download.
    let inline = ["image/", "audio/", "application/pdf"]
        .iter()
        .any(|p| mime.starts_with(p));
    let name = percent_encoding::utf8_percent_encode(&row.name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!(
        "{}; filename*=UTF-8''{name}",
        if inline { "inline" } else { "attachment" }
    );
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".into(),
            ),
            // An id always names the same bytes.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".into(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response()
}
