//! What a browser receives: one HTTP/1.1 GET against the running server, as a browser asks
//! (`Accept-Encoding: br, gzip`), with the bytes on the wire and the headers that matter.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

pub struct Fetched {
    pub status: u16,
    /// Body bytes as sent (compressed when the server compressed them).
    pub body_bytes: usize,
    /// The status line and headers, as sent.
    pub head_bytes: usize,
    pub content_encoding: Option<String>,
    pub cache_control: Option<String>,
    pub last_modified: Option<String>,
}

pub fn get(port: u16, path: &str) -> Result<Fetched, String> {
    request(port, path, None)
}

/// A POST of a JSON body, as the widget's loader sends one; the bytes both ways.
pub fn post_json(port: u16, path: &str, body: &str) -> Result<(usize, Fetched), String> {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: br, gzip\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let sent = head.len() + body.len();
    exchange(port, path, &(head + body)).map(|f| (sent, f))
}

/// A GET as a browser sends it for a file it has cached: with `If-Modified-Since`.
pub fn revalidate(port: u16, path: &str, last_modified: &str) -> Result<Fetched, String> {
    request(port, path, Some(last_modified))
}

fn request(port: u16, path: &str, if_modified_since: Option<&str>) -> Result<Fetched, String> {
    let condition = if_modified_since
        .map(|t| format!("If-Modified-Since: {t}\r\n"))
        .unwrap_or_default();
    exchange(
        port,
        path,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: br, gzip\r\n{condition}Connection: close\r\n\r\n"
        ),
    )
}

/// Sends `request` as written and reads the whole answer.
fn exchange(port: u16, path: &str, request: &str) -> Result<Fetched, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("GET {path}: {e}"))?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no header end"))?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("GET {path}: no status line"))?;
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        return Err(format!("GET {path}: chunked responses are not measured"));
    }
    Ok(Fetched {
        status,
        body_bytes: response.len() - split - 4,
        head_bytes: split + 4,
        content_encoding: header("content-encoding"),
        cache_control: header("cache-control"),
        last_modified: header("last-modified"),
    })
}

/// Waits until the server sends `path` brotli-compressed (it writes the compressed copies in
/// the background after it starts).
pub fn wait_compressed(port: u16, path: &str, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let f = get(port, path)?;
        if f.content_encoding.as_deref() == Some("br") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{path} still not sent compressed after {within:?} (status {}, encoding {:?})",
                f.status, f.content_encoding
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
