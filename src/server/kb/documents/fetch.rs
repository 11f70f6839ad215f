//! Fetching a document by URL (reqwest), with limits: http(s) only, public addresses only
//! (`outbound`), 20 s, 10 MB.

use super::extract::Format;
use crate::server::outbound::{self, Reach};
use futures::StreamExt;
use std::time::Duration;

pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Said of an address that is not public and of one that does not answer alike, so the error
/// does not tell an internal host or port that exists from one that does not.
pub const NOT_FETCHABLE: &str =
    "That address could not be fetched. Only public web addresses can be added.";

/// Checks a URL a person typed.
pub fn validate_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(format!(
            "{url:?} is not a web address (http:// or https://)."
        ));
    }
    if url.chars().any(char::is_whitespace) || url.len() > 2000 {
        return Err("That web address is not valid.".into());
    }
    Ok(url.to_string())
}

/// Downloads `url`: the body and the format its Content-Type says.
pub async fn fetch(url: &str, reach: &Reach) -> Result<(Format, Vec<u8>), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| NOT_FETCHABLE.to_string())?;
    if outbound::literal_refused(&parsed, reach) {
        return Err(NOT_FETCHABLE.into());
    }
    let client = outbound::builder(reach, 5)
        .timeout(Duration::from_secs(20))
        .user_agent("Liaison knowledge-base fetcher")
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let response = client.get(parsed).send().await.map_err(without_url)?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url} answered {status}."));
    }
    if response
        .content_length()
        .is_some_and(|n| n as usize > MAX_BYTES)
    {
        return Err("The page is larger than 10 MB.".into());
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let format = Format::from_content_type(&content_type, url)?;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(piece) = stream.next().await {
        let piece = piece.map_err(without_url)?;
        if body.len() + piece.len() > MAX_BYTES {
            return Err("The page is larger than 10 MB.".into());
        }
        body.extend_from_slice(&piece);
    }
    Ok((format, body))
}

/// A reqwest error in words, without the URL and without what would tell a refused address,
/// a closed port and a silent host apart.
fn without_url(e: reqwest::Error) -> String {
    if e.is_connect() || e.is_timeout() || e.is_redirect() || e.is_request() {
        NOT_FETCHABLE.into()
    } else {
        format!("Reading the page failed: {}", e.without_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(validate_url("https://example.com/faq").is_ok());
        assert!(validate_url(" https://example.com/faq ").is_ok());
        assert!(validate_url("ftp://example.com").is_err());
        assert!(validate_url("example.com").is_err());
        assert!(validate_url("https://exa mple.com").is_err());
    }
}
