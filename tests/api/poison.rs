//! Poison documents: a file whose parsing exhausts memory or takes too long fails alone, with
//! its reason, and the next document is ready; the server never holds the file's memory. Files
//! are read by a worker process (`kb::documents::worker`), within limits.

use crate::common::*;
use crate::kb::{pdf, pdf_of, settled, upload};
use std::io::Write;

/// A PDF whose one content stream inflates to `gib` GiB of zeros: a few MB on the wire.
fn inflation_bomb(gib: usize) -> Vec<u8> {
    // One MiB of zeros, deflated and sync-flushed: a run of blocks that can be repeated (every
    // back-reference is to zeros), then the final block and the checksum of all those zeros.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; 1 << 20]).unwrap();
    z.flush().unwrap();
    let chunk = z.get_ref()[2..].to_vec();
    let repeats = gib * 1024;
    let total = (repeats as u64) << 20;
    let mut stream = vec![0x78, 0xda];
    for _ in 0..repeats {
        stream.extend_from_slice(&chunk);
    }
    stream.extend_from_slice(&[0x03, 0x00]);
    stream.extend_from_slice(&((((total % 65521) as u32) << 16) | 1).to_be_bytes());

    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
    ];
    let mut content = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        stream.len()
    )
    .into_bytes();
    content.extend_from_slice(&stream);
    content.extend_from_slice(b"\nendstream");
    objects.push(content);
    pdf_of(&objects)
}

async fn poisoned_then_fine(app: &TestApp, bomb: Vec<u8>) -> serde_json::Value {
    let op = operator(app, OWNER_EMAIL).await;
    let r = upload(app, &op, "bomb.pdf", bomb).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = upload(
        app,
        &op,
        "fine.pdf",
        pdf("Returns are free within 30 days."),
    )
    .await;
    assert_eq!(r.status(), 200);
    let list = crate::kb::documents(app, &op).await;
    let id = |name: &str| {
        list["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["title"].as_str().unwrap().contains(name))
            .unwrap_or_else(|| panic!("{name} in {list}"))["id"]
            .as_i64()
            .unwrap()
    };
    let (bomb, fine) = (id("bomb"), id("fine"));
    let failed = settled(app, &op, bomb).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    // The next document is read as usual, and the server is fine.
    assert_eq!(settled(app, &op, fine).await["status"], "ready");
    assert_eq!(
        client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_exhausts_memory_fails_alone() {
    let app = spawn_with(&[("LIAISON_DOCUMENT_MEMORY_MB", "256")]).await;
    let failed = poisoned_then_fine(&app, inflation_bomb(1)).await;
    let reason = failed["error"].as_str().unwrap();
    assert!(reason.contains("more than 256 MB of memory"), "{reason}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_takes_too_long_is_stopped() {
    // Memory enough to keep inflating for seconds; the time limit stops it first.
    let app = spawn_with(&[
        ("LIAISON_DOCUMENT_MEMORY_MB", "16384"),
        ("LIAISON_DOCUMENT_TIMEOUT_SECS", "1"),
    ])
    .await;
    let failed = poisoned_then_fine(&app, inflation_bomb(2)).await;
    let reason = failed["error"].as_str().unwrap();
    assert!(reason.contains("longer than 1 seconds"), "{reason}");
    app.stop().await;
}
