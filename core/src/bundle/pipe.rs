//! age on a thread of its own, so that its cipher runs beside the store's cipher and SHA-256
//! instead of after them (two cores do two ciphers at once).
//!
//! Export: the tar writer, on the caller's thread, fills [`CHUNK`]-byte buffers and hands
//! them over a bounded channel to a thread that owns age's `StreamWriter` and the file
//! ([`Plaintext`] → [`write_on_thread`]). Import and verify: a thread owns age's
//! `StreamReader` over the file and hands plaintext buffers over a bounded channel to the tar
//! reader on the caller's thread ([`decrypt_on_thread`] → [`PlainFromThread`]). At most
//! [`IN_FLIGHT`] buffers wait in a channel, so memory stays a few MiB whatever the
//! bundle's size. Plaintext buffers are `Zeroizing` and reused; nothing is written to disk
//! but age's ciphertext. Progress callbacks stay on the caller's thread. When either side
//! stops (an error, or the caller giving up and dropping its end), the other sees the
//! channel closed and stops too; `std::thread::scope` joins the thread before the caller
//! returns.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::read::StreamState;
use super::{Progress, ProgressFn, Stage};

/// Bytes handed over per message.
pub(super) const CHUNK: usize = 256 * 1024;
/// Messages that may wait in a channel (4 MiB). With 4, an import's threads (age, the tar and
/// SHA-256, the blob's sealing, the store) waited on each other often enough to leave part of
/// the second core idle once the store's work was done; with 16 both stay busy.
pub(super) const IN_FLIGHT: usize = 16;

type Buf = Zeroizing<Vec<u8>>;

/// A buffer to fill: a returned one if there is one, else a new one.
fn take_buffer(spare: &Receiver<Buf>) -> Buf {
    spare
        .try_recv()
        .unwrap_or_else(|_| Zeroizing::new(Vec::with_capacity(CHUNK)))
}

// ---- export: plaintext from the caller to a writing thread --------------------------------

enum ToWriter {
    Data(Buf),
    /// All written: finish the output.
    Finish,
}

/// The error a [`Plaintext`] writer returns once the writing thread has stopped; the
/// thread's own error says why.
fn writer_stopped() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the bundle writer stopped")
}

/// The caller's end: a `Write` that sends full buffers to the writing thread.
pub(super) struct Plaintext {
    /// Always `CHUNK` bytes long; the first `filled` are to be sent.
    buf: Buf,
    filled: usize,
    to_thread: SyncSender<ToWriter>,
    spare: Receiver<Buf>,
}

impl Plaintext {
    fn send(&mut self) -> io::Result<()> {
        let mut next = take_buffer(&self.spare);
        next.resize(CHUNK, 0);
        let mut full = std::mem::replace(&mut self.buf, next);
        full.truncate(self.filled);
        self.filled = 0;
        self.to_thread
            .send(ToWriter::Data(full))
            .map_err(|_| writer_stopped())
    }

    fn send_filled_and(&mut self, message: ToWriter) -> io::Result<()> {
        if self.filled > 0 {
            self.send()?;
        }
        self.to_thread.send(message).map_err(|_| writer_stopped())
    }

    /// Reads from `source` straight into the buffer (one copy fewer than `io::copy`). The
    /// outer error is the writing thread having stopped, the inner one `source`'s.
    pub(super) fn fill_from(&mut self, source: &mut dyn Read) -> io::Result<io::Result<usize>> {
        if self.filled == CHUNK {
            self.send()?;
        }
        let read = source.read(&mut self.buf[self.filled..]);
        if let Ok(n) = read {
            self.filled += n;
        }
        Ok(read)
    }

    /// Sends what is buffered and tells the thread that this is all.
    pub(super) fn finish(mut self) -> io::Result<()> {
        self.send_filled_and(ToWriter::Finish)
    }
}

impl Write for Plaintext {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.filled);
        self.buf[self.filled..self.filled + n].copy_from_slice(&data[..n]);
        self.filled += n;
        if self.filled == CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    /// Nothing: buffers go over whole, and the last one with [`Plaintext::finish`].
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The thread's end, to be run by [`write_on_thread`].
pub(super) struct WriterEnd {
    from_caller: Receiver<ToWriter>,
    spare: SyncSender<Buf>,
}

/// A connected pair: the caller writes into [`Plaintext`], a thread runs [`write_on_thread`].
pub(super) fn plaintext_channel() -> (Plaintext, WriterEnd) {
    let (to_thread, from_caller) = sync_channel(IN_FLIGHT);
    let (spare_tx, spare_rx) = sync_channel(IN_FLIGHT + 2);
    (
        Plaintext {
            buf: Zeroizing::new(vec![0; CHUNK]),
            filled: 0,
            to_thread,
            spare: spare_rx,
        },
        WriterEnd {
            from_caller,
            spare: spare_tx,
        },
    )
}

/// Writes every buffer the caller sends into `out`; when the caller says it is done, hands
/// `out` to `finish` and returns what that returns (`Some`). Returns `Ok(None)` if the caller
/// dropped its end without finishing (it failed: `out` is abandoned unfinished), and the
/// first write error otherwise (the caller's next send then fails).
pub(super) fn write_on_thread<W: Write, T>(
    end: WriterEnd,
    mut out: W,
    finish: impl FnOnce(W) -> io::Result<T>,
) -> io::Result<Option<T>> {
    loop {
        match end.from_caller.recv() {
            Ok(ToWriter::Data(buf)) => {
                out.write_all(&buf)?;
                let _ = end.spare.try_send(buf);
            }
            Ok(ToWriter::Finish) => return finish(out).map(Some),
            Err(_) => return Ok(None),
        }
    }
}

