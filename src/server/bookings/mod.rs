//! Bookings: the settings (Settings → Bookings) and the slots they give
//! (`slots.rs`, pure). Booking itself is a conversation operation
//! (`conversations/booking.rs`).

pub mod slots;

use crate::server::db::{self, Pool};
use liaison_protocol::booking::{self, BookingSettings};

pub const SETTINGS_KEY: &str = "booking";

pub async fn settings(pool: &Pool) -> Result<BookingSettings, sqlx::Error> {
    Ok(db::settings::get(pool, SETTINGS_KEY)
        .await?
        .unwrap_or_default())
}

/// Every check of the settings form, the time zone's name included.
pub fn validate(settings: &BookingSettings) -> Result<(), String> {
    booking::validate(settings)?;
    slots::zone(&settings.time_zone).map(|_| ())
}
