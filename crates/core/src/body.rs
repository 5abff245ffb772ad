//! Reading response bodies with a size cap, so a huge or endless answer cannot exhaust memory.

use bytes::{Bytes, BytesMut};

/// Why a body was not read in full.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("the response body exceeds the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error(transparent)]
    Transport(#[from] reqwest::Error),
}

/// The whole body, or [`BodyError::TooLarge`] as soon as it is known to exceed `limit` (from its
/// `Content-Length`, or while streaming): at most `limit` plus one chunk is ever held.
pub(crate) async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Bytes, BodyError> {
    if response.content_length().is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    // Most bodies arrive in one chunk: keep it as it is and copy only when a second one comes.
    let Some(first) = response.chunk().await? else { return Ok(Bytes::new()) };
    if first.len() > limit {
        return Err(BodyError::TooLarge { limit });
    }
    let Some(second) = response.chunk().await? else { return Ok(first) };
    let mut body = BytesMut::from(&first[..]);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok(body.freeze())
}

/// At most the first `limit` bytes of the body (error bodies are kept for diagnosis only); the
/// rest is never read.
pub(crate) async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Result<Bytes, BodyError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() >= room {
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
