//! CLI failures and their exit codes.

use std::path::Path;
use std::process::ExitCode;

use sage_core::auth::{AuthError, StoreError};

/// Why a command failed. Each kind has its own exit code (documented in the README).
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments or configuration (exit 2).
    Usage(String),
    /// Not signed in, or the sign-in is no longer valid (exit 3). A token store that cannot be
    /// read or written is [`Other`](Self::Other) (exit 1), as the sign-in may well be intact. Sage refusing the caller (a 401
    /// a refresh did not cure, e.g. "No active subscription. (MSE)", or a 403) is an
    /// [`Api`](Self::Api) error with exit 3 too, so Sage's message is printed.
    Auth(String),
    /// Sage could not be reached (exit 4).
    Transport(String),
    /// Sage answered with an error (exit 5; exit 3 when it refused the caller, see
    /// [`sage_core::ApiError::is_auth_failure`]).
    Api(Box<sage_core::ApiError>),
    /// A response did not decode through the typed models (`sage doctor`, exit 6).
    Drift(String),
    /// The product cannot do what was asked, by the finance model's capability table (`sage
    /// books`, exit 7); nothing was sent.
    Unsupported(String),
    /// Sage answered with an error, in the finance model's terms (`sage books`, exit 5).
    Refused(String),
    /// Anything else (exit 1).
    Other(String),
}

