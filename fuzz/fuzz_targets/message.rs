//! Reading a message back as a delivery (`destination::message::delivery`), from any pairs a
//! stream may hold: a delivery or a typed error, never a panic; and a delivery read back writes
//! the same facts again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tower_webhooks::destination::message;

fuzz_target!(|input: (Vec<(String, Vec<u8>)>, Vec<u8>)| {
    let (pairs, body) = input;
    let read = message::delivery(
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_slice())),
        body.into(),
    );
    if let Ok(delivery) = read {
        let fields = message::fields(&delivery);
        let again = message::delivery(
            fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
            delivery.body.clone(),
        )
        .expect("what was written reads back");
        assert_eq!(again.key, delivery.key);
        assert_eq!(again.id, delivery.id);
        assert_eq!(again.uri, delivery.uri);
    }
});
