//! The one error the domain layer reports: an input that breaks a rule.

/// An input that breaks a rule, naming the field and a stable code.
///
/// The code is a message id in the Fluent catalogue (`error-<code>`), so the web layer can say
/// what went wrong in the user's language and put the message beside the right field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {code}")]
pub struct ValidationError {
    pub field: &'static str,
    pub code: &'static str,
}

impl ValidationError {
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        Self { field, code }
    }
}
