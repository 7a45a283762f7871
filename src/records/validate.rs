//! Field checks shared by every record kind. Each returns a [`ValidationError`] naming the field,
//! so the UI can put the message next to it.

use super::ValidationError;

/// Short single-line fields: names, titles, who-was-told.
pub const SHORT_MAX: usize = 200;
/// Free text: what was said, briefings, positions. Generous, but bounded so one record cannot
/// swamp the device or the sync batch.
pub const TEXT_MAX: usize = 8_000;
/// Items in a list (tags, conditions, links, sectors, polygon vertices).
pub const LIST_MAX: usize = 200;

/// Accumulates every problem of a record, so the officer sees all of them at once instead of
/// fixing one, saving, and meeting the next.
#[derive(Default)]
pub struct Checker {
    errors: Vec<ValidationError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, e: ValidationError) {
        self.errors.push(e);
    }

    /// A required single-line field: not blank, at most [`SHORT_MAX`] characters, no control characters.
    pub fn required_short(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(ValidationError::Required { field: field.into() });
        } else {
            self.short(field, value);
        }
    }

    /// An optional single-line field.
    pub fn short(&mut self, field: &str, value: &str) {
        self.len(field, value, SHORT_MAX);
        if value.chars().any(|c| c.is_control()) {
            self.push(ValidationError::Invalid {
                field: field.into(),
                reason: "must be a single line without control characters".into(),
            });
        }
    }

    /// A required free-text field.
    pub fn required_text(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(ValidationError::Required { field: field.into() });
        } else {
            self.text(field, value);
        }
    }

    /// An optional free-text field (may be empty).
    pub fn text(&mut self, field: &str, value: &str) {
        self.len(field, value, TEXT_MAX);
    }

    pub fn opt_text(&mut self, field: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.text(field, v);
        }
    }

    pub fn opt_short(&mut self, field: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.short(field, v);
        }
    }

    pub fn list<T>(&mut self, field: &str, items: &[T]) {
        if items.len() > LIST_MAX {
            self.push(ValidationError::TooMany {
                field: field.into(),
                max: LIST_MAX,
                len: items.len(),
            });
        }
    }

    pub fn short_list(&mut self, field: &str, items: &[String]) {
        self.list(field, items);
        for (i, s) in items.iter().enumerate() {
            self.required_short(&format!("{field}[{i}]"), s);
        }
    }

    fn len(&mut self, field: &str, value: &str, max: usize) {
        let len = value.chars().count();
        if len > max {
            self.push(ValidationError::TooLong {
                field: field.into(),
                max,
                len,
            });
        }
    }

    pub fn finish(self) -> Result<(), ValidationError> {
        let mut errors = self.errors;
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(ValidationError::Several(errors)),
        }
    }
}
