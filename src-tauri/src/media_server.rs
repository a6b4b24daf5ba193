//! A small HTTP/1.1 server on the loopback interface that answers the window's media player
//! (see [`crate::media`] for why not a custom URI scheme, and for what it answers).
//!
//! It listens on `127.0.0.1` at a port the system picks, and answers only paths that start
//! with a secret drawn at start-up (32 random bytes, in hex): the page learns the address
//! from the `media_source` command, so another program or another user of this machine
//! that finds the port still gets nothing without it. A Host other than the server's own
//! address is refused (no DNS rebinding), one request per connection, a request head of at
//! most 8 KiB, at most [`MAX_CONNECTIONS`] at once, and a slow client times out. The bytes
//! cross the loopback in plaintext, inside the kernel, as they would over IPC; they are
//! never written to a file. Nothing is logged.

use std::io::{self, BufWriter, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rand::RngCore;
use tauri::http::{header, Request, Response, StatusCode};

use crate::commands::{closed, SessionState};
use crate::error::{ApiError, Code};
use crate::media::{self, Answer};
use crate::session::Session;

/// Connections served at once; more are refused (503).
const MAX_CONNECTIONS: usize = 16;
/// The largest request head read (request line and headers).
const MAX_HEAD: usize = 8 * 1024;

/// The running server: where the page finds it.
pub struct MediaServer {
    /// `http://127.0.0.1:<port>/<secret>`; a media URL is this, `/`, and an attachment id.
    base: String,
}

impl MediaServer {
    /// Binds to a free loopback port and serves `session`'s media from a thread of its own.
    pub fn start(session: SessionState) -> io::Result<MediaServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let secret = hex::encode(secret);
        let host = format!("127.0.0.1:{port}");
        let base = format!("http://{host}/{secret}");
        let open = Arc::new(AtomicUsize::new(0));
        thread::Builder::new()
            .name("fieldcase-media".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                        open.fetch_sub(1, Ordering::SeqCst);
                        let _ =
                            write_head(&stream, &media::refused(StatusCode::SERVICE_UNAVAILABLE));
                        continue;
                    }
                    let (session, host, secret, count) =
                        (session.clone(), host.clone(), secret.clone(), open.clone());
                    let spawned = thread::Builder::new()
                        .name("fieldcase-media-conn".into())
                        .spawn(move || {
                            let _ = serve(&session, stream, &host, &secret);
                            count.fetch_sub(1, Ordering::SeqCst);
                        });
                    if spawned.is_err() {
                        open.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            })?;
        Ok(MediaServer { base })
    }

    /// `http://127.0.0.1:<port>/<secret>`.
    pub fn base(&self) -> &str {
        &self.base
    }
}

/// Where the window's media player reads a video or recording: the server's address with its
/// secret (`http://127.0.0.1:<port>/<secret>`); a source is that, `/`, and the attachment id.
/// Only while unlocked; not found when the server could not start.
#[tauri::command]
pub fn media_source(
    session: tauri::State<'_, SessionState>,
    server: tauri::State<'_, Option<MediaServer>>,
) -> Result<String, ApiError> {
    let base = session
        .with_store(|_| server.as_ref().map(|s| s.base().to_string()))
        .ok_or_else(|| closed(&session))?;
    base.ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            "videos and recordings cannot play on this computer (the media server did not start)",
        )
    })
}

/// What a request head says: method, path (with the secret) and headers.
fn parse_head(head: &[u8]) -> Option<Request<()>> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target, version) = (first.next()?, first.next()?, first.next()?);
    if first.next().is_some() || !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return None;
    }
    let mut request = Request::builder().method(method).uri(target);
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        request = request.header(name.trim(), value.trim());
    }
    request.body(()).ok()
}

/// Whether two strings are equal, in a time that depends on their length only.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Decides the answer to one parsed request: the Host and the secret first, then [`media::answer`]
/// on the path after the secret.
fn answer(session: &Session, request: Request<()>, host: &str, secret: &str) -> Answer {
    let right_host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == host);
    if !right_host {
        return Answer::Refused(media::refused(StatusCode::FORBIDDEN));
    }
    let path = request.uri().path();
    let rest = path
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .filter(|(given, _)| same(given, secret))
        .map(|(_, rest)| format!("/{rest}"));
    let Some(rest) = rest else {
        return Answer::Refused(media::refused(StatusCode::NOT_FOUND));
    };
    let (mut parts, ()) = request.into_parts();
    parts.uri = match rest.parse() {
        Ok(uri) => uri,
        Err(_) => return Answer::Refused(media::refused(StatusCode::NOT_FOUND)),
    };
    media::answer(session, &Request::from_parts(parts, ()))
}

