//! The dashboard's one error type for server functions: what operators read when something
//! fails. Internal details are logged on the server and never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in.")]
    Unauthorized,
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    /// A rule said no, e.g. "Locked by another agent".
    #[error("{0}")]
    Conflict(String),
    /// Too many tries in a short time (sign-in attempts): wait this many seconds.
    #[error("Too many attempts. Please wait {0} seconds and try again.")]
    Throttled(u64),
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    /// The request did not reach the server function (network, encoding).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }

    /// Every server function's error passes here in the browser, so a session that expired or
    /// was signed out elsewhere sends the tab to the sign-in page, whichever call noticed.
    fn de(data: leptos::server_fn::Bytes) -> Self {
        use leptos::server_fn::Decodes;
        let error = <JsonEncoding as Decodes<AppError>>::decode(data)
            .unwrap_or_else(|e| AppError::Transport(e.to_string()));
        if error == AppError::Unauthorized {
            crate::app::live::session_ended();
        }
        error
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use crate::server::conversations::OpError;
    use axum::http::StatusCode;

    impl AppError {
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::Unauthorized => StatusCode::UNAUTHORIZED,
                AppError::Forbidden => StatusCode::FORBIDDEN,
                AppError::NotFound => StatusCode::NOT_FOUND,
                AppError::Invalid(_) | AppError::Transport(_) => StatusCode::BAD_REQUEST,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }

        /// Sets the response status to match, so HTTP clients see 401/404/409, not 500.
        pub fn respond(self) -> Self {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(self.status());
                if let AppError::Throttled(seconds) = self {
                    response.insert_header(
                        axum::http::header::RETRY_AFTER,
                        axum::http::HeaderValue::from(seconds),
                    );
                }
            }
            self
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            tracing::error!("dashboard: database error: {e}");
            AppError::Internal.respond()
        }
    }

    impl From<crate::server::kb::documents::DocumentError> for AppError {
        fn from(e: crate::server::kb::documents::DocumentError) -> Self {
            use crate::server::kb::documents::DocumentError;
            match e {
                DocumentError::Invalid(m) => AppError::Invalid(m),
                DocumentError::NotFound => AppError::NotFound,
                DocumentError::Db(e) => return e.into(),
            }
            .respond()
        }
    }

    impl From<OpError> for AppError {
        fn from(e: OpError) -> Self {
            match e {
                OpError::NotFound => AppError::NotFound,
                OpError::Invalid(m) => AppError::Invalid(m.to_string()),
                OpError::Refused(m) => AppError::Invalid(m),
                OpError::Conflict(m) => AppError::Conflict(m),
                OpError::Rule(r) => AppError::Conflict(r.to_string()),
                OpError::Handoff(h) => {
                    use liaison_protocol::handoff::HandoffError as H;
                    match h {
                        H::ReasonTooLong(_) | H::SameOperator | H::UnknownTarget => {
                            AppError::Invalid(h.to_string())
                        }
                        _ => AppError::Conflict(h.to_string()),
                    }
                }
                OpError::Db(e) => return e.into(),
            }
            .respond()
        }
    }
}
