//! Process hygiene: what a shell does first, before it reads a passphrase or opens a store.
//!
//! A process that holds a data key and plaintext should leave no copy of its memory behind
//! and let no other process read it. [`harden_process`] makes the process not dumpable
//! (`PR_SET_DUMPABLE` 0: no core file, and no `ptrace` or `/proc/<pid>/mem` by other
//! processes of the same user) and sets `RLIMIT_CORE` to 0, soft and hard (no core file, for
//! this process and every process it starts, since resource limits are inherited across
//! `fork` and `exec`). What it does not reach (WebKit's own processes, swap) is in
//! `docs/threat-model.md`.

use crate::error::{Error, Result};

/// Makes this process not dumpable and sets its core-file limit to 0 (Linux; elsewhere the
/// core-file limit only, on Unix). Call it first thing in `main`. Both settings hold until
/// the process ends; the limit is inherited by child processes, the dumpable flag is not
/// (it resets when a child calls `exec`).
pub fn harden_process() -> Result<()> {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        setrlimit(Resource::Core, none)
            .map_err(|e| Error::io("setting the core-file limit to 0", e.into()))?;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{set_dumpable_behavior, DumpableBehavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable)
            .map_err(|e| Error::io("making the process not dumpable", e.into()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test process is left not dumpable and without core files: harmless for the other
    /// tests (a process may still read its own `/proc/self`).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_hardened_process_is_not_dumpable_and_writes_no_core() {
        use rustix::process::{dumpable_behavior, getrlimit, DumpableBehavior, Resource};
        harden_process().unwrap();
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let core = getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
        // Still able to read its own status, as the stores' memory figures do.
        assert!(std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .contains("VmRSS"));
        // Calling it again (a second shell entry point) is harmless.
        harden_process().unwrap();
    }
}
