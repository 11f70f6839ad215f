//! The files browsers download: the dashboard's bundle (`/pkg`) and the widget (`/widget`).
//! They are sent compressed (brotli, else gzip, from files written next to each one at start).
//! A file whose name carries its content's hash (`liaison-core.3f2a9c0d1e4b5a6f.js`) never
//! changes: browsers keep it a year without asking again. Every other file is revalidated on
//! each use (`no-cache` with `Last-Modified`: a deploy is seen at once, and an unchanged file
//! costs a 304, not a download, asked with `If-Modified-Since` or the `ETag`).

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// What is worth compressing: text and wasm. Images and fonts are compressed already.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "mjs", "css", "html", "svg", "json", "txt"];

/// A directory served with its precompressed copies and revalidation headers.
pub fn serve(dir: PathBuf) -> Router {
    let files = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        // One URL, several encodings: caches between us and the browser must keep them apart.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .service(ServeDir::new(dir).precompressed_br().precompressed_gzip());
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(immutable_when_hashed))
        .layer(middleware::from_fn(etag))
}

/// A weak `ETag` from the file's size as sent and its modification time, and `If-None-Match`
/// answered with a 304 (ServeDir itself answers `If-Modified-Since`).
async fn etag(request: Request, next: Next) -> Response {
    let asked = request.headers().get(header::IF_NONE_MATCH).cloned();
    let mut response = next.run(request).await;
    if response.status() != axum::http::StatusCode::OK {
        return response;
    }
    let headers = response.headers();
    let (Some(modified), Some(length)) = (
        headers
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok()),
        headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()),
    ) else {
        return response;
    };
    let stamp: String = modified
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let Ok(tag) = HeaderValue::from_str(&format!("W/\"{length}-{stamp}\"")) else {
        return response;
    };
    let matches = asked
        .as_ref()
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| {
            a.split(',')
                .any(|t| t.trim() == "*" || t.trim() == tag.to_str().unwrap_or(""))
        });
    if matches {
        let mut not_modified = Response::new(axum::body::Body::empty());
        *not_modified.status_mut() = axum::http::StatusCode::NOT_MODIFIED;
        for name in [header::CACHE_CONTROL, header::VARY, header::LAST_MODIFIED] {
            if let Some(v) = response.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        not_modified.headers_mut().insert(header::ETAG, tag);
        return not_modified;
    }
    response.headers_mut().insert(header::ETAG, tag);
    response
}

/// How long a content-hashed file is kept: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

async fn immutable_when_hashed(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if hashed && response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}

/// Whether a file name carries its content's hash: a part between dots of 16 or more hex digits
/// (the widget's, "liaison-core.3f2a9c0d1e4b5a6f.js") or of 22 base64url characters in both
/// cases (cargo-leptos' MD5, "chunk_12.hbvrRdgZZaomZicmT0Xh_A.wasm"). A hash that happens to be
/// all one case is only revalidated, never kept stale.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    let hex = |p: &str| p.len() >= 16 && p.chars().all(|c| c.is_ascii_hexdigit());
    let md5 = |p: &str| {
        p.len() == 22
            && p.chars().any(|c| c.is_ascii_uppercase())
            && p.chars().any(|c| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    parts.len() >= 3 && parts[1..parts.len() - 1].iter().any(|p| hex(p) || md5(p))
}

/// Writes `name.br` and `name.gz` beside every compressible file under `dir` that lacks them or
/// is newer than them, and removes copies whose original is gone. Each copy is written to a
/// temporary name and renamed, so a request never reads half a file. Returns how many files were
/// (re)compressed. With `write` false (debug builds, where bundles change all the time and are
/// large) stale copies are only removed, so the originals are served.
pub fn precompress(dir: &Path, write: bool) -> io::Result<usize> {
    let mut done = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            done += precompress(&path, write)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "br" | "gz") {
            if !path.with_extension("").exists() {
                let _ = std::fs::remove_file(&path);
            }
            continue;
        }
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let modified = modified(&path)?;
        let br = sibling(&path, "br");
        let gz = sibling(&path, "gz");
        if is_fresh(&br, modified) && is_fresh(&gz, modified) {
            continue;
        }
        if !write {
            let _ = std::fs::remove_file(&br);
            let _ = std::fs::remove_file(&gz);
            continue;
        }
        let bytes = std::fs::read(&path)?;
        write_atomically(&br, &brotli_bytes(&bytes)?)?;
        write_atomically(&gz, &gzip_bytes(&bytes)?)?;
        done += 1;
    }
    Ok(done)
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn modified(path: &Path) -> io::Result<SystemTime> {
    std::fs::metadata(path)?.modified()
}

