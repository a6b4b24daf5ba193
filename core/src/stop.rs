//! Stopping a long job from another thread: the desktop's lock (the panic key, auto-lock,
//! sleep) must free the profile within a second, even in the middle of a 2 GB import.
//!
//! A [`Stopper`] is taken from the open store before the job starts and handed to whoever may
//! lock. [`Stopper::stop`] sets a flag that every stream a long job reads or writes checks on
//! each call ([`Stoppable`]: the bundle file an import reads, the file an attachment is copied
//! from, the bundle an export writes), and interrupts SQLite's statement under way (reports).
//! The job then fails as it would on a read error, rolls back as it always does, and the store
//! entry point turns that failure into [`Error::Stopped`](crate::Error::Stopped).

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Stops the jobs of one open store.
pub struct Stopper {
    flag: Arc<AtomicBool>,
    sqlite: rusqlite::InterruptHandle,
}

impl Stopper {
    pub(crate) fn new(flag: Arc<AtomicBool>, sqlite: rusqlite::InterruptHandle) -> Self {
        Stopper { flag, sqlite }
    }

    /// Stops whatever job the store runs now, and every later one: the store is on its way out.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.sqlite.interrupt();
    }
}

impl std::fmt::Debug for Stopper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stopper")
            .field("stopped", &self.flag.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

/// A reader or writer that fails as soon as its store's jobs are stopped.
pub(crate) struct Stoppable<T> {
    inner: T,
    flag: Arc<AtomicBool>,
}

impl<T> Stoppable<T> {
    pub(crate) fn new(inner: T, flag: Arc<AtomicBool>) -> Self {
        Stoppable { inner, flag }
    }

    pub(crate) fn into_inner(self) -> T {
        self.inner
    }

    fn check(&self) -> io::Result<()> {
        if self.flag.load(Ordering::Relaxed) {
            // Not ErrorKind::Interrupted: readers retry on that.
            return Err(io::Error::other("stopped: the profile was locked"));
        }
        Ok(())
    }
}

impl<R: Read> Read for Stoppable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.read(buf)
    }
}

impl<W: Write> Write for Stoppable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<S: io::Seek> io::Seek for Stoppable<S> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_stream_fails_on_its_next_call_and_not_as_a_retry() {
        let flag = Arc::new(AtomicBool::new(false));
        let mut r = Stoppable::new("ស្រី data".as_bytes(), flag.clone());
        let mut first = [0u8; 3];
        r.read_exact(&mut first).unwrap();
        flag.store(true, Ordering::SeqCst);
        let e = r.read(&mut first).unwrap_err();
        assert_ne!(e.kind(), io::ErrorKind::Interrupted);
        let mut w = Stoppable::new(Vec::new(), flag);
        assert!(w.write_all(b"x").is_err());
    }
}
