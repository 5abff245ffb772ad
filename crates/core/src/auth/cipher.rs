//! At-rest encryption for stored secrets: [`TokenCipher`] seals with one [`SealingKey`] and
//! opens with any key of its keyring, so keys can be rotated without losing what is stored.
//!
//! The AEAD is XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`): a 32-byte key, a random
//! 24-byte nonce per seal (large enough that random nonces never repeat in practice) and a 16-byte
//! tag that makes any change to the ciphertext, the nonce, the key id or the context fail to open.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::zeroize::Zeroizing;
use serde::{Deserialize, Serialize};

/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const MAX_KEY_ID_LEN: usize = 64;

/// A 32-byte key for [`TokenCipher`], known by an id that is stored in clear beside everything it
/// seals (so the right key can be picked when opening, and a retired key named when it is missing).
///
/// The bytes must be random (e.g. `openssl rand -base64 32`) and kept out of the data they protect:
/// an environment variable or a secret manager. `Debug` shows the id only; the bytes cannot be
/// read back out, and are wiped from memory when the last clone is dropped.
#[derive(Clone)]
pub struct SealingKey {
    id: String,
    aead: XChaCha20Poly1305,
}

impl SealingKey {
    /// A key from its raw bytes. The id must be 1 to 64 printable ASCII characters without spaces
    /// (e.g. `2025-06`): it is written in clear and shown in errors.
    pub fn new(id: impl Into<String>, bytes: [u8; KEY_LEN]) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(bytes);
        let id = checked_id(id.into())?;
        let aead = XChaCha20Poly1305::new(&(*bytes).into());
        Ok(Self { id, aead })
    }

    /// A key from base64 (standard or URL-safe alphabet, padded or not) of exactly 32 bytes.
    /// Surrounding whitespace (a trailing newline from a secret file) is ignored.
    pub fn from_base64(id: impl Into<String>, text: &str) -> Result<Self, KeyError> {
        let id = checked_id(id.into())?;
        let text = text.trim();
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .map(Zeroizing::new)
            .ok_or_else(|| KeyError::NotBase64 { key_id: id.clone() })?;
        let bytes: [u8; KEY_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength { key_id: id.clone(), len: decoded.len() })?;
        Self::new(id, bytes)
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey").field("id", &self.id).finish_non_exhaustive()
    }
}

fn checked_id(id: String) -> Result<String, KeyError> {
    let valid = !id.is_empty() && id.len() <= MAX_KEY_ID_LEN && id.bytes().all(|byte| byte.is_ascii_graphic());
    if valid {
        Ok(id)
    } else {
        Err(KeyError::InvalidId {
            reason: format!("must be 1 to {MAX_KEY_ID_LEN} printable ASCII characters without spaces"),
        })
    }
}

/// Seals secrets for storage and opens them again: one current key seals, every key of the keyring
/// opens. Cheap to clone (the keys are shared).
///
/// To rotate, make the new key current and keep the old one with
/// [`with_old_key`](Self::with_old_key): data sealed with the old key still opens, and is sealed
/// with the new one the next time it is written. Once everything has been rewritten (for token
/// stores: after one refresh of every connection), drop the old key.
///
/// Token stores take one with `encrypted` ([`FileTokenStore::encrypted`](super::FileTokenStore::encrypted),
/// `RedisTokenStore::encrypted` in `sage-redis-store`) and then seal the whole token set, with the
/// key id in clear beside it.
///
/// ```
/// use sage_core::auth::{FileTokenStore, SealingKey, TokenCipher};
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// # std::env::set_var("SAGE_TOKEN_KEY", "q1g9RDD8xQd5p8mEBVD5iVuDCZEwYFbzUZjPuW2p1hs=");
/// # std::env::set_var("SAGE_TOKEN_KEY_OLD", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
/// // 32 random bytes each, base64, e.g. from `openssl rand -base64 32`, kept in a secret manager.
/// let cipher = TokenCipher::new(SealingKey::from_base64("2025-06", &std::env::var("SAGE_TOKEN_KEY")?)?)
///     .with_old_key(SealingKey::from_base64("2025-01", &std::env::var("SAGE_TOKEN_KEY_OLD")?)?)?;
///
/// let sealed = cipher.seal("my-app/connection", b"a secret");
/// assert_eq!(sealed.key_id(), "2025-06");
/// assert_eq!(cipher.open("my-app/connection", &sealed)?, b"a secret");
/// assert!(cipher.open("another purpose", &sealed).is_err());
///
/// let store = FileTokenStore::new("tokens.json").encrypted(cipher);
/// # let _ = store; Ok(()) }
/// # demo().unwrap();
/// ```
#[derive(Clone)]
pub struct TokenCipher {
    /// The current key first, then the old ones.
    keys: Arc<[SealingKey]>,
}

