//! Auto-lock, kept by the shell: the page reports activity, the shell keeps the deadline.
//!
//! The deadline is measured on `CLOCK_BOOTTIME`, which keeps counting while the laptop
//! sleeps; a Rust `Instant` (`CLOCK_MONOTONIC`) and the page's timers do not, so a laptop
//! closed for an hour would otherwise wake up unlocked with minutes still to run. The
//! page's report is only a poke: a page that stops reporting (hung, throttled, or simply
//! not touched) is locked when the deadline passes, without being asked.

use std::time::Duration;

/// Minutes before auto-lock until the page says what Settings chose.
pub const DEFAULT_MINUTES: u32 = 5;
/// The choices Settings offers; anything else the page sends is refused.
pub const CHOICES: [u32; 6] = [1, 2, 5, 10, 15, 30];

/// Time since boot, including time spent suspended.
pub fn boot_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    Duration::new(
        t.tv_sec.max(0) as u64,
        t.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// When an open profile locks itself if nobody uses the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleDeadline {
    limit: Duration,
    last_activity: Duration,
}

impl IdleDeadline {
    /// A deadline `minutes` after `now`.
    pub fn new(minutes: u32, now: Duration) -> Self {
        IdleDeadline {
            limit: Duration::from_secs(u64::from(minutes) * 60),
            last_activity: now,
        }
    }

    /// Someone used the app at `now`: the deadline moves on (never back).
    pub fn poke(&mut self, now: Duration) {
        self.last_activity = self.last_activity.max(now);
    }

    /// A new limit from Settings, counted from the last activity. Only [`CHOICES`].
    pub fn set_minutes(&mut self, minutes: u32) -> bool {
        if !CHOICES.contains(&minutes) {
            return false;
        }
        self.limit = Duration::from_secs(u64::from(minutes) * 60);
        true
    }

    /// Whether the deadline has passed at `now`.
    pub fn is_due(&self, now: Duration) -> bool {
        now.saturating_sub(self.last_activity) >= self.limit
    }
}

impl Default for IdleDeadline {
    fn default() -> Self {
        IdleDeadline::new(DEFAULT_MINUTES, boot_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn the_deadline_passes_without_any_report() {
        let start = Duration::from_secs(1_000);
        let d = IdleDeadline::new(5, start);
        assert!(!d.is_due(start));
        assert!(!d.is_due(start + 5 * MIN - Duration::from_millis(1)));
        assert!(d.is_due(start + 5 * MIN), "no UI call is needed to lock");
    }

    #[test]
    fn activity_moves_it_on_and_a_late_report_never_moves_it_back() {
        let start = Duration::from_secs(50);
        let mut d = IdleDeadline::new(1, start);
        d.poke(start + 50 * Duration::from_secs(1));
        assert!(!d.is_due(start + MIN));
        d.poke(start); // a report that arrives late
        assert!(d.is_due(start + 50 * Duration::from_secs(1) + MIN));
    }

    #[test]
    fn a_suspend_counts_as_idle_time() {
        // CLOCK_BOOTTIME jumps by the time asleep: an hour in a bag is an hour idle.
        let d = IdleDeadline::new(30, Duration::from_secs(10));
        assert!(d.is_due(Duration::from_secs(10) + 60 * MIN));
    }

    #[test]
    fn only_the_settings_choices_are_taken() {
        let start = Duration::from_secs(5);
        let mut d = IdleDeadline::new(5, start);
        assert!(!d.set_minutes(0));
        assert!(!d.set_minutes(100_000));
        assert!(d.set_minutes(1));
        assert!(d.is_due(start + MIN));
    }

    #[test]
    fn the_boot_clock_moves_forward() {
        let a = boot_now();
        std::thread::sleep(Duration::from_millis(5));
        assert!(boot_now() > a);
    }
}
