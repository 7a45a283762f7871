//! The officer's window, replaced at every lock. A page that has shown records holds their
//! text in its DOM and JS heap, in WebKit's web process, long after the lock screen covers
//! them: no garbage collection scrubs it. So once the vault locks (the idle lock, "Lock now",
//! a wipe), the window that showed records is destroyed, which ends its web process, and a
//! fresh window, which has never held a record, shows the lock screen. The officer unlocks in
//! that fresh window and works on in it until the next lock.
//!
//! [`Screen`] owns that rule and nothing else: it is told whether the vault is open (by the
//! lock timer every second, and by the lock commands at once) and never reads the store.
//! **Invariant:** the passcode is accepted only from a window that has never shown records
//! ([`Screen::unlock`]); a stale window's unlock is refused and the window replaced.
//!
//! On desktop the window is rebuilt from the one in `tauri.conf.json` under a new label
//! (`main-1`, `main-2`…, which `capabilities/main.json` grants as `main-*`); the new window is
//! built before the old one is destroyed, so the app never has no window (which would end it).
//! On Android and iOS an app has one webview for its life: there the page is reloaded, which
//! drops its DOM and JS heap but not the renderer process, whose freed memory is not scrubbed.

use std::sync::{Mutex, MutexGuard, OnceLock};
use tauri::{AppHandle, Manager};

/// The window the app opens with (`tauri.conf.json`).
pub const FIRST_WINDOW: &str = "main";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    /// The label of the window the officer sees.
    label: String,
    /// Whether that window has shown the unlocked app (and so may hold record text).
    held_records: bool,
    /// How many windows have been replaced, for the next label.
    replaced: u64,
}

/// What the watch decided, for the caller to carry out with the window.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Nothing,
    /// Replace the window `old` by a fresh one labelled `new`.
    Replace {
        old: String,
        new: String,
    },
}

impl Shown {
    fn new() -> Self {
        Shown {
            label: FIRST_WINDOW.to_string(),
            held_records: false,
            replaced: 0,
        }
    }

    /// The vault is `unlocked` or not: the window either now holds records, or held them and
    /// must go.
    fn observe(&mut self, unlocked: bool) -> Step {
        if unlocked {
            self.held_records = true;
            return Step::Nothing;
        }
        if !self.held_records {
            return Step::Nothing;
        }
        self.replaced += 1;
        let old = std::mem::replace(&mut self.label, format!("{FIRST_WINDOW}-{}", self.replaced));
        self.held_records = false;
        Step::Replace {
            old,
            new: self.label.clone(),
        }
    }
}

/// The watch over the officer's window; one per app, held in [`crate::state::AppState`].
pub struct Screen {
    shown: Mutex<Shown>,
    /// The running app, once set up (unit tests run without one: the decisions are still
    /// made, no window is touched).
    app: OnceLock<AppHandle>,
}

impl Default for Screen {
    fn default() -> Self {
        Screen {
            shown: Mutex::new(Shown::new()),
            app: OnceLock::new(),
        }
    }
}

/// A stale window asked to unlock: it is being replaced, and the officer unlocks in the new one.
#[derive(Debug, PartialEq, Eq)]
pub struct StaleWindow;

impl Screen {
    /// Gives the watch the running app, whose windows it replaces.
    pub fn attach(&self, app: AppHandle) {
        let _ = self.app.set(app);
    }

    fn shown(&self) -> MutexGuard<'_, Shown> {
        // The state is three plain fields, consistent whoever panicked holding it.
        self.shown.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the vault is open, asked under the watch's lock so that an unlock in the fresh
    /// window cannot slip between the question and the replacement. Called every second by
    /// the lock timer (the idle lock, a wipe) and by "Lock now" at once.
    pub fn watch(&self, unlocked: impl FnOnce() -> bool) {
        let mut shown = self.shown();
        let step = shown.observe(unlocked());
        self.carry_out(step);
    }

