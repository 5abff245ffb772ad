//! The versioned JSON a token set is stored as. Public so that stores outside this crate
//! (Redis, a database) write the same bytes as [`FileTokenStore`](super::FileTokenStore).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::error::StoreError;
use crate::auth::profile::SageApi;
use crate::auth::secret::{AccessToken, IdToken, RefreshToken};
use crate::auth::token_set::TokenSet;

/// The format written by [`encode`]; [`decode`] refuses any other.
pub const FORMAT_VERSION: u32 = 1;

const FORMAT_NAME: &str = "sage-rs/token-set";

/// A token set sealed by a [`TokenCipher`](crate::auth::TokenCipher) (feature `encryption`):
/// `{"format": SEALED_FORMAT_NAME, "version": 1, "sealed": {"key_id", "nonce", "ciphertext"}}`,
/// the ciphertext being the whole of what [`encode`] writes. Also the context the seal is bound to.
const SEALED_FORMAT_NAME: &str = "sage-rs/sealed-token-set";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    format: String,
    version: u32,
    tokens: Stored,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    api: SageApi,
    access_token: String,
    refresh_token: Option<String>,
    id_token: Option<String>,
    token_type: String,
    scopes: Vec<String>,
    received_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    refresh_expires_at: Option<DateTime<Utc>>,
    resource_owner_id: Option<String>,
    requested_by_id: Option<String>,
    /// Absent in sets written before generations existed: those read as generation 0.
    #[serde(default)]
    generation: u64,
}

/// Serializes a token set, secrets included: the result must only ever go to a token store.
pub fn encode(tokens: &TokenSet) -> Vec<u8> {
    let stored = Stored {
        api: tokens.api,
        access_token: tokens.access_token.secret().to_owned(),
        refresh_token: tokens.refresh_token.as_ref().map(|token| token.secret().to_owned()),
        id_token: tokens.id_token.as_ref().map(|token| token.secret().to_owned()),
        token_type: tokens.token_type.clone(),
        scopes: tokens.scopes.clone(),
        received_at: tokens.received_at,
        expires_at: tokens.expires_at,
        refresh_expires_at: tokens.refresh_expires_at,
        resource_owner_id: tokens.resource_owner_id.clone(),
        requested_by_id: tokens.requested_by_id.clone(),
        generation: tokens.generation,
    };
    let envelope = Envelope { format: FORMAT_NAME.into(), version: FORMAT_VERSION, tokens: stored };
    // Serializing plain strings, numbers and dates into a Vec cannot fail.
    serde_json::to_vec_pretty(&envelope).unwrap_or_default()
}

/// Parses what [`encode`] wrote. `location` names the source in errors; error messages never
/// quote the data, which holds secrets.
pub fn decode(bytes: &[u8], location: &str) -> Result<TokenSet, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { location: location.to_owned(), reason };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|err| corrupt(format!("not JSON (line {})", err.line())))?;
    let format = value.get("format").and_then(|format| format.as_str());
    let version = value.get("version").and_then(|version| version.as_u64());
    if format == Some(SEALED_FORMAT_NAME) {
        let key_id = value.pointer("/sealed/key_id").and_then(|id| id.as_str()).unwrap_or("?");
        return Err(corrupt(format!(
            "the token set is sealed with key `{key_id}`, but this store has no cipher to open it (`encrypted`)"
        )));
    }
    if format != Some(FORMAT_NAME) {
        return Err(corrupt(format!("not a `{FORMAT_NAME}` document")));
    }
    if version != Some(u64::from(FORMAT_VERSION)) {
        return Err(corrupt(format!("format version {version:?} is not supported (expected {FORMAT_VERSION})")));
    }
    let envelope: Envelope = serde_path_to_error::deserialize(value)
        .map_err(|err| corrupt(format!("bad field `{}` ({:?})", err.path(), err.inner().classify())))?;
    let stored = envelope.tokens;
    Ok(TokenSet {
        api: stored.api,
        access_token: AccessToken::new(stored.access_token),
        refresh_token: stored.refresh_token.map(RefreshToken::new),
        id_token: stored.id_token.map(IdToken::new),
        token_type: stored.token_type,
        scopes: stored.scopes,
        received_at: stored.received_at,
        expires_at: stored.expires_at,
        refresh_expires_at: stored.refresh_expires_at,
        resource_owner_id: stored.resource_owner_id,
        requested_by_id: stored.requested_by_id,
        generation: stored.generation,
    })
}

/// [`encode`], sealed with `cipher`'s current key; the key id is stored in clear beside it.
#[cfg(feature = "encryption")]
#[cfg_attr(docsrs, doc(cfg(feature = "encryption")))]
pub fn encode_sealed(tokens: &TokenSet, cipher: &crate::auth::TokenCipher) -> Vec<u8> {
    let plain = secrecy::zeroize::Zeroizing::new(encode(tokens));
    let envelope = SealedEnvelope {
        format: SEALED_FORMAT_NAME.into(),
        version: SEALED_VERSION,
        sealed: cipher.seal(SEALED_FORMAT_NAME, &plain),
    };
    serde_json::to_vec_pretty(&envelope).unwrap_or_default()
}

