//! The knowledge base, one word and one place: documents (upload, paste, URL; processed in the
//! background), Help Center articles, the chunks both become, the public Help Center pages, and
//! knowledge gaps. Its SQL lives in `db::kb` and `db::documents`; retrieval over it in `ai`.

pub mod articles;
pub mod chunk;
pub mod documents;
pub mod gaps;
pub mod help_center;
pub mod upload;
