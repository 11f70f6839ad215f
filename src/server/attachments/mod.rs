//! Attachments: images, voice messages and files sent in a conversation, by visitors (the
//! widget's paperclip) and operators (the composer's paperclip and microphone).
//!
//! The bytes are stored under the data directory by their sha256 (`attachments/ab/abcd…`), so
//! the sender's file name is never a path and the same file sent twice is stored once; images
//! get a thumbnail beside them. What a file is comes from its bytes (`sniff`); the
//! `attachments` table says which conversation may read it (`http.rs` serves it to operators
//! and to that conversation's visitor only).

pub mod http;
pub mod sniff;

use liaison_protocol::MessageKind;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A file accepted and written to the store, not yet in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub kind: MessageKind,
    pub thumbnail: bool,
}

/// Thumbnails fit in this square (pixels).
const THUMB_SIDE: u32 = 320;

/// Where attachments live: a directory of content-addressed files.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(data_dir: &Path) -> Store {
        Store {
            root: data_dir.join("attachments"),
        }
    }

    /// The file for a sha256 (hex, checked): never derived from anything a client named.
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    pub fn thumbnail_path(&self, sha256: &str) -> Option<PathBuf> {
        self.path(sha256).map(|p| p.with_extension("thumb"))
    }

    /// Deletes a file and its thumbnail (data retention); one already gone is fine.
    pub async fn remove(&self, sha256: &str) -> std::io::Result<()> {
        for path in [self.path(sha256), self.thumbnail_path(sha256)]
            .into_iter()
            .flatten()
        {
            match tokio::fs::remove_file(&path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks the bytes, writes them (and a thumbnail for images) and says what they are.
    /// Hashing, decoding and writing run off the async workers.
    pub async fn accept(
        &self,
        bytes: Vec<u8>,
        sent_name: &str,
        recording: bool,
    ) -> Result<StoredFile, AcceptError> {
        let sniffed = sniff::sniff(&bytes, recording)?;
        let name = sniff::display_name(sent_name);
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write(bytes, name, sniffed))
            .await
            .map_err(|e| AcceptError::Io(std::io::Error::other(e)))?
    }

    fn write(
        &self,
        bytes: Vec<u8>,
        name: String,
        sniffed: sniff::Sniffed,
    ) -> Result<StoredFile, AcceptError> {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let path = self.path(&sha256).expect("a sha256 is a valid name");
        if !path.exists() {
            std::fs::create_dir_all(path.parent().expect("under the root"))?;
            // Written aside and renamed: a reader never sees half a file.
            let partial = path.with_extension(format!("part{}", rand::random::<u32>()));
            std::fs::write(&partial, &bytes)?;
            std::fs::rename(&partial, &path)?;
        }
        let thumbnail = sniffed.kind == MessageKind::Image && {
            let thumb = self.thumbnail_path(&sha256).expect("valid");
            thumb.exists() || write_thumbnail(&bytes, &thumb)
        };
        Ok(StoredFile {
            sha256,
            name,
            mime: sniffed.mime,
            size: bytes.len() as i64,
            kind: sniffed.kind,
            thumbnail,
        })
    }
}

/// A thumbnail of an image, when it decodes within bounds (a "decompression bomb" does not);
/// false when there is none (the original is shown instead).
fn write_thumbnail(bytes: &[u8], to: &Path) -> bool {
    let make = || -> Result<(), Box<dyn std::error::Error>> {
        let mut reader =
            image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(12_000);
        limits.max_image_height = Some(12_000);
        limits.max_alloc = Some(256 << 20);
        reader.limits(limits);
        let small = reader.decode()?.thumbnail(THUMB_SIDE, THUMB_SIDE);
        let mut out = std::io::Cursor::new(Vec::new());
        if small.color().has_alpha() {
            small.write_to(&mut out, image::ImageFormat::Png)?;
        } else {
            small
                .to_rgb8()
                .write_to(&mut out, image::ImageFormat::Jpeg)?;
        }
        let partial = to.with_extension(format!("part{}", rand::random::<u32>()));
        std::fs::write(&partial, out.into_inner())?;
        std::fs::rename(&partial, to)?;
        Ok(())
    };
    match make() {
        Ok(()) => true,
        Err(e) => {
            tracing::info!("no thumbnail: {e}");
            false
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error("{0}")]
    Refused(#[from] sniff::Refused),
    #[error("could not store the file: {0}")]
    Io(#[from] std::io::Error),
}
