//! Properties of the one message format every destination writes and every consumer reads
//! (`destination::message`): any delivery reads back as written, and any pairs at all (what a
//! stream holds may have been written by anyone) read as a delivery or a typed error, never a
//! panic.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use tower_webhooks::destination::message;
use tower_webhooks::store::StoredDelivery;

fn text() -> impl Strategy<Value = String> {
    "[ -~]{1,40}"
}

fn header_names() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,20}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_delivery_reads_back_as_written(
        provider in "[a-z][a-z0-9-]{0,15}",
        id in text(),
        event_type in proptest::option::of(text()),
        timestamp in proptest::option::of(any::<i64>()),
        received_at in any::<i64>(),
        path in "/[a-z0-9/_-]{0,30}",
        headers in prop::collection::vec((header_names(), "[ -~]{0,60}"), 0..6),
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut map = HeaderMap::new();
        for (name, value) in &headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let key = format!("{provider}:{id}");
        let mut delivery = StoredDelivery::new(key, provider, id, map, Bytes::from(body));
        delivery.event_type = event_type;
        delivery.timestamp = timestamp;
        delivery.received_at = received_at;
        delivery.uri = path.parse().unwrap();
        let fields = message::fields(&delivery);
        let back = message::delivery(
            fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
            delivery.body.clone(),
        )
        .unwrap();
        prop_assert_eq!(&back.key, &delivery.key);
        prop_assert_eq!(&back.provider, &delivery.provider);
        prop_assert_eq!(&back.id, &delivery.id);
        prop_assert_eq!(&back.event_type, &delivery.event_type);
        prop_assert_eq!(back.timestamp, delivery.timestamp);
        prop_assert_eq!(back.received_at, delivery.received_at);
        prop_assert_eq!(&back.method, &delivery.method);
        prop_assert_eq!(&back.uri, &delivery.uri);
        prop_assert_eq!(&back.headers, &delivery.headers);
        prop_assert_eq!(&back.body, &delivery.body);
    }

    #[test]
    fn any_pairs_read_as_a_delivery_or_an_error(
        pairs in prop::collection::vec(
            (
                prop_oneof![
                    Just(message::KEY.to_owned()),
                    Just(message::PROVIDER.to_owned()),
                    Just(message::ID.to_owned()),
                    Just(message::TIMESTAMP.to_owned()),
                    Just(message::METHOD.to_owned()),
                    Just(message::URI.to_owned()),
                    "Http-.{0,8}",
                    "h[tT]{2}p-.{0,4}",
                    ".{0,12}",
                ],
                prop::collection::vec(any::<u8>(), 0..32),
            ),
            0..12,
        ),
    ) {
        let _ = message::delivery(pairs.iter().map(|(n, v)| (n.as_str(), v.as_slice())), Bytes::new());
    }
}
