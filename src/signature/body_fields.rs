//! The JSON body fields a signature check reads (the signature itself, the field that chooses
//! the algorithm, the signed fields, the timestamp), found in one pass over the body: an SNS
//! check would otherwise scan the body five times.

use crate::scheme::{Pointer, Signature, SignedPart};

/// The values, in slots: the signature, the algorithm's field, the timestamp, then each
/// [`SignedPart::Json`] and each field of each [`SignedPart::Fields`], in the parts' order.
pub(crate) struct BodyFields<'a> {
    /// Borrowed from the body where the JSON string needs no unescaping.
    values: Vec<Option<std::borrow::Cow<'a, str>>>,
    /// Where the signed parts' values start.
    parts: usize,
}

const SIGNATURE: usize = 0;
const VERSION: usize = 1;
const TIMESTAMP: usize = 2;

impl<'a> BodyFields<'a> {
    /// Whether the signature reads any field of the body.
    pub(crate) fn needed(signature: &Signature, timestamp: Option<&Pointer>) -> bool {
        signature.in_body.is_some()
            || signature.algorithm_by.is_some()
            || timestamp.is_some()
            || signature
                .signed
                .iter()
                .any(|part| matches!(part, SignedPart::Json(_) | SignedPart::Fields(_)))
    }

    /// The fields of `body` that `signature` (and a timestamp at `timestamp`) reads; every one
    /// absent when the body is not JSON.
    pub(crate) fn scan(signature: &Signature, timestamp: Option<&Pointer>, body: &'a [u8]) -> Self {
        /// Matches no field: a slot the scheme does not use.
        const NONE: &[String] = &[];
        let mut pointers: Vec<&[String]> = vec![
            signature.in_body.as_ref().map_or(NONE, Pointer::segments),
            signature
                .algorithm_by
                .as_ref()
                .map_or(NONE, |by| by.field.segments()),
            timestamp.map_or(NONE, Pointer::segments),
        ];
        for part in &signature.signed {
            match part {
                SignedPart::Json(pointer) => pointers.push(pointer.segments()),
                SignedPart::Fields(fields) => {
                    pointers.extend(fields.iter().map(|field| field.pointer.segments()))
                }
                _ => {}
            }
        }
        let values = crate::identify::json_fields(body, &pointers)
            .unwrap_or_else(|| vec![None; pointers.len()]);
        Self {
            values,
            parts: TIMESTAMP + 1,
        }
    }

    fn get(&self, slot: usize) -> Option<&str> {
        self.values.get(slot)?.as_deref()
    }

    /// The signature, when it is in the body.
    pub(crate) fn signature(&self) -> Option<&str> {
        self.get(SIGNATURE)
    }

    /// The value of the field that chooses the algorithm.
    pub(crate) fn version(&self) -> Option<&str> {
        self.get(VERSION)
    }

    /// The timestamp, when it is in the body.
    pub(crate) fn timestamp(&self) -> Option<&str> {
        self.get(TIMESTAMP)
    }

    /// The signed parts' values, in order: one per [`SignedPart::Json`], one per field of a
    /// [`SignedPart::Fields`].
    pub(crate) fn parts(&self) -> impl Iterator<Item = Option<&str>> {
        self.values[self.parts.min(self.values.len())..]
            .iter()
            .map(Option::as_deref)
    }
}
