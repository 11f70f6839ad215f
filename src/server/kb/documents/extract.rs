//! From what a user added to plain text the knowledge base can index: the format from the file
//! name or content type, then extraction (html2text for HTML, pdf-extract for PDF), then
//! passages that keep their headings. Pure functions; the caller runs PDF extraction on a
//! blocking thread.

use crate::server::kb::chunk::{Chunk, chunk_markdown};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Text,
    Html,
    Pdf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        [Format::Markdown, Format::Text, Format::Html, Format::Pdf]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    /// From a file name's extension.
    pub fn from_file_name(name: &str) -> Result<Format, String> {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "txt" | "text" => Ok(Format::Text),
            "html" | "htm" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            "" => Err(format!(
                "{name:?} has no file extension: add .md, .txt, .html or .pdf files."
            )),
            other => Err(format!(
                "{name:?}: .{other} files are not supported; add .md, .txt, .html or .pdf files."
            )),
        }
    }

    /// From an HTTP Content-Type, falling back to the URL's extension.
    pub fn from_content_type(content_type: &str, url: &str) -> Result<Format, String> {
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "text/html" | "application/xhtml+xml" => Ok(Format::Html),
            "application/pdf" => Ok(Format::Pdf),
            "text/markdown" | "text/x-markdown" => Ok(Format::Markdown),
            "text/plain" => {
                let path = url.split(['?', '#']).next().unwrap_or(url);
                Ok(Format::from_file_name(path).unwrap_or(Format::Text))
            }
            _ => {
                let path = url.split(['?', '#']).next().unwrap_or(url);
                Format::from_file_name(path).map_err(|_| {
                    format!("The URL returned {mime:?}, which is not HTML, PDF, Markdown or text.")
                })
            }
        }
    }
}

/// The longest passage kept whole, in characters; longer ones are split at sentence ends.
pub const MAX_PASSAGE: usize = 1200;

/// The text of a document. PDF parsing can be slow: call it off the async threads.
pub fn text(format: Format, bytes: &[u8]) -> Result<String, String> {
    let text = match format {
        Format::Markdown | Format::Text => String::from_utf8(bytes.to_vec())
            .map_err(|_| "The file is not UTF-8 text.".to_string())?
            .trim_start_matches('\u{feff}')
            .to_string(),
        Format::Html => html2text::config::plain_no_decorate()
            .string_from_read(bytes, 100_000)
            .map_err(|e| format!("The HTML could not be read: {e}"))?,
        Format::Pdf => pdf_extract::extract_text_from_mem(bytes)
            .map_err(|e| format!("The PDF could not be read: {e}"))?,
    };
    let text = normalise_blank_lines(&text);
    if text.trim().is_empty() {
        return Err(
            "No text found in this document (a scanned PDF needs text recognition first).".into(),
        );
    }
    Ok(text)
}

/// Lines with only spaces become empty, and runs of blank lines one, so paragraphs split cleanly.
fn normalise_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.replace("\r\n", "\n").lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            if blank == 1 {
                out.push('\n');
            }
            continue;
        }
        blank = 0;
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

/// Passages for the index: headings kept with their paragraphs, long paragraphs split.
pub fn passages(title: &str, text: &str) -> Vec<Chunk> {
    let mut out = Vec::new();
    for chunk in chunk_markdown(title, text) {
        for body in split_long(&chunk.body, MAX_PASSAGE) {
            out.push(Chunk {
                heading: chunk.heading.clone(),
                body,
            });
        }
    }
    out
}

/// Splits text longer than `max` characters at sentence ends (or spaces, or anywhere).
pub fn split_long(text: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > max {
        let limit = rest
            .char_indices()
            .nth(max)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let window = &rest[..limit];
        let cut = window
            .rfind(". ")
            .map(|i| i + 1)
            .filter(|&i| i > limit / 3)
            .or_else(|| window.rfind(' ').filter(|&i| i > limit / 3))
            .unwrap_or(limit);
        parts.push(rest[..cut].trim().to_string());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        parts.push(rest.to_string());
    }
    parts
}

/// A title from a file name: "refund-policy_v2.md" -> "refund policy v2".
pub fn title_from_file_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem = stem.rsplit(['/', '\\']).next().unwrap_or(stem);
    let title = stem.replace(['-', '_'], " ").trim().to_string();
    if title.is_empty() {
        "Untitled document".into()
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names_and_types() {
        assert_eq!(Format::from_file_name("Guide.MD"), Ok(Format::Markdown));
        assert_eq!(Format::from_file_name("a.pdf"), Ok(Format::Pdf));
        assert!(
            Format::from_file_name("a.docx")
                .unwrap_err()
                .contains(".docx")
        );
        assert!(Format::from_file_name("README").is_err());
        assert_eq!(
            Format::from_content_type("text/html; charset=utf-8", "https://x/faq"),
            Ok(Format::Html)
        );
        assert_eq!(
            Format::from_content_type("text/plain", "https://x/notes.md?x=1"),
            Ok(Format::Markdown)
        );
        assert!(Format::from_content_type("image/png", "https://x/logo").is_err());
    }

    #[test]
    fn html_keeps_headings_and_drops_markup() {
        let html = b"<html><head><title>T</title><script>var x = 1;</script></head><body>
            <h2>Returns</h2><p>You can return <b>any</b> item within 30 days.</p></body></html>";
        let text = text(Format::Html, html).unwrap();
        assert!(text.contains("Returns"), "{text}");
        assert!(
            text.contains("You can return any item within 30 days."),
            "{text}"
        );
        assert!(!text.contains("<b>"), "{text}");
        assert!(!text.contains("var x"), "{text}");
        let chunks = passages("FAQ", &text);
        assert!(
            chunks
                .iter()
                .any(|c| c.heading == "Returns" && c.body.contains("30 days")),
            "{chunks:?}"
        );
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(text(Format::Text, &[0xff, 0xfe, 0x00]).is_err());
        assert!(
            text(Format::Markdown, b"  \n\n ")
                .unwrap_err()
                .contains("No text")
        );
        assert!(text(Format::Pdf, b"not a pdf").unwrap_err().contains("PDF"));
    }

    #[test]
    fn long_passages_split_at_sentences() {
        let sentence = "This sentence is exactly fifty characters long ok. ";
        let long = sentence.repeat(40);
        let parts = split_long(&long, 200);
        assert!(parts.iter().all(|p| p.chars().count() <= 200));
        assert!(parts.iter().all(|p| p.ends_with('.')), "{parts:?}");
        assert_eq!(parts.join(" "), long.trim());
    }

    #[test]
    fn titles_from_file_names() {
        assert_eq!(
            title_from_file_name("refund-policy_v2.md"),
            "refund policy v2"
        );
        assert_eq!(title_from_file_name(".md"), "Untitled document");
    }
}