impl CliError {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Other(_) => 1,
            Self::Usage(_) => 2,
            Self::Auth(_) => 3,
            Self::Api(api) if api.is_auth_failure() => 3,
            Self::Transport(_) => 4,
            Self::Api(_) | Self::Refused(_) => 5,
            Self::Drift(_) => 6,
            Self::Unsupported(_) => 7,
        })
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Usage(message)
            | Self::Other(message)
            | Self::Drift(message)
            | Self::Unsupported(message)
            | Self::Refused(message) => f.write_str(message),
            Self::Auth(message) => write!(f, "{message}"),
            Self::Transport(message) => write!(f, "could not reach Sage: {message}"),
            Self::Api(api) => {
                write!(f, "Sage refused {} with HTTP {}.", api.operation, api.status)?;
                for item in &api.items {
                    write!(f, "\n  - {item}")?;
                }
                if api.items.is_empty() {
                    if let Some(words) = body_excerpt(&api.body) {
                        write!(f, "\n  {words}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// What Sage said when it sent no error items: the body's first line, shortened, unless it is HTML.
fn body_excerpt(body: &str) -> Option<String> {
    const MAX_CHARS: usize = 200;
    let line = body.lines().map(str::trim).find(|line| !line.is_empty())?;
    if line.starts_with('<') {
        return None;
    }
    let mut excerpt: String = line.chars().filter(|c| !c.is_control()).take(MAX_CHARS).collect();
    if line.chars().count() > MAX_CHARS {
        excerpt.push('…');
    }
    Some(excerpt)
}

impl From<sage_core::Error> for CliError {
    fn from(err: sage_core::Error) -> Self {
        match err {
            sage_core::Error::Api(api) => Self::Api(api),
            sage_core::Error::Auth(auth) => Self::from(auth),
            sage_core::Error::Transport(_) | sage_core::Error::Timeout => Self::Transport(err.to_string()),
            sage_core::Error::Build(message) => Self::Usage(message),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<AuthError> for CliError {
    /// Exit 3 only when the sign-in itself is missing or no longer valid: a token store that
    /// cannot be read or written, or an identity server answering nonsense, is another failure
    /// (exit 1), with what to fix.
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Store(store) => Self::from(store),
            AuthError::TokenResponseTooLarge { .. } => Self::Other(err.to_string()),
            other => Self::Auth(other.to_string()),
        }
    }
}

impl From<StoreError> for CliError {
    /// A store failure says nothing about the sign-in (exit 1); the message says what to fix.
    fn from(err: StoreError) -> Self {
        let fix = match &err {
            StoreError::Io { path, .. } => {
                let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
                format!(
                    "\nThe sign-in itself was not lost: no refresh token is spent before the store is proven writable. \
                     Make {} writable for this user (or move the profile with --home / SAGE_HOME), then run the \
                     command again.",
                    dir.display()
                )
            }
            StoreError::Rescued { path, .. } => format!(
                "\nThe sign-in is safe in the rescue file. Make {} writable for this user; the next command moves \
                 it back.",
                path.parent().unwrap_or(Path::new(".")).display()
            ),
            StoreError::LockTimeout { .. } => {
                "\nAnother sage command is refreshing the sign-in: run the command again.".to_owned()
            }
            _ => String::new(),
        };
        Self::Other(format!("{err}{fix}"))
    }
}

impl From<sage_connections::Error> for CliError {
    /// Exit 3 when a connection must be connected again or its consent failed; 2 for an unknown
    /// connection or product; Sage's and the token store's failures as everywhere else.
    fn from(err: sage_connections::Error) -> Self {
        use sage_connections::Error;
        match err {
            Error::Auth(auth) => Self::from(auth),
            Error::Store(store) => Self::from(store),
            Error::Client(client) => Self::from(*client),
            Error::Discovery { what, source } => match Self::from(*source) {
                Self::Transport(message) => Self::Transport(format!("listing the account's {what}: {message}")),
                Self::Api(api) => Self::Api(api),
                other => Self::Other(format!("could not list the connected account's {what}: {other}")),
            },
            Error::NotFound(_) | Error::InvalidConnectionId(_) | Error::UnknownProduct(_) => {
                Self::Usage(err.to_string())
            }
            Error::NeedsRelink { .. }
            | Error::Disconnected(_)
            | Error::ConsentDenied { .. }
            | Error::InvalidCallback(_)
            | Error::UnknownState
            | Error::ReusedState
            | Error::ExpiredState { .. }
            | Error::StateOfAnotherConnection { .. } => Self::Auth(err.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<sage_core::catalog::CatalogError> for CliError {
    fn from(err: sage_core::catalog::CatalogError) -> Self {
        Self::Usage(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_list_sage_items_and_have_their_own_code() {
        let api = sage_core::ApiError {
            operation: "create_contact",
            status: 422,
            items: sage_core::ErrorItem::parse_body(
                br#"[{"$dataCode":"RecordInvalid","$message":"Name is required"}]"#,
            ),
            body: String::new(),
            request_id: None,
            attempts: 1,
            retry_after: None,
        };
        let err = CliError::from(sage_core::Error::Api(Box::new(api)));
        assert_eq!(err.to_string(), "Sage refused create_contact with HTTP 422.\n  - RecordInvalid: Name is required");
        assert_eq!(err.exit_code(), ExitCode::from(5));
        assert_eq!(CliError::Usage("x".into()).exit_code(), ExitCode::from(2));
    }

    #[test]
    fn a_token_store_that_cannot_be_written_is_not_a_lost_sign_in() {
        let source = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let store = StoreError::Io { path: "/home/u/.config/sage/default.accounting-v31.tokens.json".into(), source };
        let err = CliError::from(sage_core::Error::Auth(AuthError::Store(store)));
        assert_eq!(err.exit_code(), ExitCode::from(1));
        let message = err.to_string();
        assert!(
            message.starts_with("token store /home/u/.config/sage/default.accounting-v31.tokens.json: "),
            "{message}"
        );
        assert!(message.contains("The sign-in itself was not lost"), "{message}");
        assert!(message.contains("Make /home/u/.config/sage writable for this user"), "{message}");

        let source = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let rescued =
            StoreError::Rescued { path: "/h/tokens.json".into(), rescue: "/h/tokens.json.rescue".into(), source };
        let err = CliError::from(AuthError::Store(rescued));
        assert_eq!(err.exit_code(), ExitCode::from(1));
        assert!(err.to_string().contains("Make /h writable for this user; the next command moves it back"), "{err}");

        let too_large = StoreError::TooLarge { location: "/h/tokens.json".into(), size: 10 << 20, limit: 256 << 10 };
        assert_eq!(CliError::from(too_large).exit_code(), ExitCode::from(1));
    }

    #[test]
    fn a_lost_or_refused_sign_in_still_exits_3() {
        let err = CliError::from(AuthError::ReauthorizationRequired { reason: "invalid_grant".into() });
        assert_eq!(err.exit_code(), ExitCode::from(3));
        assert_eq!(CliError::from(AuthError::TokenResponseTooLarge { limit: 1 }).exit_code(), ExitCode::from(1));
    }

    fn refused(status: u16, body: &str) -> CliError {
        let api = sage_core::ApiError {
            operation: "list_contacts",
            status,
            items: sage_core::ErrorItem::parse_body(body.as_bytes()),
            body: body.into(),
            request_id: None,
            attempts: 1,
            retry_after: None,
        };
        CliError::from(sage_core::Error::Api(Box::new(api)))
    }

    #[test]
    fn sage_refusing_the_caller_prints_its_message_and_exits_3() {
        let err = refused(
            401,
            r#"[{"$severity":"error","$dataCode":"AuthorizationFailure","$message":"No active subscription. (MSE)","$source":""}]"#,
        );
        assert_eq!(
            err.to_string(),
            "Sage refused list_contacts with HTTP 401.\n  - AuthorizationFailure: No active subscription. (MSE)"
        );
        assert_eq!(err.exit_code(), ExitCode::from(3));
        assert_eq!(refused(403, "[]").exit_code(), ExitCode::from(3));
        assert_eq!(refused(404, "[]").exit_code(), ExitCode::from(5));
    }

    #[test]
    fn connections_that_must_be_connected_again_exit_3_and_unknown_ones_2() {
        use sage_connections::{Error, RegistryError};
        let relink = Error::NeedsRelink { id: "c".into(), reason: "invalid_grant".into(), since: chrono::Utc::now() };
        assert_eq!(CliError::from(relink).exit_code(), ExitCode::from(3));
        assert_eq!(CliError::from(Error::Disconnected("c".into())).exit_code(), ExitCode::from(3));
        assert_eq!(CliError::from(Error::ReusedState).exit_code(), ExitCode::from(3));
        assert_eq!(CliError::from(Error::NotFound("c".into())).exit_code(), ExitCode::from(2));
        assert_eq!(CliError::from(Error::UnknownProduct("p".into())).exit_code(), ExitCode::from(2));
        let down = RegistryError::Unavailable { location: "redis://h".into(), reason: "refused".into() };
        assert_eq!(CliError::from(Error::Registry(down)).exit_code(), ExitCode::from(1), "the registry is not Sage");
        let timeout = Error::Client(Box::new(sage_core::Error::Timeout));
        assert_eq!(CliError::from(timeout).exit_code(), ExitCode::from(4));
    }

    #[test]
    fn a_body_without_items_is_shown_unless_it_is_html() {
        assert_eq!(
            refused(502, "upstream timed out\nmore").to_string(),
            "Sage refused list_contacts with HTTP 502.\n  upstream timed out"
        );
        assert_eq!(
            refused(502, "<html><body>Bad gateway</body></html>").to_string(),
            "Sage refused list_contacts with HTTP 502."
        );
        assert_eq!(refused(502, "").to_string(), "Sage refused list_contacts with HTTP 502.");
    }
}
