//! A shared sandbox closes connections that send nothing: before the first request (hyper's
//! header timer only starts at the first byte) and between requests, after the same time a client
//! gets to send a request's headers.

mod common;

use std::time::{Duration, Instant};

use common::*;
use sage_sandbox::Sandbox;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_millis(1_000);
/// Bounds every wait, so that connections kept open for good fail the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(15);

async fn sandbox() -> (Sandbox, String) {
    let sandbox = Sandbox::builder().products(api_products()).header_read_timeout(TIMEOUT).start().await.unwrap();
    let address = sandbox.url().trim_start_matches("http://").to_owned();
    (sandbox, address)
}

/// Waits for the server to close `stream`; returns how long the connection was open, or `None`
/// if it was still open after [`PATIENCE`].
async fn open_for(mut stream: TcpStream, opened: Instant) -> Option<Duration> {
    let mut rest = Vec::new();
    match tokio::time::timeout(PATIENCE, stream.read_to_end(&mut rest)).await {
        Ok(_) => Some(opened.elapsed()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_that_send_nothing_are_closed_after_the_timeout() {
    let (sandbox, address) = sandbox().await;
    let mut idle = Vec::new();
    for _ in 0..1_000 {
        let stream = TcpStream::connect(&address).await.unwrap();
        idle.push((stream, Instant::now()));
    }
    let waits: Vec<_> = idle.into_iter().map(|(stream, opened)| tokio::spawn(open_for(stream, opened))).collect();

    let mut lifetimes = Vec::new();
    for wait in waits {
        lifetimes.push(wait.await.unwrap());
    }

    let still_open = lifetimes.iter().filter(|open| open.is_none()).count();
    assert_eq!(still_open, 0, "connections still open after {PATIENCE:?}");
    let shortest = lifetimes.iter().flatten().min().unwrap();
    let longest = lifetimes.iter().flatten().max().unwrap();
    assert!(*shortest >= TIMEOUT - Duration::from_millis(50), "closed before the timeout: {shortest:?}");
    assert!(*longest < TIMEOUT + Duration::from_secs(10), "closed long after the timeout: {longest:?}");

    let healthy = http().get(format!("{}/v3.1/user", sandbox.url())).send().await.unwrap();
    assert_eq!(healthy.status(), reqwest::StatusCode::UNAUTHORIZED, "requests are still served");
}

#[tokio::test]
async fn a_kept_alive_connection_that_goes_quiet_is_closed_too() {
    let (_sandbox, address) = sandbox().await;
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"GET /v3.1/user HTTP/1.1\r\nHost: sandbox\r\n\r\n").await.unwrap();
    let mut first = [0; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 401", "the request was answered");

    let answered = Instant::now();
    let open = open_for(stream, answered).await.expect("the quiet connection was closed");
    assert!(open >= TIMEOUT - Duration::from_millis(50), "{open:?}");
}

#[tokio::test]
async fn a_connection_closed_at_once_or_sending_promptly_is_unaffected() {
    let (sandbox, address) = sandbox().await;
    drop(TcpStream::connect(&address).await.unwrap());
    let mut prompt = TcpStream::connect(&address).await.unwrap();
    tokio::time::sleep(TIMEOUT / 2).await;
    prompt.write_all(b"GET /v3.1/user HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, prompt.read_to_end(&mut answer)).await.unwrap().unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 401"), "{}", String::from_utf8_lossy(&answer));
    assert!(sandbox.url().starts_with("http://"));
}
