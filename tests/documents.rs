//! Schemes as documents: every preset written out and read back is the same scheme, and a scheme
//! described only in a file (the README's `acme.toml`) verifies deliveries like a preset.

use tower_webhooks::scheme::Scheme;
use tower_webhooks::{Builder, provider};

#[test]
fn every_preset_round_trips_through_json() {
    let all = provider::all();
    assert!(all.len() >= 72, "{} presets", all.len());
    for scheme in all {
        let text = scheme.to_json();
        let read = Scheme::from_json(&text)
            .unwrap_or_else(|err| panic!("{}: {err}\n{text}", scheme.provider()));
        assert_eq!(read.to_json(), text, "{}", scheme.provider());
        assert_eq!(read.provider(), scheme.provider());
        assert_eq!(
            read.signature(),
            scheme.signature(),
            "{}",
            scheme.provider()
        );
        assert_eq!(read.id(), scheme.id(), "{}", scheme.provider());
        assert_eq!(
            read.event_type(),
            scheme.event_type(),
            "{}",
            scheme.provider()
        );
        assert_eq!(
            read.timestamp(),
            scheme.timestamp(),
            "{}",
            scheme.provider()
        );
    }
}

/// The same through TOML, and a scheme that exists only as a TOML file.
#[cfg(feature = "toml")]
mod toml_files {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use tower::ServiceExt;
    use tower_webhooks::scheme::Scheme;
    use tower_webhooks::testing::Signer;
    use tower_webhooks::{Builder, provider};

    #[test]
    fn every_preset_round_trips_through_toml() {
        for scheme in provider::all() {
            let text = scheme.to_toml();
            let read = Scheme::from_toml(&text)
                .unwrap_or_else(|err| panic!("{}: {err}\n{text}", scheme.provider()));
            assert_eq!(read.to_json(), scheme.to_json(), "{}", scheme.provider());
        }
    }

    #[tokio::test]
    async fn a_scheme_from_a_file_verifies_deliveries() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/schemes/acme.toml"
        ))
        .unwrap();
        let scheme = Scheme::from_toml(&text).unwrap();
        let layer = Builder::from(scheme.clone())
            .secret("s3cret")
            .build()
            .unwrap();
        let app = Router::new().route("/hook", post(|| async { "ok" }).layer(layer));
        let signer = Signer::new(scheme.clone(), "s3cret").unwrap();
        let body = r#"{"type":"thing.happened","id":"t_1"}"#;

        let request = signer.request("/hook", body);
        assert!(
            request.headers()["x-acme-signature"]
                .to_str()
                .unwrap()
                .starts_with("sha256=")
        );
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);

        let other = Signer::new(scheme, "other").unwrap().request("/hook", body);
        assert_eq!(
            app.clone().oneshot(other).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        let unsigned = Request::post("/hook").body(Body::from(body)).unwrap();
        assert_eq!(
            app.oneshot(unsigned).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn a_broken_file_is_refused_with_the_field_and_the_line() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/schemes/acme.toml"
        ))
        .unwrap()
        .replace("\"base64\"", "\"base65\"");
        let err = Scheme::from_toml(&text).unwrap_err();
        assert_eq!(err.field(), Some("signature.encoding"));
        assert_eq!(err.location().map(|l| l.line), Some(8), "{err}");
        assert!(err.to_string().contains("base65"), "{err}");
    }
}

#[test]
fn secrets_are_never_written() {
    let scheme = provider::meta::scheme("very-secret-token");
    let text = scheme.to_json();
    assert!(!text.contains("very-secret-token"), "{text}");
    assert!(text.contains("verify-token"), "{text}");
    let read = Scheme::from_json(&text).unwrap();
    assert_eq!(
        Builder::from(read.clone()).secret("s").build().err(),
        Some(tower_webhooks::BuildError::NoVerifyToken)
    );
    assert!(
        Builder::from(read)
            .secret("s")
            .verify_token("very-secret-token")
            .build()
            .is_ok()
    );
}
