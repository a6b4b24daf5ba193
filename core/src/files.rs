//! Files a person names outside the encrypted store.
//!
//! Outputs (a case summary, a partner CSV): plaintext they chose to write, so written only where
//! they said, never over an existing file, never through a temporary file, readable by the owner
//! only, and removed again if the write fails half-way (a pulled USB stick must not leave half a
//! list of names behind).
//!
//! Inputs (a bundle, a receipt, a record's JSON, an attachment, an identity file): only regular
//! files, opened by [`open_input`]. A FIFO would block an open or a read until someone writes to
//! it, and a device such as `/dev/zero` never ends: either would hang a command or a window's job
//! (and hold the profile) for ever.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use rustix::fs::{FileType, Mode, OFlags};

use crate::error::{Error, Result};

/// Opens `path` for reading if it is a regular file (symbolic links followed), else refuses it
/// with [`Error::NotARegularFile`], without ever waiting on it. The file is opened non-blocking
/// (opening a FIFO with no writer would otherwise wait for one), checked with `fstat` on the
/// handle itself (so it cannot be swapped between a check and the open), and only then set
/// back to blocking reads. A `stat` before the open refuses most non-files without opening them
/// at all, since opening some devices acts on them (a tape rewinds, a modem hangs up).
pub fn open_input(path: &Path) -> Result<File> {
    let io = |e: rustix::io::Errno| Error::io(format!("opening {}", path.display()), e.into());
    let refuse = |mode: u32| Error::NotARegularFile {
        path: path.to_path_buf(),
        kind: kind_in_words(FileType::from_raw_mode(mode)),
    };
    let before = rustix::fs::stat(path).map_err(io)?;
    if FileType::from_raw_mode(before.st_mode) != FileType::RegularFile {
        return Err(refuse(before.st_mode));
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(io)?;
    let opened = rustix::fs::fstat(&fd).map_err(io)?;
    if FileType::from_raw_mode(opened.st_mode) != FileType::RegularFile {
        return Err(refuse(opened.st_mode));
    }
    let now = rustix::fs::fcntl_getfl(&fd).map_err(io)?;
    rustix::fs::fcntl_setfl(&fd, now - OFlags::NONBLOCK).map_err(io)?;
    Ok(File::from(fd))
}

fn kind_in_words(kind: FileType) -> &'static str {
    match kind {
        FileType::Fifo => "a FIFO (a named pipe)",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Directory => "a folder",
        FileType::Socket => "a socket",
        FileType::Symlink => "a symbolic link",
        FileType::RegularFile | FileType::Unknown => "not a file",
    }
}

/// Writes `bytes` to `path`, which must not exist yet, and syncs it. On any failure after the
/// file was created, the file is removed again.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e| Error::io(format!("writing {}", path.display()), e);
    let mut file = crate::profile::owner_only(OpenOptions::new().write(true).create_new(true))
        .open(path)
        .map_err(io)?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(io(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Runs `open_input` on another thread and waits at most 5 s, so a test of something that
    /// would block fails instead of hanging.
    fn open_within_5s(path: &Path) -> Result<File> {
        let (tx, rx) = mpsc::channel();
        let path = path.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(open_input(&path));
        });
        rx.recv_timeout(Duration::from_secs(5))
            .expect("open_input blocked for 5 s")
    }

    #[test]
    fn a_fifo_is_refused_at_once_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("ថត.fcb");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let err = open_within_5s(&fifo).unwrap_err();
        assert!(
            matches!(&err, Error::NotARegularFile { path, kind } if path == &fifo && kind.contains("FIFO")),
            "{err:?}"
        );
        assert!(err.to_string().contains("ថត.fcb"), "{err}");
    }

    #[test]
    fn devices_and_folders_are_refused_and_a_regular_file_reads_normally() {
        for (path, kind) in [("/dev/zero", "character device"), ("/tmp", "folder")] {
            let err = open_within_5s(Path::new(path)).unwrap_err();
            assert!(err.to_string().contains(kind), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("record.json");
        fs::write(&file, "{\"name\": \"ផ្ទះ\"}").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        for p in [&file, &link] {
            let mut text = String::new();
            open_within_5s(p)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, "{\"name\": \"ផ្ទះ\"}");
        }
        assert!(matches!(
            open_within_5s(&dir.path().join("missing")).unwrap_err(),
            Error::Io { .. }
        ));
    }

    #[test]
    fn a_new_file_is_owner_only_and_an_existing_one_is_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("សង្ខេប.pdf");
        write_new(&out, b"%PDF-1.7 one").unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"%PDF-1.7 one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&out).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let err = write_new(&out, b"two").unwrap_err();
        assert!(err.to_string().contains("writing"), "{err}");
        assert_eq!(fs::read(&out).unwrap(), b"%PDF-1.7 one");
    }
}
