//! Catching the authorization redirect on `127.0.0.1` for CLI and desktop apps (RFC 8252).
//!
//! A deliberately tiny HTTP/1.1 responder over tokio rather than axum/hyper: it answers one kind
//! of request with a static page, and sage-core stays free of a server stack for everyone else.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::error::AuthError;
use super::redirect::{parse_redirect, AuthorizationResponse};
use super::secret::CsrfState;

/// The port sage-rs listens on for the redirect unless told otherwise. Sage compares redirect URIs
/// exactly, so an app registers [`DEFAULT_REDIRECT_URI`] once and every sign-in matches it.
pub const DEFAULT_LOOPBACK_PORT: u16 = 8791;
/// The path of the redirect on the loopback listener.
pub const DEFAULT_CALLBACK_PATH: &str = "/callback";
/// `http://127.0.0.1:8791/callback`: the redirect URI to register for CLI and desktop sign-ins.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8791/callback";

/// Longest request head accepted; a redirect with a 2 KiB code fits easily.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request (browsers open idle spare sockets).
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Signed in</title>\
<p>Authorization complete. You can close this window and return to the application.</p>";
const DENIED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Not authorized</title>\
<p>Authorization was not granted. You can close this window.</p>";
const REFUSED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Invalid request</title>\
<p>This response does not belong to the sign-in in progress. Please start again from the application.</p>";

/// A listener on `127.0.0.1` that waits for the identity server's redirect.
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    path: String,
    redirect_uri: String,
}

/// What one connection contributed.
enum Outcome {
    /// The authorization response (or its refusal): stop listening.
    Finished(Result<AuthorizationResponse, AuthError>),
    /// Another path, a reload without parameters, a broken request: keep waiting.
    Ignored,
}

impl LoopbackRedirect {
    /// Listens on [`DEFAULT_LOOPBACK_PORT`] at [`DEFAULT_CALLBACK_PATH`]: the redirect URI is
    /// [`DEFAULT_REDIRECT_URI`], which is what to register with Sage.
    pub async fn bind_default() -> Result<Self, AuthError> {
        Self::bind_port(DEFAULT_LOOPBACK_PORT, DEFAULT_CALLBACK_PATH).await
    }

    /// Listens on a free port; the redirect URI is `http://127.0.0.1:<port><path>` (for identity
    /// servers that accept any loopback port, and for tests).
    pub async fn bind(path: &str) -> Result<Self, AuthError> {
        Self::bind_port(0, path).await
    }

