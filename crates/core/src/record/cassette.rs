//! The cassette file format, and reading one back (size-capped, every error naming file and line).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};

/// The `format` value of a cassette's first line.
pub const FORMAT: &str = "sage-rs-cassette";

/// The version of the format this crate writes and reads.
pub const VERSION: u32 = 1;

/// The largest cassette [`Cassette::read`] accepts (64 MiB); see [`Cassette::read_with_limit`].
pub const DEFAULT_CASSETTE_LIMIT: u64 = 64 * 1024 * 1024;

/// One line of a cassette file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    /// The first line: what the file is and how it was redacted.
    Cassette {
        /// Always [`FORMAT`].
        format: String,
        /// [`VERSION`].
        version: u32,
        /// Whether e-mail addresses and person names were replaced too.
        personal_data_redacted: bool,
    },
    /// A client that recorded into the file: its product and base URL.
    Client(RecordedClient),
    /// One request and its answer.
    Exchange(Exchange),
}

/// A client that recorded into a cassette.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedClient {
    /// The product's name, e.g. `accounting-v31`.
    pub product: String,
    /// The client's resolved base URL.
    pub base_url: String,
}

/// What an exchange talked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    /// A call of a product API.
    Api,
    /// A token endpoint request (code exchange, refresh).
    Token,
}

/// One request and its answer, redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// 1, 2, … in the order the answers arrived.
    pub seq: u64,
    /// API call or token request.
    pub kind: ExchangeKind,
    /// The operation name for API calls (`list_contacts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// `GET`, `POST`, …
    pub method: String,
    /// The full URL with its query, as sent (secret query fields replaced).
    pub url: String,
    /// What was sent.
    pub request: Message,
    /// What came back.
    pub response: ResponseMessage,
}

/// Headers and body of a request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Message {
    /// The headers that matter, lower-case names (never `Authorization`, cookies or keys).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body as text (UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body in standard base64, when it is not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// Status, headers and body of a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseMessage {
    /// The HTTP status.
    pub status: u16,
    /// Headers and body.
    #[serde(flatten)]
    pub message: Message,
}

impl Message {
    /// The body's bytes (empty when there was none).
    pub fn body_bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(encoded)) => {
                base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|err| format!("body_base64: {err}"))
            }
            (None, None) => Ok(Vec::new()),
        }
    }

    pub(crate) fn with_body(headers: BTreeMap<String, String>, body: Option<String>, binary: Option<&[u8]>) -> Self {
        let body_base64 = binary.map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes));
        Self { headers, body, body_base64 }
    }
}

impl Exchange {
    /// The URL's path (`/v3.1/contacts`), percent-encoded as sent.
    pub fn path(&self) -> &str {
        split_url(&self.url).0
    }

    /// The URL's query without `?` (empty when none).
    pub fn query(&self) -> &str {
        split_url(&self.url).1
    }
}

/// Path and query of an absolute (or path-only) URL.
pub fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_start = if url.contains("://") { after_scheme.find('/').unwrap_or(after_scheme.len()) } else { 0 };
    let rest = &after_scheme[path_start..];
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (if path.is_empty() { "/" } else { path }, query)
}