/// Reads one request from `stream`, answers it and closes the connection.
fn serve(session: &Session, stream: TcpStream, host: &str, secret: &str) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut head = Vec::with_capacity(1024);
    let mut byte = [0u8; 1024];
    let mut reader = &stream;
    while !head.ends_with(b"\r\n\r\n") {
        let n = reader.read(&mut byte)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&byte[..n]);
        if head.len() > MAX_HEAD {
            return write_head(&stream, &media::refused(StatusCode::BAD_REQUEST));
        }
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end + 4); // a GET has no body; anything after is ignored
        }
    }
    let Some(request) = parse_head(&head) else {
        return write_head(&stream, &media::refused(StatusCode::BAD_REQUEST));
    };
    match answer(session, request, host, secret) {
        Answer::Refused(response) => write_head(&stream, &response),
        Answer::Serve(serve) => {
            let mut out = BufWriter::with_capacity(64 * 1024, &stream);
            write_head(&mut out, &serve.head)?;
            serve.write_body(session, &mut out)
        }
    }
}

/// Writes a response's status line and headers (and `Connection: close`).
fn write_head(mut out: impl Write, response: &Response<()>) -> io::Result<()> {
    let status = response.status();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        if let Ok(value) = value.to_str() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    out.write_all(head.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::KdfChoice;

    #[test]
    fn request_heads_are_read_strictly() {
        let r =
            parse_head(b"GET /abc/def HTTP/1.1\r\nHost: 127.0.0.1:5\r\nRange: bytes=0-\r\n\r\n")
                .unwrap();
        assert_eq!((r.method().as_str(), r.uri().path()), ("GET", "/abc/def"));
        assert_eq!(r.headers()["range"], "bytes=0-");
        for bad in [
            &b"GET /x HTTP/1.1 extra\r\n\r\n"[..],
            b"GET x HTTP/1.1\r\n\r\n",
            b"GET /x SPDY/3\r\n\r\n",
            b"GET /x HTTP/1.1\r\nno colon\r\n\r\n",
            b"\xff\xfe\r\n\r\n",
        ] {
            assert!(parse_head(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn the_host_and_the_secret_come_first() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::new(dir.path().join("p"), KdfChoice::TestsOnly);
        let secret = "ab".repeat(32);
        let id = uuid::Uuid::now_v7();
        let status = |host: &str, path: &str| {
            let request = Request::builder()
                .uri(path)
                .header("Host", host)
                .body(())
                .unwrap();
            match answer(&session, request, "127.0.0.1:9", &secret) {
                Answer::Refused(r) => r.status(),
                Answer::Serve(s) => s.head.status(),
            }
        };
        assert_eq!(
            status("evil.example:9", &format!("/{secret}/{id}")),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status("127.0.0.1:9", &format!("/{}/{id}", "cd".repeat(32))),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status("127.0.0.1:9", &format!("/{id}")),
            StatusCode::NOT_FOUND
        );
        assert_eq!(status("127.0.0.1:9", "/"), StatusCode::NOT_FOUND);
        // The right host and secret reach the media answer: locked here, so refused.
        assert_eq!(
            status("127.0.0.1:9", &format!("/{secret}/{id}")),
            StatusCode::FORBIDDEN
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn a_real_connection_gets_an_answer_and_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let session: SessionState =
            Arc::new(Session::new(dir.path().join("p"), KdfChoice::TestsOnly));
        let server = MediaServer::start(session).unwrap();
        let base = server.base().strip_prefix("http://").unwrap();
        let (host, secret) = base.split_once('/').unwrap();
        assert_eq!(secret.len(), 64);
        let mut stream = TcpStream::connect(host).unwrap();
        let id = uuid::Uuid::now_v7();
        write!(
            stream,
            "GET /{secret}/{id} HTTP/1.1\r\nHost: {host}\r\nRange: bytes=0-\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(
            reply.starts_with("HTTP/1.1 403 Forbidden\r\n"),
            "locked: {reply}"
        );
        assert!(reply.contains("cache-control: no-store\r\n") && reply.ends_with("\r\n\r\n"));
    }
}
