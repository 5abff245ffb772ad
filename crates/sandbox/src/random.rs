//! Unguessable values from the operating system's CSPRNG.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;

/// `bytes` random bytes as URL-safe base64 (4 characters per 3 bytes).
pub(crate) fn token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// A 32-character lowercase hex id, the shape Accounting uses for record ids.
pub(crate) fn hex_id() -> String {
    let mut buffer = [0u8; 16];
    OsRng.fill_bytes(&mut buffer);
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_expected_length_and_differ() {
        assert_eq!(token(1_575).len(), 2_100);
        assert_ne!(token(32), token(32));
        assert_eq!(hex_id().len(), 32);
    }
}
