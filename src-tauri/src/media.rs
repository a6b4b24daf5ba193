//! Videos and recordings played from the encrypted store a range at a time, so a file of
//! hundreds of megabytes is never whole in the window's memory, nor ever in a file.
//!
//! WebKitGTK hands a `<video>`'s source to GStreamer, which reads only `http(s):` and `blob:`
//! URLs: a custom URI scheme (Tauri's `register_uri_scheme_protocol`) is asked for a sniff of
//! the first bytes and then refused ("FormatError", WebKit bug 146351). So the shell serves
//! media over HTTP on the loopback interface instead ([`crate::media_server`]), and this module
//! is what it answers, whatever carries it: [`answer`] decides from a request, and
//! [`Serve::write_body`] streams the bytes, reading and decrypting 256 KiB at a time through
//! the core ([`Store::attachment_ranges`], each 64 KiB chunk authenticated on its own; the
//! SHA-256 of the whole is not checked on this path, see the core's `RangeReader`).
//!
//! It refuses: everything while the profile is locked (or an export or import has the store)
//! (403), and stops a body mid-way when a lock comes; a malformed or unknown id, an
//! attachment deleted, purged or from another store, and anything but audio or video (404);
//! a range it cannot satisfy (416); any method but GET and HEAD (405). Answers are never
//! cached (`no-store`) and carry no error text.
//!
//! [`Store::attachment_ranges`]: fieldcase_core::Store::attachment_ranges

use std::io::{self, Write};

use fieldcase_core::store::media::AttachmentRanges;
use fieldcase_core::Error;
use tauri::http::{header, HeaderValue, Method, Request, Response, StatusCode, Uri};
use uuid::Uuid;

use crate::session::Session;

/// Bytes read, decrypted and written at a time while streaming a body.
const PIECE: u64 = 256 * 1024;
/// [`PIECE`] as a length in memory.
pub const PIECE_BYTES: usize = PIECE as usize;

/// What a Range header asks for, against a file of a known size.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// No Range header: the whole file.
    Whole,
    /// Bytes `start..end` (end exclusive, within the file).
    Part(u64, u64),
    /// Malformed, several ranges, or outside the file.
    Unsatisfiable,
}

/// Reads a single `bytes=` range (`a-b`, `a-` or `-n`) against `size` bytes.
fn wanted(range: Option<&str>, size: u64) -> Wanted {
    let Some(range) = range else {
        return Wanted::Whole;
    };
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Wanted::Unsatisfiable;
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Unsatisfiable;
    };
    if spec.contains(',') {
        return Wanted::Unsatisfiable; // one range at a time; players ask for one
    }
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // -n: the last n bytes
        (true, _, Some(n)) if n > 0 && size > 0 => Wanted::Part(size - n.min(size), size),
        // a- and a-b
        (false, Some(a), None) if last.trim().is_empty() && a < size => Wanted::Part(a, size),
        (false, Some(a), Some(b)) if a <= b && a < size => {
            Wanted::Part(a, b.saturating_add(1).min(size))
        }
        _ => Wanted::Unsatisfiable,
    }
}

/// The attachment id in a path `/<id>` (a bare hyphenated UUID, nothing else).
fn attachment_id(uri: &Uri) -> Option<Uuid> {
    let path = uri.path().strip_prefix('/')?;
    if path.len() != 36 {
        return None;
    }
    Uuid::parse_str(path).ok()
}

/// An answer with no body (every refusal).
pub fn refused(status: StatusCode) -> Response<()> {
    let mut response = Response::new(());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(0u64));
    response
}

/// What to answer a request: a refusal, or bytes to stream.
pub enum Answer {
    /// Status and headers only.
    Refused(Response<()>),
    /// Status and headers, then (unless the request was HEAD) the body.
    Serve(Serve),
}

/// A body to stream: `start..end` of an opened attachment, while the session stays unlocked.
pub struct Serve {
    /// Status and headers to send first.
    pub head: Response<()>,
    /// `None` for HEAD: no body.
    body: Option<(AttachmentRanges, u64, u64)>,
    epoch: u64,
}

impl Serve {
    /// Writes the body to `out` a piece at a time, each read and decrypted only when the last
    /// was written (the socket's back-pressure sets the pace). Stops with an error, leaving
    /// the body short, when the profile was locked since the answer was made or a chunk fails.
    pub fn write_body(self, session: &Session, out: &mut impl Write) -> io::Result<()> {
        let Some((mut opened, start, end)) = self.body else {
            return Ok(());
        };
        let mut at = start;
        while at < end {
            if session.epoch() != self.epoch || !session.is_unlocked() {
                return Err(io::Error::other("locked"));
            }
            let to = end.min(at + PIECE);
            let piece = opened
                .read(at, to)
                .map_err(|e| io::Error::other(e.to_string()))?;
            out.write_all(&piece)?;
            at = to;
        }
        out.flush()
    }
}