impl TokenCipher {
    /// A cipher sealing with `current`, and opening only what it sealed.
    pub fn new(current: SealingKey) -> Self {
        Self { keys: Arc::new([current]) }
    }

    /// Also opens what `old` sealed (never seals with it). Fails if the keyring already has a key
    /// with that id.
    pub fn with_old_key(self, old: SealingKey) -> Result<Self, KeyError> {
        if self.key(old.id()).is_some() {
            return Err(KeyError::DuplicateId { key_id: old.id }); // the duplicate's bytes go with it
        }
        let mut keys = self.keys.to_vec();
        keys.push(old);
        Ok(Self { keys: keys.into() })
    }

    /// The id of the key that seals.
    pub fn current_key_id(&self) -> &str {
        self.keys[0].id()
    }

    /// The ids of every key that opens, the current one first.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(SealingKey::id)
    }

    /// Seals `plaintext` with the current key and a fresh random nonce. `context` names what the
    /// data is for (e.g. `"my-app/connection"`): it is authenticated, not stored, and opening needs
    /// the same one, so data sealed for one purpose cannot be passed off as another's.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Sealed {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = associated_data(context, &key.id);
        let ciphertext = key
            .aead
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: &aad })
            // Only a plaintext of more than 256 GiB could fail, far beyond anything stored here.
            .expect("XChaCha20-Poly1305 seals any message shorter than 256 GiB");
        Sealed { key_id: key.id.clone(), nonce, ciphertext }
    }

    /// Opens what [`seal`](Self::seal) sealed with any key of the keyring, for the same `context`.
    pub fn open(&self, context: &str, sealed: &Sealed) -> Result<Vec<u8>, OpenError> {
        let Some(key) = self.key(&sealed.key_id) else {
            return Err(OpenError::UnknownKey {
                key_id: sealed.key_id.clone(),
                keyring: self.key_ids().map(str::to_owned).collect(),
            });
        };
        let aad = associated_data(context, &key.id);
        key.aead
            .decrypt(&XNonce::from(sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
            .map_err(|_| OpenError::Tampered { key_id: sealed.key_id.clone() })
    }

    fn key(&self, id: &str) -> Option<&SealingKey> {
        self.keys.iter().find(|key| key.id == id)
    }
}

impl fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCipher").field("key_ids", &self.key_ids().collect::<Vec<_>>()).finish()
    }
}

