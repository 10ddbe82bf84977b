//! `Subject`: where a delivery is published, a template over its provider and event type.

use std::fmt;

/// Where a delivery goes: a NATS subject or a Redis stream key, written as a template with
/// `{provider}` and `{type}` (the event type, `unknown` when the delivery has none).
///
/// Values are made safe for a NATS subject: a dot in an event type makes more tokens
/// (`invoice.paid` → `webhooks.stripe.invoice.paid`, so `webhooks.stripe.invoice.>` takes every
/// invoice event), whitespace, `*` and `>` become `_`, and an empty token becomes `_`.
///
/// ```
/// use tower_webhooks::destination::Subject;
///
/// let subject = Subject::new("webhooks.{provider}.{type}")?;
/// assert_eq!(subject.render("stripe", Some("invoice.paid")), "webhooks.stripe.invoice.paid");
/// assert_eq!(subject.render("ycloud", None), "webhooks.ycloud.unknown");
/// assert_eq!(subject.render("x", Some("a b..*")), "webhooks.x.a_b._._");
/// assert!(Subject::new("webhooks.{tenant}").is_err());
/// # Ok::<(), tower_webhooks::destination::SubjectError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Subject {
    template: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Provider,
    Type,
}

/// Why a subject template cannot be used.
///
/// ```
/// use tower_webhooks::destination::Subject;
///
/// let err = Subject::new("a.{nope}").unwrap_err();
/// assert_eq!(err.to_string(), "subject `a.{nope}`: unknown placeholder {nope} (use {provider} or {type})");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectError {
    template: String,
    reason: String,
}

impl fmt::Display for SubjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subject `{}`: {}", self.template, self.reason)
    }
}

impl std::error::Error for SubjectError {}

impl Subject {
    /// Reads a template; literal text may not hold whitespace, `*` or `>`.
    pub fn new(template: &str) -> Result<Self, SubjectError> {
        let error = |reason: String| SubjectError {
            template: template.to_owned(),
            reason,
        };
        if template.is_empty() {
            return Err(error("empty".into()));
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after
                    .find('}')
                    .ok_or_else(|| error("a `{` is not closed".into()))?;
                parts.push(match &after[..end] {
                    "provider" => Part::Provider,
                    "type" => Part::Type,
                    other => {
                        return Err(error(format!(
                            "unknown placeholder {{{other}}} (use {{provider}} or {{type}})"
                        )));
                    }
                });
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let literal = &rest[..end];
                if let Some(bad) = literal
                    .chars()
                    .find(|c| c.is_whitespace() || matches!(c, '*' | '>' | '}'))
                {
                    return Err(error(format!("`{bad}` cannot be part of a subject")));
                }
                parts.push(Part::Literal(literal.to_owned()));
                rest = &rest[end..];
            }
        }
        Ok(Self {
            template: template.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.template
    }

    /// The subject of a delivery of `provider` with `event_type`.
    pub fn render(&self, provider: &str, event_type: Option<&str>) -> String {
        let mut out = String::with_capacity(self.template.len() + 32);
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Provider => push_safe(&mut out, provider),
                Part::Type => push_safe(&mut out, event_type.unwrap_or("unknown")),
            }
        }
        out
    }
}

/// Appends `value` with what a subject cannot hold replaced, and no empty token.
fn push_safe(out: &mut String, value: &str) {
    if value.is_empty() {
        out.push('_');
        return;
    }
    for (i, token) in value.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if token.is_empty() {
            out.push('_');
            continue;
        }
        out.extend(token.chars().map(|c| {
            if c.is_whitespace() || c.is_control() || matches!(c, '*' | '>') {
                '_'
            } else {
                c
            }
        }));
    }
}

impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Subject").field(&self.template).finish()
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)
    }
}

#[cfg(test)]
mod tests {
    use super::Subject;

    #[test]
    fn templates_render_safe_subjects() {
        let subject = Subject::new("in.{provider}.{type}.x").unwrap();
        assert_eq!(subject.render("gh", Some("push")), "in.gh.push.x");
        assert_eq!(subject.render("gh", Some(".a.")), "in.gh._.a._.x");
        assert_eq!(subject.render("gh", Some("")), "in.gh._.x");
        assert_eq!(subject.render("gh", Some("a>\tb")), "in.gh.a__b.x");
        assert_eq!(Subject::new("fixed").unwrap().render("a", None), "fixed");
    }

    #[test]
    fn bad_templates_are_refused() {
        for bad in ["", "a b", "a.*", "a.>", "a.{type", "a.{x}", "a}"] {
            assert!(Subject::new(bad).is_err(), "{bad}");
        }
    }
}
