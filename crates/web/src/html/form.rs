//! Forms: what is wrong with a submitted one, field by field (`FormErrors`, rendered by the
//! macros of `templates/html/macros.html`), and the extractor for forms whose fields repeat.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use farmgate_domain::ValidationError;
use serde::de::DeserializeOwned;

use crate::i18n::Tr;
use crate::problem::Problem;

/// What was sent in the form field `name` (the first, when it repeats), or "" when nothing was; forms read as name-value pairs keep what was typed.
pub fn sent(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or(String::new(), |(_, v)| v.clone())
}

/// The mistakes of a submitted form: each field's message in the reader's language. A page
/// holds one and its template shows each message beside its field (`field`, `invalid` and
/// `error` in `templates/html/macros.html`), with `aria-invalid` and `aria-describedby`.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    /// No mistakes: a form shown for the first time.
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    /// Each rule broken, beside its field.
    pub fn of(t: &Tr, errors: &[ValidationError]) -> FormErrors {
        let mut form = FormErrors::none();
        for err in errors {
            form.add(err.field, Problem::from(*err).message(t));
        }
        form
    }

    /// A problem beside its field (`form` when it names none).
    pub fn of_problem(t: &Tr, problem: &Problem) -> FormErrors {
        let mut form = FormErrors::none();
        form.add(problem.field.unwrap_or("form"), problem.message(t));
        form
    }

    /// Adds `message` to `field`; a field keeps its first message.
    pub fn add(&mut self, field: impl Into<String>, message: String) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, message));
        }
    }

    /// Shows the message of `from` (a rule about several fields, such as "a name in some
    /// language") beside the field `to` the reader is looking at.
    pub fn moved(mut self, from: &str, to: &str) -> FormErrors {
        for (field, _) in self.0.iter_mut().filter(|(f, _)| f == from) {
            *field = to.to_owned();
        }
        self
    }

    /// The message beside `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, message)| message.as_str())
    }

    /// Whether `field` has a message (for `aria-invalid`).
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A form whose fields may repeat (one `trainer` per box ticked): `axum_extra`'s `Form`
/// (serde_html_form collects repeated keys into a `Vec`), refused as a FarmGate problem.
/// Decision 0015.
pub struct RepeatedForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for RepeatedForm<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        match axum_extra::extract::Form::<T>::from_request(request, state).await {
            Ok(axum_extra::extract::Form(value)) => Ok(RepeatedForm(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large"),
            ),
            Err(_) => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad-request",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use farmgate_domain::lang::Language;

    use super::*;

    #[test]
    fn a_field_keeps_its_first_message_in_the_readers_language() {
        let t = Tr(Language::En);
        let errors = FormErrors::of(
            &t,
            &[
                ValidationError::new("phone", "phone-invalid"),
                ValidationError::new("phone", "required"),
            ],
        );
        assert!(errors.has("phone"));
        assert!(!errors.has("name"));
        assert_eq!(
            errors.get("phone"),
            Some(t.get("error-phone-invalid").as_str())
        );
    }
}