/// Parses what [`encode_sealed`] wrote, opening it with any key of `cipher`'s keyring, or what
/// [`encode`] wrote (a set stored before encryption was turned on: the next save seals it).
/// A set sealed with a key not in the keyring, or altered, is [`StoreError::Corrupt`] naming the key id.
#[cfg(feature = "encryption")]
#[cfg_attr(docsrs, doc(cfg(feature = "encryption")))]
pub fn decode_sealed(bytes: &[u8], location: &str, cipher: &crate::auth::TokenCipher) -> Result<TokenSet, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { location: location.to_owned(), reason };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|err| corrupt(format!("not JSON (line {})", err.line())))?;
    if value.get("format").and_then(|format| format.as_str()) != Some(SEALED_FORMAT_NAME) {
        let tokens = decode(bytes, location)?;
        tracing::info!(location, "the token set is stored unencrypted: the next save seals it");
        return Ok(tokens);
    }
    let version = value.get("version").and_then(|version| version.as_u64());
    if version != Some(u64::from(SEALED_VERSION)) {
        return Err(corrupt(format!("sealed format version {version:?} is not supported (expected {SEALED_VERSION})")));
    }
    let envelope: SealedEnvelope = serde_path_to_error::deserialize(value)
        .map_err(|err| corrupt(format!("bad field `{}` ({:?})", err.path(), err.inner().classify())))?;
    let plain = cipher
        .open(SEALED_FORMAT_NAME, &envelope.sealed)
        .map(secrecy::zeroize::Zeroizing::new)
        .map_err(|err| corrupt(err.to_string()))?;
    decode(&plain, location)
}

#[cfg(feature = "encryption")]
const SEALED_VERSION: u32 = 1;

#[cfg(feature = "encryption")]
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedEnvelope {
    format: String,
    version: u32,
    sealed: crate::auth::Sealed,
}

/// How a token store writes token sets: plain, or sealed when it was given a cipher. The file store
/// and `sage-redis-store` both write through it, so the choice between [`encode`] and
/// [`encode_sealed`] is made in one place.
#[derive(Debug, Clone, Default)]
pub struct Codec {
    #[cfg(feature = "encryption")]
    cipher: Option<crate::auth::TokenCipher>,
}

impl Codec {
    /// Sets sealed with `cipher` (and read with any key of its keyring).
    #[cfg(feature = "encryption")]
    #[cfg_attr(docsrs, doc(cfg(feature = "encryption")))]
    pub fn sealed(cipher: crate::auth::TokenCipher) -> Self {
        Self { cipher: Some(cipher) }
    }

    /// The set as the store keeps it.
    pub fn encode(&self, tokens: &TokenSet) -> Vec<u8> {
        #[cfg(feature = "encryption")]
        if let Some(cipher) = &self.cipher {
            return encode_sealed(tokens, cipher);
        }
        encode(tokens)
    }

    /// A set the store kept; `location` names where, for errors.
    pub fn decode(&self, bytes: &[u8], location: &str) -> Result<TokenSet, StoreError> {
        #[cfg(feature = "encryption")]
        if let Some(cipher) = &self.cipher {
            return decode_sealed(bytes, location, cipher);
        }
        decode(bytes, location)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn sample() -> TokenSet {
        let mut tokens =
            TokenSet::new(SageApi::AccountingV31, AccessToken::new("a".repeat(4096)), Duration::from_secs(300))
                .with_refresh_token(RefreshToken::new("r-1"), Some(Duration::from_secs(2_678_400)));
        tokens.requested_by_id = Some("user-7".into());
        tokens
    }

    #[test]
    fn round_trips_every_field() {
        let tokens = sample();
        assert_eq!(decode(&encode(&tokens), "test").unwrap(), tokens);
    }

    #[test]
    fn a_set_stored_without_a_generation_reads_as_generation_0() {
        let tokens = sample().with_generation(42);
        let mut value: serde_json::Value = serde_json::from_slice(&encode(&tokens)).unwrap();
        assert_eq!(value["tokens"]["generation"], 42);
        value["tokens"].as_object_mut().unwrap().remove("generation");
        let legacy = decode(&serde_json::to_vec(&value).unwrap(), "test").unwrap();
        assert_eq!(legacy, tokens.with_generation(0));
    }

    #[test]
    fn refuses_other_versions_and_garbage_without_quoting_them() {
        let text = String::from_utf8(encode(&sample())).unwrap().replace("\"version\": 1", "\"version\": 2");
        let err = decode(text.as_bytes(), "test").unwrap_err().to_string();
        assert!(err.contains("version"), "{err}");

        let err =
            decode(b"{\"format\":\"sage-rs/token-set\",\"version\":1,\"tokens\":{\"api\":\"secret-value\"}}", "t")
                .unwrap_err()
                .to_string();
        assert!(err.contains("tokens.api") && !err.contains("secret-value"), "{err}");

        assert!(decode(b"\x00garbage", "t").is_err());
        assert!(decode(b"{}", "t").is_err());
    }
}