/// Why a cassette could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// The file could not be opened or read.
    #[error("cannot read cassette {}: {source}", path.display())]
    Io {
        /// The cassette.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is larger than allowed.
    #[error("cassette {} is larger than {limit} bytes; raise the limit if it is meant to be", path.display())]
    TooLarge {
        /// The cassette.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A line is not what the format says.
    #[error("cassette {}, line {line}: {message}", path.display())]
    Line {
        /// The cassette.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A cassette read back: the clients that recorded into it and the exchanges in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cassette {
    /// Where it was read from.
    pub path: PathBuf,
    /// Whether e-mail addresses and person names were replaced too.
    pub personal_data_redacted: bool,
    /// The clients that recorded, in order of first use.
    pub clients: Vec<RecordedClient>,
    /// The exchanges, in the order the answers arrived.
    pub exchanges: Vec<Exchange>,
}

impl Cassette {
    /// Reads a cassette of at most [`DEFAULT_CASSETTE_LIMIT`] bytes.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        Self::read_with_limit(path, DEFAULT_CASSETTE_LIMIT)
    }

    /// Reads a cassette of at most `limit` bytes; a larger one is refused without being read in full.
    pub fn read_with_limit(path: impl AsRef<Path>, limit: u64) -> Result<Self, CassetteError> {
        let path = path.as_ref();
        let io = |source| CassetteError::Io { path: path.to_owned(), source };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > limit {
            return Err(CassetteError::TooLarge { path: path.to_owned(), limit });
        }
        Self::parse(path, &bytes)
    }

    /// Parses cassette text; `path` names it in errors.
    pub fn parse(path: impl AsRef<Path>, bytes: &[u8]) -> Result<Self, CassetteError> {
        let path = path.as_ref();
        let fail = |line: usize, message: String| CassetteError::Line { path: path.to_owned(), line, message };
        let mut cassette = Cassette {
            path: path.to_owned(),
            personal_data_redacted: false,
            clients: Vec::new(),
            exchanges: Vec::new(),
        };
        let mut seen_header = false;
        for (index, raw) in bytes.split(|byte| *byte == b'\n').enumerate() {
            let number = index + 1;
            let text = std::str::from_utf8(raw).map_err(|_| fail(number, "not UTF-8".into()))?.trim();
            if text.is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(text).map_err(|err| fail(number, err.to_string()))?;
            match line {
                Line::Cassette { format, version, personal_data_redacted } => {
                    if seen_header {
                        return Err(fail(number, "a second cassette header".into()));
                    }
                    if format != FORMAT || version != VERSION {
                        return Err(fail(
                            number,
                            format!("format {format} version {version}; this build reads {FORMAT} version {VERSION}"),
                        ));
                    }
                    seen_header = true;
                    cassette.personal_data_redacted = personal_data_redacted;
                }
                _ if !seen_header => {
                    return Err(fail(
                        number,
                        format!("not a sage-rs cassette: the first line must be the `{FORMAT}` header"),
                    ))
                }
                Line::Client(client) => {
                    if !cassette.clients.contains(&client) {
                        cassette.clients.push(client);
                    }
                }
                Line::Exchange(exchange) => {
                    exchange.request.body_bytes().map_err(|err| fail(number, err))?;
                    exchange.response.message.body_bytes().map_err(|err| fail(number, err))?;
                    cassette.exchanges.push(exchange);
                }
            }
        }
        if !seen_header {
            return Err(fail(1, format!("empty: not a sage-rs cassette (no `{FORMAT}` header)")));
        }
        Ok(cassette)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_path_and_query() {
        assert_eq!(split_url("http://h:1/v3.1/contacts?a=1&b=2"), ("/v3.1/contacts", "a=1&b=2"));
        assert_eq!(split_url("https://h"), ("/", ""));
        assert_eq!(split_url("/token"), ("/token", ""));
    }

    #[test]
    fn bad_lines_are_named_by_file_and_line() {
        let header = format!(r#"{{"type":"cassette","format":"{FORMAT}","version":1,"personal_data_redacted":false}}"#);
        let err =
            Cassette::parse("c.jsonl", format!("{header}\n\n{{\"type\":\"exchange\"}}\n").as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("cassette c.jsonl, line 3: missing field"), "{err}");
        let err =
            Cassette::parse("c.jsonl", b"{\"type\":\"client\",\"product\":\"p\",\"base_url\":\"u\"}").unwrap_err();
        assert!(err.to_string().contains("line 1: not a sage-rs cassette"), "{err}");
        let err = Cassette::parse("c.jsonl", b"").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let err = Cassette::parse("c.jsonl", b"\xff\xfe").unwrap_err();
        assert!(err.to_string().contains("line 1: not UTF-8"), "{err}");
    }

    #[test]
    fn an_oversized_cassette_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jsonl");
        std::fs::write(&path, vec![b' '; 2048]).unwrap();
        let err = Cassette::read_with_limit(&path, 1024).unwrap_err();
        assert!(matches!(err, CassetteError::TooLarge { limit: 1024, .. }), "{err}");
        assert!(err.to_string().contains("big.jsonl"), "{err}");
    }
}