    /// Runs `open` (the passcode check) only if the window the officer sees has never shown
    /// records; a stale window is replaced instead and the passcode not even checked, so it
    /// costs no attempt. On success the window holds records from now on.
    pub fn unlock<T, E>(&self, open: impl FnOnce() -> Result<T, E>) -> Result<Result<T, E>, StaleWindow> {
        let mut shown = self.shown();
        if shown.held_records {
            let step = shown.observe(false);
            self.carry_out(step);
            return Err(StaleWindow);
        }
        let result = open();
        if result.is_ok() {
            shown.observe(true);
        }
        Ok(result)
    }

    fn carry_out(&self, step: Step) {
        let Step::Replace { old, new } = step else {
            return;
        };
        let Some(app) = self.app.get() else {
            return;
        };
        match replace(app, &old, &new) {
            Ok(()) => tracing::info!(window = %new, "the window that showed records was replaced at the lock"),
            Err(e) => tracing::error!(error = %e, "the window could not be replaced at the lock"),
        }
    }
}

/// A fresh window from the configured one, then the old one destroyed (its web process ends
/// with it).
#[cfg(desktop)]
fn replace(app: &AppHandle, old: &str, new: &str) -> tauri::Result<()> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == FIRST_WINDOW)
        .cloned()
        .unwrap_or_default();
    config.label = new.to_string();
    let previous = app.get_webview_window(old);
    if let Some(previous) = &previous {
        // The officer's window size and place are kept.
        if let (Ok(size), Ok(scale)) = (previous.inner_size(), previous.scale_factor()) {
            let size = size.to_logical::<f64>(scale);
            config.width = size.width;
            config.height = size.height;
        }
        config.maximized = previous.is_maximized().unwrap_or(false);
        config.fullscreen = previous.is_fullscreen().unwrap_or(false);
    }
    tauri::WebviewWindowBuilder::from_config(app, &config)?.build()?;
    match previous {
        Some(previous) => previous.destroy(),
        None => Ok(()),
    }
}

/// One webview for the app's life: its page is loaded afresh.
#[cfg(mobile)]
fn replace(app: &AppHandle, old: &str, _new: &str) -> tauri::Result<()> {
    // The label stays the one window's; only the page is new.
    match app
        .get_webview_window(old)
        .or_else(|| app.get_webview_window(FIRST_WINDOW))
    {
        Some(w) => w.reload(),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_that_showed_records_is_replaced_when_the_vault_locks_and_only_then() {
        let mut shown = Shown::new();
        assert_eq!(
            shown.observe(false),
            Step::Nothing,
            "the lock screen of a fresh start stays"
        );
        assert_eq!(shown.observe(true), Step::Nothing);
        assert_eq!(
            shown.observe(false),
            Step::Replace {
                old: "main".into(),
                new: "main-1".into()
            }
        );
        assert_eq!(
            shown.observe(false),
            Step::Nothing,
            "the fresh window is kept while locked"
        );
        shown.observe(true);
        assert_eq!(
            shown.observe(false),
            Step::Replace {
                old: "main-1".into(),
                new: "main-2".into()
            }
        );
    }

    #[test]
    fn a_stale_window_cannot_unlock_and_the_passcode_is_not_even_checked() {
        let screen = Screen::default();
        assert_eq!(screen.unlock(|| Ok::<_, ()>(1)), Ok(Ok(1)), "a fresh window unlocks");
        // Locked again, but the watch has not run yet: the window still holds records.
        let mut checked = false;
        let answer = screen.unlock(|| {
            checked = true;
            Ok::<_, ()>(2)
        });
        assert_eq!(answer, Err(StaleWindow));
        assert!(!checked, "no attempt is spent in a stale window");
        assert_eq!(screen.shown().label, "main-1");
        assert_eq!(screen.unlock(|| Ok::<_, ()>(3)), Ok(Ok(3)), "the fresh window unlocks");
    }

    #[test]
    fn a_wrong_passcode_leaves_the_window_fresh() {
        let screen = Screen::default();
        assert_eq!(screen.unlock(|| Err::<(), _>("wrong")), Ok(Err("wrong")));
        screen.watch(|| false);
        assert_eq!(screen.shown().label, "main", "nothing was shown, nothing replaced");
    }
}