fn is_fresh(copy: &Path, original: SystemTime) -> bool {
    modified(copy).is_ok_and(|m| m >= original)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = sibling(path, "tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Brotli at its best quality: done once per file, read by every browser.
pub fn brotli_bytes(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(out)
}

fn gzip_bytes(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashed_files_are_kept_a_year_and_others_revalidated() {
        use tower::ServiceExt;
        let dir = std::env::temp_dir().join(format!("liaison-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("liaison.js"),
            "import './liaison-core.3f2a9c0d1e4b5a6f.js';",
        )
        .unwrap();
        std::fs::write(dir.join("liaison-core.3f2a9c0d1e4b5a6f.js"), "export {};").unwrap();
        let get = |path: &'static str| {
            let app = serve(dir.clone());
            async move {
                let request = axum::http::Request::get(path)
                    .body(axum::body::Body::empty())
                    .unwrap();
                let response = app.oneshot(request).await.unwrap();
                let cache = response.headers()[header::CACHE_CONTROL].clone();
                (response.status().as_u16(), cache)
            }
        };
        assert_eq!(
            get("/liaison-core.3f2a9c0d1e4b5a6f.js").await,
            (200, HeaderValue::from_static(IMMUTABLE))
        );
        assert_eq!(
            get("/liaison.js").await,
            (200, HeaderValue::from_static("no-cache"))
        );
        // An ETag, and a 304 without a body when the browser sends it back.
        let first = serve(dir.clone())
            .oneshot(
                axum::http::Request::get("/liaison.js")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let tag = first.headers()[header::ETAG].clone();
        assert!(tag.to_str().unwrap().starts_with("W/\""));
        let again = serve(dir.clone())
            .oneshot(
                axum::http::Request::get("/liaison.js")
                    .header(header::IF_NONE_MATCH, tag.clone())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        assert_eq!(again.headers()[header::ETAG], tag);
        let body = axum::body::to_bytes(again.into_body(), 1024).await.unwrap();
        assert!(body.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed(
            "/widget/liaison-core.3f2a9c0d1e4b5a6f.js"
        ));
        assert!(is_content_hashed(
            "/widget/liaison-core_bg.3f2a9c0d1e4b5a6f.wasm"
        ));
        assert!(is_content_hashed(
            "/pkg/chunk_12.hbvrRdgZZaomZicmT0Xh_A.wasm"
        ));
        assert!(is_content_hashed(
            "/pkg/__wasm_split.8LDAHMBtwOG54-LxY6ZKLQ.js"
        ));
        assert!(is_content_hashed(
            "/pkg/chunk_21.xR-ipy__TPWChnNlCvveMw.wasm"
        ));
        assert!(!is_content_hashed("/widget/liaison.js"));
        assert!(!is_content_hashed(
            "/help/guide.getting_started_billing.html"
        ));
        assert!(!is_content_hashed(
            "/help/a.getting_started_with_billing.html"
        ));
        assert!(!is_content_hashed("/pkg/chunk_12.wasm"));
        assert!(!is_content_hashed("/pkg/app.v2.js"));
        assert!(
            !is_content_hashed("/pkg/3f2a9c0d1e4b5a6f.js"),
            "the hash is not the name"
        );
    }

    #[test]
    fn copies_follow_their_originals() {
        let dir = std::env::temp_dir().join(format!("liaison-static-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        let js = dir.join("nested/app.js");
        std::fs::write(&js, "console.log('hello');".repeat(100)).unwrap();
        std::fs::write(dir.join("logo.png"), [0u8; 64]).unwrap();
        assert_eq!(precompress(&dir, true).unwrap(), 1, "only the text file");
        let br = std::fs::read(sibling(&js, "br")).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, std::fs::read(&js).unwrap());
        assert!(br.len() < 100, "compressed: {} bytes", br.len());
        assert!(!dir.join("logo.png.br").exists());
        assert_eq!(precompress(&dir, true).unwrap(), 0, "fresh copies are kept");

        std::fs::remove_file(&js).unwrap();
        precompress(&dir, true).unwrap();
        assert!(!sibling(&js, "br").exists() && !sibling(&js, "gz").exists());

        std::fs::write(&js, "changed").unwrap();
        precompress(&dir, true).unwrap();
        // File times move in steps of a few milliseconds.
        std::thread::sleep(std::time::Duration::from_millis(30));
        std::fs::write(&js, "changed again, in a debug build").unwrap();
        assert_eq!(precompress(&dir, false).unwrap(), 0);
        assert!(!sibling(&js, "br").exists(), "a stale copy is never served");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
