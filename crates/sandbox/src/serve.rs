//! The accept loop. Unlike `axum::serve` it bounds how long a client may take to send its request
//! headers, counted from the connection's opening, so idle connections and half-open requests
//! cannot pile up on a sandbox shared by a team.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

/// Pause after a failed accept (e.g. out of file descriptors) before trying again.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// Serves `app` until `stop` fires, then lets open connections finish their current request.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    stop: oneshot::Receiver<()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    let (closing, closing_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                };
                let (builder, service) = (builder.clone(), TowerToHyperService::new(app.clone()));
                let mut closing = closing_seen.clone();
                connections.spawn(async move {
                    // hyper's header timer starts only once the protocol is known, which takes a
                    // first byte: a connection sending none gets the same time, then is closed.
                    let mut first = [0; 1];
                    let first_byte = tokio::time::timeout(header_read_timeout, stream.peek(&mut first));
                    tokio::select! {
                        arrived = first_byte => if !matches!(arrived, Ok(Ok(read)) if read > 0) { return; },
                        _ = closing.changed() => return,
                    }
                    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = closing.changed() => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}
