//! Scheme documents: arbitrary text through `Scheme::from_json` and `Scheme::from_toml`, the
//! parsers a gateway's config goes through. Nothing may panic, and whatever reads as a scheme
//! must write out and read back as the very same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tower_webhooks::scheme::Scheme;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for read in [Scheme::from_json(text), Scheme::from_toml(text)] {
        let Ok(scheme) = read else {
            continue;
        };
        let json = scheme.to_json();
        let again = Scheme::from_json(&json).expect("a written scheme reads back");
        assert_eq!(again.to_json(), json, "JSON is stable");
        let toml = scheme.to_toml();
        let from_toml = Scheme::from_toml(&toml).expect("a written TOML scheme reads back");
        assert_eq!(from_toml.to_json(), json, "TOML keeps every part");
    }
});
