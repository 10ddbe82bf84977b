//! Provider presets: each one a [`Scheme`](crate::scheme::Scheme) made of shared parts, plus
//! typed payloads.
//!
//! | provider | signature header | signed message | encoding | tolerance | handshake | dedup key |
//! |---|---|---|---|---|---|---|
//! | [`ycloud`] | `YCloud-Signature: t=..,s=..` | `<t>.<body>` | hex | 300 s | none | JSON `id` |
//! | [`wappcloud`] | `X-Wappcloud-Signature: sha256=..` | body | hex | none | `GET ?challenge=` → `{"challenge":".."}` | body SHA-256 |
//! | [`yeastar`] | `X-Signature: ..` | body | base64 | none | none | body SHA-256 |
//! | [`conversation`] | none (optional `X-Signature: sha256=..`) | body | hex | none | none | JSON `data.id` + `data.status` |

pub mod conversation;
pub mod wappcloud;
pub mod ycloud;
pub mod yeastar;

#[cfg(test)]
mod tests {
    use crate::builder::validate;

    #[test]
    fn every_preset_is_consistent() {
        for scheme in [
            super::ycloud::scheme(),
            super::wappcloud::scheme(),
            super::yeastar::scheme(),
        ] {
            assert_eq!(validate(&scheme, false), Ok(()), "{}", scheme.provider());
        }
        assert_eq!(validate(&super::conversation::scheme(), true), Ok(()));
        assert_eq!(validate(&super::conversation::scheme(), false), Ok(()));
    }
}