/// The context and the key id, each length-prefixed so no two pairs give the same bytes.
fn associated_data(context: &str, key_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(16 + context.len() + key_id.len());
    for part in [context, key_id] {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

/// Data sealed by a [`TokenCipher`]: the key id in clear, a nonce and the ciphertext (with its tag).
///
/// Serializes (serde) as `{"key_id": "…", "nonce": "<base64>", "ciphertext": "<base64>"}`.
/// `Debug` shows the key id and the ciphertext's length only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SealedWire", try_from = "SealedWire")]
pub struct Sealed {
    key_id: String,
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl Sealed {
    /// The id of the key that sealed this.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id).field("ciphertext_len", &self.ciphertext.len()).finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedWire {
    key_id: String,
    nonce: String,
    ciphertext: String,
}

impl From<Sealed> for SealedWire {
    fn from(sealed: Sealed) -> Self {
        Self {
            key_id: sealed.key_id,
            nonce: STANDARD.encode(sealed.nonce),
            ciphertext: STANDARD.encode(sealed.ciphertext),
        }
    }
}

impl TryFrom<SealedWire> for Sealed {
    type Error = String;

    fn try_from(wire: SealedWire) -> Result<Self, String> {
        let nonce = STANDARD.decode(&wire.nonce).ok().and_then(|nonce| <[u8; NONCE_LEN]>::try_from(nonce).ok());
        let Some(nonce) = nonce else { return Err(format!("the nonce is not {NONCE_LEN} bytes of base64")) };
        let ciphertext = STANDARD.decode(&wire.ciphertext).map_err(|_| "the ciphertext is not base64".to_owned())?;
        Ok(Self { key_id: wire.key_id, nonce, ciphertext })
    }
}

/// Why a [`SealingKey`] or a [`TokenCipher`]'s keyring could not be built. Never shows key bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key id is empty, too long, or has characters other than printable ASCII.
    #[error("invalid key id: {reason}")]
    InvalidId {
        /// What is wrong with it.
        reason: String,
    },
    /// The key text is not base64.
    #[error("key `{key_id}` is not base64")]
    NotBase64 {
        /// The key's id.
        key_id: String,
    },
    /// The key does not have 32 bytes.
    #[error("key `{key_id}` has {len} bytes, not {KEY_LEN}")]
    WrongLength {
        /// The key's id.
        key_id: String,
        /// How many bytes it has.
        len: usize,
    },
    /// Two keys of one keyring have the same id.
    #[error("the keyring already has a key `{key_id}`")]
    DuplicateId {
        /// The id given twice.
        key_id: String,
    },
}

/// Why sealed data could not be opened. The sealed data itself is never the problem of the caller
/// to discard: it may hold the only working refresh token, so stores leave it untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Sealed with a key that is not in the keyring (a retired key, or another app's).
    #[error("sealed with key `{key_id}`, which is not in the keyring ({})", keyring.join(", "))]
    UnknownKey {
        /// The id stored with the data.
        key_id: String,
        /// The ids of the keys that were tried.
        keyring: Vec<String>,
    },
    /// The key is known but the data does not authenticate: it was altered, the key with that id
    /// has other bytes than the one that sealed it, or it was sealed for another context.
    #[error("the data sealed with key `{key_id}` does not authenticate: altered, sealed with other key bytes under that id, or sealed for another purpose")]
    Tampered {
        /// The id stored with the data.
        key_id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, byte: u8) -> SealingKey {
        SealingKey::new(id, [byte; KEY_LEN]).unwrap()
    }

    #[test]
    fn seals_and_opens_with_a_fresh_nonce_each_time() {
        let cipher = TokenCipher::new(key("k1", 1));
        let first = cipher.seal("ctx", b"secret");
        let second = cipher.seal("ctx", b"secret");
        assert_ne!(first.ciphertext, second.ciphertext);
        assert!(!first.ciphertext.windows(6).any(|window| window == b"secret"));
        assert_eq!(cipher.open("ctx", &first).unwrap(), b"secret");
        assert_eq!(cipher.open("ctx", &second).unwrap(), b"secret");
    }

    #[test]
    fn old_keys_open_and_only_the_current_one_seals() {
        let old = TokenCipher::new(key("old", 1));
        let sealed_by_old = old.seal("ctx", b"secret");
        let rotated = TokenCipher::new(key("new", 2)).with_old_key(key("old", 1)).unwrap();
        assert_eq!(rotated.open("ctx", &sealed_by_old).unwrap(), b"secret");
        assert_eq!(rotated.seal("ctx", b"x").key_id(), "new");
        assert_eq!(rotated.key_ids().collect::<Vec<_>>(), ["new", "old"]);
        assert!(matches!(rotated.clone().with_old_key(key("new", 3)), Err(KeyError::DuplicateId { .. })));
    }

    #[test]
    fn unknown_keys_tampering_and_other_contexts_fail_by_name() {
        let cipher = TokenCipher::new(key("k1", 1));
        let other = TokenCipher::new(key("k9", 1)); // same bytes, other id: the id is authenticated
        let sealed = other.seal("ctx", b"secret");
        let err = cipher.open("ctx", &sealed).unwrap_err();
        assert_eq!(err, OpenError::UnknownKey { key_id: "k9".into(), keyring: vec!["k1".into()] });
        assert!(err.to_string().contains("`k9`") && err.to_string().contains("k1"), "{err}");

        let mut relabelled = sealed.clone();
        relabelled.key_id = "k1".into();
        assert_eq!(cipher.open("ctx", &relabelled).unwrap_err(), OpenError::Tampered { key_id: "k1".into() });

        let mut sealed = cipher.seal("ctx", b"secret");
        assert!(matches!(cipher.open("other", &sealed), Err(OpenError::Tampered { .. })));
        sealed.ciphertext[0] ^= 1;
        let err = cipher.open("ctx", &sealed).unwrap_err();
        assert!(matches!(&err, OpenError::Tampered { key_id } if key_id == "k1"), "{err:?}");
        let wrong_bytes = TokenCipher::new(key("k1", 2));
        assert!(matches!(wrong_bytes.open("ctx", &cipher.seal("ctx", b"s")), Err(OpenError::Tampered { .. })));
    }

    #[test]
    fn keys_come_from_base64_in_any_common_spelling() {
        let bytes: Vec<u8> = (0..32).collect();
        for text in [STANDARD.encode(&bytes), URL_SAFE_NO_PAD.encode(&bytes), format!("{}\n", STANDARD.encode(&bytes))]
        {
            let from_text = TokenCipher::new(SealingKey::from_base64("k", &text).unwrap());
            let from_bytes = TokenCipher::new(SealingKey::new("k", bytes.clone().try_into().unwrap()).unwrap());
            assert_eq!(from_bytes.open("c", &from_text.seal("c", b"x")).unwrap(), b"x", "{text}");
        }
        assert_eq!(
            SealingKey::from_base64("k", &STANDARD.encode([1u8; 16])).unwrap_err(),
            KeyError::WrongLength { key_id: "k".into(), len: 16 }
        );
        assert!(matches!(SealingKey::from_base64("k", "not base64!"), Err(KeyError::NotBase64 { .. })));
        for id in ["", "has space", "ünicode", &"x".repeat(65)] {
            assert!(matches!(SealingKey::new(id, [0; KEY_LEN]), Err(KeyError::InvalidId { .. })), "{id:?}");
        }
    }

    #[test]
    fn debug_never_shows_key_bytes_or_ciphertext() {
        let text = STANDARD.encode([0xAB; KEY_LEN]);
        let key = SealingKey::from_base64("k1", &text).unwrap();
        let cipher = TokenCipher::new(key.clone());
        let sealed = cipher.seal("c", b"plain");
        for debug in [format!("{key:?}"), format!("{cipher:?}"), format!("{sealed:?}")] {
            assert!(debug.contains("k1"), "{debug}");
            assert!(
                !debug.contains(&text[..8]) && !debug.to_lowercase().contains("abab") && !debug.contains("171"),
                "{debug}"
            );
        }
    }

    #[test]
    fn sealed_data_round_trips_through_serde_with_the_key_id_in_clear() {
        let cipher = TokenCipher::new(key("2025-06", 1));
        let sealed = cipher.seal("c", b"secret");
        let json = serde_json::to_string(&sealed).unwrap();
        assert!(json.contains("\"key_id\":\"2025-06\""), "{json}");
        let back: Sealed = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sealed);
        assert!(serde_json::from_str::<Sealed>(r#"{"key_id":"k","nonce":"AAAA","ciphertext":""}"#).is_err());
    }
}

#[cfg(test)]
#[path = "cipher_file_tests.rs"]
mod file_store_tests;
