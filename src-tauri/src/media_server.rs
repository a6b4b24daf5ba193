//! A small HTTP/1.1 server on the loopback interface that answers the window's media player
//! (see [`crate::media`] for why not a custom URI scheme, and for what it answers).
//!
//! It listens on `127.0.0.1` at a port the system picks, and answers only paths that start
//! with a secret (32 random bytes, in hex) drawn anew for each unlock and dead at the next
//! lock: the page learns the address from the `media_source` command, so another program
//! or another user of this machine that finds the port still gets nothing without it, and
//! an address seen before a lock opens nothing after it. A Host other than the server's own
//! address is refused (no DNS rebinding), one request per connection, a request head of at
//! most 8 KiB, at most [`MAX_CONNECTIONS`] at once. Every request has deadlines, not just
//! timeouts between bytes: its head must arrive whole within [`HEAD_DEADLINE`] and each
//! piece of the body must be taken within [`PIECE_DEADLINE`], so a client that trickles a
//! byte at a time cannot hold a slot (and one without the secret never gets past the
//! head). The bytes
//! cross the loopback in plaintext, inside the kernel, as they would over IPC; they are
//! never written to a file. Nothing is logged.

use std::io::{self, BufWriter, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

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
/// A request head must arrive whole within this.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Each [`crate::media`] piece of a body (256 KiB) must be taken within this.
const PIECE_DEADLINE: Duration = Duration::from_secs(30);

/// How long a connection may take over its head and over each piece of its body.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    head: Duration,
    piece: Duration,
}

const DEADLINES: Deadlines = Deadlines {
    head: HEAD_DEADLINE,
    piece: PIECE_DEADLINE,
};

/// The secret of the current unlock, and the session epoch it belongs to.
#[derive(Default)]
struct Secret {
    epoch: u64,
    hex: Option<String>,
}

/// Shared between the command that hands the address out and the threads that serve.
type Secrets = Arc<Mutex<Secret>>;

/// The running server: where the page finds it.
pub struct MediaServer {
    /// `127.0.0.1:<port>`.
    host: String,
    secret: Secrets,
}

impl MediaServer {
    /// Binds to a free loopback port and serves `session`'s media from a thread of its own.
    pub fn start(session: SessionState) -> io::Result<MediaServer> {
        MediaServer::start_with(session, DEADLINES)
    }

    fn start_with(session: SessionState, deadlines: Deadlines) -> io::Result<MediaServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        let host = format!("127.0.0.1:{port}");
        let secrets: Secrets = Arc::default();
        let server = MediaServer {
            host: host.clone(),
            secret: secrets.clone(),
        };
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
                    let (session, host, secrets, count) =
                        (session.clone(), host.clone(), secrets.clone(), open.clone());
                    let spawned = thread::Builder::new()
                        .name("fieldcase-media-conn".into())
                        .spawn(move || {
                            let _ = serve(&session, stream, &host, &secrets, deadlines);
                            count.fetch_sub(1, Ordering::SeqCst);
                        });
                    if spawned.is_err() {
                        open.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            })?;
        Ok(server)
    }

    /// `http://127.0.0.1:<port>/<secret>` for the unlock whose session epoch is `epoch`: the
    /// first call after an unlock draws a new secret, and every lock (which moves the epoch
    /// on) makes the last one worthless.
    pub fn base(&self, epoch: u64) -> String {
        let mut secret = self
            .secret
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if secret.epoch != epoch || secret.hex.is_none() {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            *secret = Secret {
                epoch,
                hex: Some(hex::encode(bytes)),
            };
        }
        format!(
            "http://{}/{}",
            self.host,
            secret.hex.as_deref().unwrap_or("")
        )
    }
}

/// The secret that opens media now: the one drawn for the session's current epoch, if any.
fn current_secret(secrets: &Secrets, session: &Session) -> Option<String> {
    let secret = secrets
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    (secret.epoch == session.epoch())
        .then(|| secret.hex.clone())
        .flatten()
}

