//! `webhooks sign`: the headers that sign a body, as the provider would send them.

use std::io::Read;
use std::process::ExitCode;

use tower_webhooks::testing::Signer;

use crate::Provider;
use crate::error::Error;

pub(crate) fn run(
    provider: &Provider,
    timestamp: Option<i64>,
    url: &str,
) -> Result<ExitCode, Error> {
    let scheme = crate::scheme::load(&provider.provider, None)?;
    let secret = crate::secret::of(provider)?;
    let uri: http::Uri = url
        .parse()
        .map_err(|err| Error::config(format!("--url {url}: {err}")))?;
    let mut body = Vec::new();
    std::io::stdin()
        .read_to_end(&mut body)
        .map_err(|err| Error::runtime(format!("standard input cannot be read: {err}")))?;
    let signer = Signer::new(scheme, secret)
        .map_err(|err| Error::config(format!("--provider {}: {err}", provider.provider)))?;
    let signer = signer.at(timestamp.unwrap_or_else(crate::now));
    for (name, value) in &signer.headers(&uri, &body) {
        println!("{name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
    Ok(ExitCode::SUCCESS)
}
