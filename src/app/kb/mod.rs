//! The knowledge pages for Admins and Owners: Documents, Help Center, Knowledge Gaps.

pub mod api;
mod documents;
mod gaps;
mod help_center;

pub use documents::DocumentsPage;
pub use gaps::KnowledgeGapsPage;
pub use help_center::HelpCenterPage;

/// Where the Documents page's upload form posts (a multipart form, handled by an axum route).
pub const UPLOAD_PATH: &str = "/api/admin/documents/upload";

/// Human-readable size.
pub fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
    }
}