/// Where the window's media player reads a video or recording: the server's address with its
/// secret (`http://127.0.0.1:<port>/<secret>`); a source is that, `/`, and the attachment id.
/// Only while unlocked; not found when the server could not start.
#[tauri::command]
pub fn media_source(
    session: tauri::State<'_, SessionState>,
    server: tauri::State<'_, Option<MediaServer>>,
) -> Result<String, ApiError> {
    let epoch = session.epoch();
    let base = session
        .with_store(|_| server.as_ref().map(|s| s.base(epoch)))
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

/// Time left before `deadline`, or a timeout error once it has passed.
fn left(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    Ok(left)
}

/// Reads one request from `stream`, answers it and closes the connection.
fn serve(
    session: &Session,
    stream: TcpStream,
    host: &str,
    secrets: &Secrets,
    deadlines: Deadlines,
) -> io::Result<()> {
    let head_deadline = Instant::now() + deadlines.head;
    stream.set_write_timeout(Some(deadlines.piece))?;
    let mut head = Vec::with_capacity(1024);
    let mut byte = [0u8; 1024];
    let mut reader = &stream;
    while !head.ends_with(b"\r\n\r\n") {
        stream.set_read_timeout(Some(left(head_deadline)?))?;
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
    // No secret for this unlock yet (or a lock since): nothing opens.
    let secret = current_secret(secrets, session).unwrap_or_default();
    match answer(session, request, host, &secret) {
        Answer::Refused(response) => write_head(&stream, &response),
        Answer::Serve(serve) => {
            let paced = Paced::new(&stream, deadlines.piece);
            let mut out = BufWriter::with_capacity(64 * 1024, paced);
            write_head(&mut out, &serve.head)?;
            serve.write_body(session, &mut out)
        }
    }
}

/// A socket writer where every [`media::PIECE`] bytes must be taken within a deadline,
/// however the client spreads its reads.
struct Paced<'a> {
    stream: &'a TcpStream,
    window: Duration,
    deadline: Instant,
    in_piece: usize,
}

impl<'a> Paced<'a> {
    fn new(stream: &'a TcpStream, window: Duration) -> Self {
        Paced {
            stream,
            window,
            deadline: Instant::now() + window,
            in_piece: 0,
        }
    }
}

impl Write for Paced<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(left(self.deadline)?))?;
        let n = self.stream.write(buf)?;
        self.in_piece += n;
        if self.in_piece >= media::PIECE_BYTES {
            self.in_piece = 0;
            self.deadline = Instant::now() + self.window;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
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
        let server = MediaServer::start(session.clone()).unwrap();
        let base = server.base(session.epoch());
        let base = base.strip_prefix("http://").unwrap();
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

    #[test]
    fn a_new_unlock_draws_a_new_secret_and_a_lock_kills_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let session: SessionState =
            Arc::new(Session::new(dir.path().join("p"), KdfChoice::TestsOnly));
        let server = MediaServer::start(session.clone()).unwrap();
        let first = server.base(session.epoch());
        assert_eq!(server.base(session.epoch()), first, "one secret per unlock");
        assert_eq!(
            current_secret(&server.secret, &session).as_deref(),
            first.rsplit('/').next()
        );
        session.lock();
        assert_eq!(
            current_secret(&server.secret, &session),
            None,
            "dead after a lock"
        );
        let second = server.base(session.epoch());
        assert_ne!(second, first);
    }

    #[test]
    fn a_client_that_trickles_its_head_is_cut_off_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let session: SessionState =
            Arc::new(Session::new(dir.path().join("p"), KdfChoice::TestsOnly));
        let deadlines = Deadlines {
            head: Duration::from_millis(300),
            piece: Duration::from_millis(300),
        };
        let server = MediaServer::start_with(session.clone(), deadlines).unwrap();
        let mut stream = TcpStream::connect(&server.host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let started = Instant::now();
        // A byte every 50 ms or so: each read alone is quick, the head never ends.
        let mut closed_after = None;
        while started.elapsed() < Duration::from_secs(3) {
            let _ = stream.write_all(b"G");
            let mut byte = [0u8; 64];
            match stream.read(&mut byte) {
                Ok(_) => {
                    closed_after = Some(started.elapsed());
                    break;
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => {
                    closed_after = Some(started.elapsed());
                    break;
                }
            }
        }
        let closed_after = closed_after.expect("the server never closed a trickling client");
        assert!(
            closed_after < Duration::from_secs(2),
            "cut off after {closed_after:?}"
        );
    }
}