/// Decides what to answer a media request (its URI's path is `/<attachment id>`).
pub fn answer<B>(session: &Session, request: &Request<B>) -> Answer {
    let head = match *request.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => return Answer::Refused(refused(StatusCode::METHOD_NOT_ALLOWED)),
    };
    let epoch = session.epoch();
    if session.with_store(|_| ()).is_none() {
        // Locked: nothing, not even "no such id".
        return Answer::Refused(refused(StatusCode::FORBIDDEN));
    }
    let Some(id) = attachment_id(request.uri()) else {
        return Answer::Refused(refused(StatusCode::NOT_FOUND));
    };
    let opened = match session.with_store(|store| store.attachment_ranges(id)) {
        None => return Answer::Refused(refused(StatusCode::FORBIDDEN)),
        Some(Err(Error::NotFound { .. })) => {
            return Answer::Refused(refused(StatusCode::NOT_FOUND))
        }
        Some(Err(_)) => return Answer::Refused(refused(StatusCode::INTERNAL_SERVER_ERROR)),
        Some(Ok(opened)) => opened,
    };
    let playable = matches!(opened.media(), "audio" | "video")
        && (opened.media_type().starts_with("audio/") || opened.media_type().starts_with("video/"));
    let content_type = match HeaderValue::from_str(opened.media_type()) {
        Ok(v) if playable => v,
        _ => return Answer::Refused(refused(StatusCode::NOT_FOUND)),
    };
    let size = opened.size();
    let range = request
        .headers()
        .get(header::RANGE)
        .map(|v| v.to_str().unwrap_or("malformed"));
    let (start, end, partial) = match wanted(range, size) {
        Wanted::Whole => (0, size, false),
        Wanted::Part(a, b) => (a, b, true),
        Wanted::Unsatisfiable => {
            let mut response = refused(StatusCode::RANGE_NOT_SATISFIABLE);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Answer::Refused(response);
        }
    };
    let mut response = Response::new(());
    *response.status_mut() = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if partial {
        let last = end.saturating_sub(1);
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{last}/{size}")) {
            headers.insert(header::CONTENT_RANGE, v);
        }
    }
    // The app's own pages may draw a frame to a canvas (the thumbnail): a CORS answer to
    // their origin only, so a frame drawn there is readable to them and nobody else.
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let own = origin
            .to_str()
            .ok()
            .and_then(|o| tauri::Url::parse(o).ok())
            .is_some_and(|u| crate::is_app_url(&u));
        if own {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    Answer::Serve(Serve {
        head: response,
        body: (!head).then_some((opened, start, end)),
        epoch,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use fieldcase_core::crypto::KdfParams;
    use fieldcase_core::model::{example, MediaKind, RecordKind};
    use fieldcase_core::store::attachments::NewAttachment;
    use fieldcase_core::{NewProfile, Passphrase, Profile};

    use super::*;
    use crate::session::KdfChoice;

    #[test]
    fn ranges_are_read_as_players_send_them() {
        use Wanted::*;
        let cases = [
            (None, 100, Whole),
            (Some("bytes=0-"), 100, Part(0, 100)),
            (Some("bytes=0-9"), 100, Part(0, 10)),
            (Some("bytes=90-200"), 100, Part(90, 100)),
            (Some("bytes=99-99"), 100, Part(99, 100)),
            (Some("bytes=-10"), 100, Part(90, 100)),
            (Some("bytes=-1000"), 100, Part(0, 100)),
            (Some(" bytes=5-6 "), 100, Part(5, 7)),
            (Some("bytes=100-"), 100, Unsatisfiable),
            (Some("bytes=100-200"), 100, Unsatisfiable),
            (Some("bytes=9-5"), 100, Unsatisfiable),
            (Some("bytes=-0"), 100, Unsatisfiable),
            (Some("bytes=0-"), 0, Unsatisfiable),
            (Some("bytes=0-1,5-6"), 100, Unsatisfiable),
            (Some("bytes=+1-2"), 100, Unsatisfiable),
            (Some("bytes=a-b"), 100, Unsatisfiable),
            (Some("bytes=-"), 100, Unsatisfiable),
            (Some("items=0-1"), 100, Unsatisfiable),
            (Some("bytes=18446744073709551615-"), 100, Unsatisfiable),
            (Some("bytes=0-18446744073709551615"), 100, Part(0, 100)),
            (Some("bytes=99999999999999999999999-"), 100, Unsatisfiable),
        ];
        for (range, size, want) in cases {
            assert_eq!(wanted(range, size), want, "{range:?} of {size}");
        }
    }

    #[test]
    fn ids_come_from_the_path_alone() {
        let id = Uuid::now_v7();
        for uri in [format!("/{id}"), format!("/{id}?t=1")] {
            assert_eq!(attachment_id(&uri.parse().unwrap()), Some(id), "{uri}");
        }
        for uri in [
            "/".to_string(),
            format!("/{id}/x"),
            format!("/../{id}"),
            format!("/{}", id.simple()),
            "/not-a-uuid-not-a-uuid-not-a-uuid-xx".to_string(),
        ] {
            assert_eq!(attachment_id(&uri.parse().unwrap()), None, "{uri}");
        }
    }

    /// An unlocked session on a new profile with a video (300 000 bytes), a photo and a
    /// video attached to a visit's establishment; returns the ids.
    fn session_with_media() -> (tempfile::TempDir, Session, Uuid, Uuid, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Profile::init(
            &dir.path().join("p"),
            &Passphrase::new("ពាក្យសម្ងាត់ test".into()),
            &NewProfile {
                device_name: "Field laptop 3".into(),
                author: Some("INV-05".into()),
                kdf: KdfParams::FOR_TESTS_ONLY,
                unencrypted_for_benchmarks: false,
            },
        )
        .unwrap();
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        let video: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut attach = |media, name: &str, media_type: &str, bytes: &[u8]| {
            store
                .attach(
                    NewAttachment {
                        record_id: place,
                        media,
                        file_name: name.into(),
                        media_type: media_type.into(),
                        description: None,
                    },
                    &mut Cursor::new(bytes.to_vec()),
                )
                .unwrap()
        };
        let video_id = attach(MediaKind::Video, "ច្រកចូល.webm", "video/webm", &video);
        let photo_id = attach(MediaKind::Photo, "door.png", "image/png", b"\x89PNG....");
        let session = Session::new(dir.path().join("p"), KdfChoice::TestsOnly);
        assert!(session.install(store, session.epoch()));
        (dir, session, video_id, photo_id, video)
    }

    /// The whole answer, body streamed into a Vec.
    fn respond(session: &Session, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
        match answer(session, request) {
            Answer::Refused(r) => r.map(|()| Vec::new()),
            Answer::Serve(serve) => {
                let head = serve.head.clone();
                let mut body = Vec::new();
                serve.write_body(session, &mut body).unwrap();
                head.map(|()| body)
            }
        }
    }

    fn get(session: &Session, uri: &str, range: Option<&str>) -> Response<Vec<u8>> {
        let mut request = Request::builder()
            .uri(uri)
            .header("Origin", "tauri://localhost");
        if let Some(r) = range {
            request = request.header("Range", r);
        }
        respond(session, &request.body(Vec::new()).unwrap())
    }

    fn header_of(r: &Response<Vec<u8>>, name: header::HeaderName) -> &str {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    #[test]
    fn a_video_is_served_a_range_at_a_time() {
        let (_dir, session, id, _, video) = session_with_media();
        let uri = format!("/{id}");
        let r = get(&session, &uri, Some("bytes=65530-65545"));
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.body(), &video[65_530..65_546]);
        assert_eq!(
            header_of(&r, header::CONTENT_RANGE),
            "bytes 65530-65545/300000"
        );
        assert_eq!(header_of(&r, header::CONTENT_LENGTH), "16");
        assert_eq!(header_of(&r, header::CONTENT_TYPE), "video/webm");
        assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-store");
        assert_eq!(
            header_of(&r, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            "tauri://localhost"
        );
        let r = get(&session, &uri, Some("bytes=0-"));
        assert_eq!(
            (r.status(), r.body().len()),
            (StatusCode::PARTIAL_CONTENT, 300_000)
        );
        let r = get(&session, &uri, None);
        assert_eq!((r.status(), r.body()), (StatusCode::OK, &video));
        let r = get(&session, &uri, Some("bytes=-100"));
        assert_eq!(r.body(), &video[299_900..]);
        // Another origin gets the bytes a media element may play, but no CORS grant.
        let other = Request::builder()
            .uri(&uri)
            .header("Origin", "https://evil.example")
            .body(Vec::new())
            .unwrap();
        assert_eq!(
            header_of(
                &respond(&session, &other),
                header::ACCESS_CONTROL_ALLOW_ORIGIN
            ),
            ""
        );
        let head = Request::builder()
            .method("HEAD")
            .uri(&uri)
            .body(Vec::new())
            .unwrap();
        let r = respond(&session, &head);
        assert_eq!((r.status(), r.body().len()), (StatusCode::OK, 0));
        assert_eq!(header_of(&r, header::CONTENT_LENGTH), "300000");
    }

    #[test]
    fn a_large_file_streams_a_piece_at_a_time_and_a_lock_cuts_it_short() {
        let (_dir, session, _, _, _) = session_with_media();
        let big: Vec<u8> = (0..(4 * PIECE + 5) as u32)
            .map(|i| (i % 253) as u8)
            .collect();
        let id = session
            .with_store_mut(|store| {
                let place = store.add(example(RecordKind::Establishment)).unwrap();
                store
                    .attach(
                        NewAttachment {
                            record_id: place,
                            media: MediaKind::Video,
                            file_name: "long.webm".into(),
                            media_type: "video/webm".into(),
                            description: None,
                        },
                        &mut Cursor::new(big.clone()),
                    )
                    .unwrap()
            })
            .unwrap();
        let uri = format!("/{id}");
        let r = get(&session, &uri, Some("bytes=100-"));
        assert_eq!(r.body(), &big[100..]);

        /// Counts the writes, and locks the session after the first.
        struct LockAfterOne<'a>(&'a Session, Vec<usize>);
        impl Write for LockAfterOne<'_> {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.1.push(b.len());
                self.0.lock();
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let request = Request::builder().uri(&uri).body(()).unwrap();
        let Answer::Serve(serve) = answer(&session, &request) else {
            panic!("served")
        };
        assert_eq!(serve.head.status(), StatusCode::OK);
        let mut out = LockAfterOne(&session, Vec::new());
        assert!(
            serve.write_body(&session, &mut out).is_err(),
            "the lock stops the body"
        );
        assert_eq!(
            out.1,
            [PIECE as usize],
            "one piece left before the lock, no more"
        );
    }

    #[test]
    fn refusals_locked_unknown_not_media_and_bad_ranges() {
        let (_dir, session, id, photo, _) = session_with_media();
        let status = |uri: &str, range| get(&session, uri, range).status();
        let uri = format!("/{id}");
        assert_eq!(
            status(&format!("/{}", Uuid::now_v7()), None),
            StatusCode::NOT_FOUND
        );
        assert_eq!(status("/../../etc/passwd", None), StatusCode::NOT_FOUND);
        assert_eq!(status(&format!("/{photo}"), None), StatusCode::NOT_FOUND);
        let r = get(&session, &uri, Some("bytes=300000-"));
        assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(header_of(&r, header::CONTENT_RANGE), "bytes */300000");
        assert!(r.body().is_empty());
        assert_eq!(
            status(&uri, Some("bytes=0-1,4-5")),
            StatusCode::RANGE_NOT_SATISFIABLE
        );
        assert_eq!(
            status(&uri, Some("lines=1-2")),
            StatusCode::RANGE_NOT_SATISFIABLE
        );
        let post = Request::builder()
            .method("POST")
            .uri(&uri)
            .body(Vec::new())
            .unwrap();
        assert_eq!(
            respond(&session, &post).status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        // A deleted attachment is gone.
        let other = session
            .with_store_mut(|store| {
                let place = store.add(example(RecordKind::Establishment)).unwrap();
                let gone = store
                    .attach(
                        NewAttachment {
                            record_id: place,
                            media: MediaKind::Audio,
                            file_name: "gone.ogg".into(),
                            media_type: "audio/ogg".into(),
                            description: None,
                        },
                        &mut Cursor::new(vec![1u8; 10]),
                    )
                    .unwrap();
                store.delete(gone).unwrap();
                gone
            })
            .unwrap();
        assert_eq!(status(&format!("/{other}"), None), StatusCode::NOT_FOUND);
        // Locked: everything is refused, known ids included.
        assert_eq!(status(&uri, Some("bytes=0-9")), StatusCode::PARTIAL_CONTENT);
        session.lock();
        for range in [None, Some("bytes=0-9"), Some("bytes=999999-")] {
            let r = get(&session, &uri, range);
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{range:?}");
            assert!(r.body().is_empty());
        }
        assert_eq!(status(&format!("/{photo}"), None), StatusCode::FORBIDDEN);
        assert_eq!(status("/nonsense", None), StatusCode::FORBIDDEN);
    }
}
