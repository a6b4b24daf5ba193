//! Files a person asks for outside the encrypted store (a case summary, a partner CSV): plaintext
//! they chose to write, so written only where they said, never over an existing file, never
//! through a temporary file, readable by the owner only, and removed again if the write fails
//! half-way (a pulled USB stick must not leave half a list of names behind).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

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
