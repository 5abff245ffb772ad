//! Authentication failures.

/// Why no usable access token could be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The API refused the token and the authenticator has no way to get another.
    #[error("the API rejected the access token and no refresh is possible")]
    Rejected,
    /// The refresh token is expired, revoked or already used: the user must consent again.
    /// Stored tokens are kept for inspection.
    #[error("re-authorization required: {reason}")]
    ReauthorizationRequired {
        /// The identity server's explanation (`invalid_grant`, …), never a token value.
        reason: String,
    },
    /// Anything else that went wrong while obtaining a token.
    #[error("authentication failed: {0}")]
    Other(String),
}
