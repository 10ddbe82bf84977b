//! Test keys: the RSA key and certificates of the SNS vectors (tests/vectors/keys), PEM, and SNS messages.

use base64::Engine as _;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/keys");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap()
}

/// The DER inside a PEM text's first block.
pub fn pem_der(pem: &str) -> Vec<u8> {
    let base64: String = pem
        .lines()
        .skip_while(|line| !line.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap()
}

/// The SNS test key (PKCS#8 DER, for `Signer`) and its certificate (PEM, valid 2020 to 2040).
pub fn key_and_certificate() -> (Vec<u8>, String) {
    (
        pem_der(&read("rsa-test-key.pem")),
        read("rsa-test-cert.pem"),
    )
}

/// An SNS message of `kind`, unsigned, naming `cert_url`; a confirmation carries `subscribe_url`.
pub fn sns_message(kind: &str, id: &str, cert_url: &str, subscribe_url: &str) -> String {
    let mut message = serde_json::json!({
        "Type": kind,
        "MessageId": id,
        "TopicArn": "arn:aws:sns:us-west-2:123456789012:MyTopic",
        "Message": "Hello world!",
        "Timestamp": "2023-11-14T22:13:20.000Z",
        "SignatureVersion": "2",
        "SigningCertURL": cert_url,
    });
    if kind == "SubscriptionConfirmation" {
        message["Token"] = "2336412f37fb687f5d51e6e241d".into();
        message["SubscribeURL"] = subscribe_url.into();
    }
    message.to_string()
}