    /// Listens on a fixed port, for identity servers that only accept registered exact URIs.
    pub async fn bind_port(port: u16, path: &str) -> Result<Self, AuthError> {
        if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
            return Err(AuthError::Config(format!("callback path `{path}` must start with `/` and have no query")));
        }
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|err| AuthError::Config(format!("cannot listen on 127.0.0.1:{port}: {err}")))?;
        let port = listener.local_addr().map_err(|err| AuthError::Config(err.to_string()))?.port();
        Ok(Self { listener, path: path.to_owned(), redirect_uri: format!("http://127.0.0.1:{port}{path}") })
    }

    /// The URI to register and pass to [`OAuthClient::new`](super::OAuthClient::new).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves until a redirect for this request arrives or `timeout` passes. A denial ends the
    /// wait with [`AuthError::AuthorizationDenied`]. A redirect whose state does not match gets a
    /// 400 and is otherwise ignored, like other paths (404): anyone able to reach the port could
    /// send one, and it must not abort the user's sign-in.
    pub async fn wait(self, expected_state: &CsrfState, timeout: Duration) -> Result<AuthorizationResponse, AuthError> {
        tokio::time::timeout(timeout, self.serve(expected_state))
            .await
            .unwrap_or(Err(AuthError::CallbackTimeout(timeout)))
    }

    async fn serve(self, expected_state: &CsrfState) -> Result<AuthorizationResponse, AuthError> {
        let (results, mut outcomes) = mpsc::channel(8);
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let (path, state, results) = (self.path.clone(), expected_state.clone(), results.clone());
                    connections.spawn(async move {
                        let outcome = answer(stream, &path, &state).await;
                        let _ = results.send(outcome).await;
                    });
                }
                Some(outcome) = outcomes.recv() => {
                    if let Outcome::Finished(result) = outcome {
                        return result;
                    }
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

async fn answer(mut stream: TcpStream, path: &str, expected_state: &CsrfState) -> Outcome {
    let Ok(Some(target)) = tokio::time::timeout(READ_TIMEOUT, read_get_target(&mut stream)).await else {
        let _ = respond(&mut stream, "400 Bad Request", REFUSED_PAGE).await;
        return Outcome::Ignored;
    };
    if target.split('?').next() != Some(path) {
        let _ = respond(&mut stream, "404 Not Found", "").await;
        return Outcome::Ignored;
    }
    let result = parse_redirect(&target, expected_state);
    let (status, page) = match &result {
        Ok(_) => ("200 OK", DONE_PAGE),
        Err(AuthError::AuthorizationDenied { .. }) => ("200 OK", DENIED_PAGE),
        Err(_) => ("400 Bad Request", REFUSED_PAGE),
    };
    let _ = respond(&mut stream, status, page).await;
    match result {
        Err(AuthError::InvalidRedirect(reason)) => {
            tracing::debug!(%reason, "ignoring a callback request that is not an authorization response");
            Outcome::Ignored
        }
        Err(AuthError::StateMismatch) => {
            tracing::warn!("ignoring a callback whose state belongs to no sign-in in progress (forged or stale)");
            Outcome::Ignored
        }
        finished => Outcome::Finished(finished),
    }
}

/// Reads the request head and returns the target of a `GET`, or `None` for anything else.
async fn read_get_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") && !head.windows(2).any(|window| window == b"\n\n") {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || head.len() + read > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    let head = std::str::from_utf8(&head).ok()?;
    let mut request_line = head.lines().next()?.split(' ');
    match (request_line.next(), request_line.next(), request_line.next()) {
        (Some("GET"), Some(target), Some(version)) if version.starts_with("HTTP/1.") => Some(target.to_owned()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: &str, page: &str) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(uri: &str, path_and_query: &str) -> String {
        let authority = uri.trim_start_matches("http://").split('/').next().unwrap().to_owned();
        let mut stream = TcpStream::connect(&authority).await.unwrap();
        let request = format!("GET {path_and_query} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[tokio::test]
    async fn returns_the_code_and_ignores_other_paths() {
        let loopback = LoopbackRedirect::bind("/callback").await.unwrap();
        let uri = loopback.redirect_uri().to_owned();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let state = CsrfState::new("st");
        let waiting = tokio::spawn(async move { loopback.wait(&state, Duration::from_secs(30)).await });
        assert!(get(&uri, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        assert!(get(&uri, "/callback").await.starts_with("HTTP/1.1 400"), "a bare reload is refused");
        let page = get(&uri, "/callback?code=abc&state=st&country=us").await;
        assert!(page.starts_with("HTTP/1.1 200") && page.contains("close this window"));
        let response = waiting.await.unwrap().unwrap();
        assert_eq!(response.code().secret(), "abc");
        assert_eq!(response.country(), Some("us"));
    }

    #[tokio::test]
    async fn a_forged_state_is_refused_and_the_real_redirect_still_signs_in() {
        let loopback = LoopbackRedirect::bind("/cb").await.unwrap();
        let uri = loopback.redirect_uri().to_owned();
        let waiting =
            tokio::spawn(async move { loopback.wait(&CsrfState::new("mine"), Duration::from_secs(30)).await });
        assert!(get(&uri, "/cb?code=forged&state=theirs").await.starts_with("HTTP/1.1 400"));
        assert!(get(&uri, "/cb?error=access_denied&state=theirs").await.starts_with("HTTP/1.1 400"));
        assert!(!waiting.is_finished(), "a forged redirect does not end the wait");
        assert!(get(&uri, "/cb?code=real&state=mine").await.starts_with("HTTP/1.1 200"));
        assert_eq!(waiting.await.unwrap().unwrap().code().secret(), "real");
    }

    #[tokio::test]
    async fn times_out_with_a_typed_error() {
        let loopback = LoopbackRedirect::bind("/cb").await.unwrap();
        let result = loopback.wait(&CsrfState::new("s"), Duration::from_millis(20)).await;
        assert!(matches!(result, Err(AuthError::CallbackTimeout(_))));
    }

    #[test]
    fn the_default_redirect_uri_is_made_of_the_default_port_and_path() {
        assert_eq!(DEFAULT_REDIRECT_URI, format!("http://127.0.0.1:{DEFAULT_LOOPBACK_PORT}{DEFAULT_CALLBACK_PATH}"));
    }

    #[tokio::test]
    async fn refuses_paths_with_queries() {
        assert!(LoopbackRedirect::bind("cb").await.is_err());
        assert!(LoopbackRedirect::bind("/cb?x=1").await.is_err());
    }
}
