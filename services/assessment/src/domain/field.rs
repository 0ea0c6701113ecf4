//! Checks shared by every free-text field of a request.

use prism_platform::http::{FieldError, Text};

/// A required text of 1 to `max` characters (after trimming), or the error naming `field`.
pub fn required(field: &str, value: Option<&str>, max: usize) -> Result<String, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Err(FieldError::new(
            field,
            Text::owned(format!("{field} 为必填项"), format!("{field} is required")),
        )),
        Some(text) => within(field, text, max).map(|()| text.to_owned()),
    }
}

/// An optional text: absent is fine, present must be 1 to `max` characters (after trimming).
pub fn optional(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Err(FieldError::new(
            field,
            Text::owned(
                format!("{field} 不能为空白；不填请省略"),
                format!("{field} must not be blank; leave it out instead"),
            ),
        )),
        Some(text) => within(field, text.trim(), max).map(|()| Some(text.trim().to_owned())),
    }
}

fn within(field: &str, text: &str, max: usize) -> Result<(), FieldError> {
    if text.chars().count() <= max {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            Text::owned(
                format!("{field} 不能超过 {max} 个字符"),
                format!("{field} must be at most {max} characters"),
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_required_text_is_missing_and_a_long_one_too_long() {
        assert_eq!(
            required("product", Some("  滑板车 "), 10).ok().as_deref(),
            Some("滑板车")
        );
        let blank = required("product", Some("   "), 10).expect_err("blank");
        assert_eq!(blank.field, "product");
        assert!(blank.message.en.contains("required"));
        let long = required("product", Some("很长很长很长很长很长很长"), 10).expect_err("long");
        assert!(long.message.en.contains("at most 10"));
    }

    #[test]
    fn an_optional_text_may_be_absent_but_not_blank() {
        assert_eq!(optional("responsible", None, 10).ok(), Some(None));
        assert!(optional("responsible", Some(" "), 10).is_err());
    }
}