// ---- import and verify: plaintext from a decrypting thread to the caller ------------------

/// How far the encrypted file has been read, shared between the thread reading it and the
/// caller reporting progress.
#[derive(Debug, Clone, Default)]
pub(super) struct CipherCount {
    pub(super) done: Arc<AtomicU64>,
    pub(super) eof: Arc<AtomicBool>,
}

/// The encrypted file, counting bytes and noting its end.
pub(super) struct CipherSource<R: Read> {
    pub(super) file: R,
    pub(super) count: CipherCount,
}

impl<R: Read> Read for CipherSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.count.eof.store(true, Ordering::Relaxed);
        }
        self.count.done.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

enum FromReader {
    /// Plaintext, and how much of the encrypted file had been read then (and whether all).
    Data(Buf, u64, bool),
    /// age reached the end; all of it was authenticated.
    End(u64, bool),
    /// age failed (whether the encrypted file had been read to its end then).
    Failed(io::Error, bool),
}

/// The thread's end, to be run by [`decrypt_on_thread`].
pub(super) struct ReaderEnd {
    to_caller: SyncSender<FromReader>,
    spare: Receiver<Buf>,
}

/// Reads `plain` (age's decrypting reader) to its end, handing the plaintext to the caller
/// in full buffers. A failure is handed over after the plaintext read before it, as reading
/// age directly would give it; the thread then stops. It also stops as soon as the caller
/// has dropped its end.
pub(super) fn decrypt_on_thread<R: Read>(end: ReaderEnd, mut plain: R, count: &CipherCount) {
    let counted = || {
        (
            count.done.load(Ordering::Relaxed),
            count.eof.load(Ordering::Relaxed),
        )
    };
    loop {
        let mut buf = take_buffer(&end.spare);
        buf.resize(CHUNK, 0);
        let mut filled = 0;
        let outcome = loop {
            match plain.read(&mut buf[filled..]) {
                Ok(0) => break Ok(true),
                Ok(n) => {
                    filled += n;
                    if filled == CHUNK {
                        break Ok(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        buf.truncate(filled);
        if filled > 0 {
            let (done, eof) = counted();
            if end
                .to_caller
                .send(FromReader::Data(buf, done, eof))
                .is_err()
            {
                return;
            }
        }
        let last = match outcome {
            Ok(false) => continue,
            Ok(true) => {
                let (done, eof) = counted();
                FromReader::End(done, eof)
            }
            Err(e) => FromReader::Failed(e, count.eof.load(Ordering::Relaxed)),
        };
        let _ = end.to_caller.send(last);
        return;
    }
}

/// The caller's end: age's plaintext as a `Read`, reporting progress (bytes of the encrypted
/// file read, every 256 KiB and at its end) and noting age's failure in the [`StreamState`]
/// so the reader above says "damaged" or "cut short" as it would reading age directly.
pub(super) struct PlainFromThread<'a, 'p> {
    from_thread: Receiver<FromReader>,
    spare: SyncSender<Buf>,
    buf: Buf,
    pos: usize,
    ended: bool,
    failed: bool,
    state: StreamState,
    stage: Stage,
    total: u64,
    last: u64,
    progress: &'a mut ProgressFn<'p>,
}

/// A connected pair: a thread runs [`decrypt_on_thread`], the caller reads [`PlainFromThread`].
pub(super) fn plaintext_from_thread<'a, 'p>(
    state: StreamState,
    stage: Stage,
    total: u64,
    progress: &'a mut ProgressFn<'p>,
) -> (PlainFromThread<'a, 'p>, ReaderEnd) {
    let (to_caller, from_thread) = sync_channel(IN_FLIGHT);
    let (spare_tx, spare_rx) = sync_channel(IN_FLIGHT + 2);
    (
        PlainFromThread {
            from_thread,
            spare: spare_tx,
            buf: Zeroizing::new(Vec::new()),
            pos: 0,
            ended: false,
            failed: false,
            state,
            stage,
            total,
            last: 0,
            progress,
        },
        ReaderEnd {
            to_caller,
            spare: spare_rx,
        },
    )
}

impl PlainFromThread<'_, '_> {
    fn report(&mut self, done: u64, eof: bool) {
        if done - self.last >= 256 * 1024 || (eof && done != self.last) {
            self.last = done;
            (self.progress)(Progress {
                stage: self.stage,
                done,
                total: self.total,
            });
        }
    }
}

impl Read for PlainFromThread<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.ended {
                return Ok(0);
            }
            if self.failed {
                return Err(io::Error::other(
                    "decrypting the bundle stopped after an earlier error",
                ));
            }
            match self.from_thread.recv() {
                Ok(FromReader::Data(buf, done, eof)) => {
                    // Handed back whole (not cleared): the thread fills it again without
                    // zeroing it first. What it held is overwritten, and wiped when dropped.
                    let used = std::mem::replace(&mut self.buf, buf);
                    self.pos = 0;
                    let _ = self.spare.try_send(used);
                    self.report(done, eof);
                }
                Ok(FromReader::End(done, eof)) => {
                    self.ended = true;
                    self.report(done, eof);
                }
                Ok(FromReader::Failed(e, eof)) => {
                    self.failed = true;
                    self.state.cipher_eof.set(eof);
                    self.state.age_failed.set(true);
                    return Err(e);
                }
                Err(_) => {
                    self.failed = true;
                    return Err(io::Error::other("the decrypting thread stopped"));
                }
            }
        }
    }
}
