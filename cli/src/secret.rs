//! Secrets from the environment or from files: never from a command line or a config's text.

use std::path::Path;

use tower_webhooks::Secret;

use crate::error::Error;

/// The secret in the environment variable `var`; the error names the variable, never a value.
pub(crate) fn from_env(var: &str) -> Result<Secret, Error> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(Secret::from(value)),
        Ok(_) => Err(Error::config(format!(
            "the environment variable {var} is empty"
        ))),
        Err(_) => Err(Error::config(format!(
            "the environment variable {var} is not set (it should hold the secret)"
        ))),
    }
}

/// The secret in the file at `path`, without its trailing newline.
pub(crate) fn from_file(path: &Path) -> Result<Secret, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| Error::config(format!("{}: cannot be read: {err}", path.display())))?;
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(Error::config(format!(
            "{}: the secret file is empty",
            path.display()
        )));
    }
    Ok(Secret::from(secret.to_owned()))
}

/// The secret in the variable `env`, else in the file `file`; `missing` says what to give when
/// neither is named.
pub(crate) fn named(
    env: Option<&str>,
    file: Option<&Path>,
    missing: &str,
) -> Result<Secret, Error> {
    match (env, file) {
        (Some(var), _) => from_env(var),
        (None, Some(path)) => from_file(path),
        (None, None) => Err(Error::config(missing)),
    }
}

/// The secret a command's `--secret-env` or `--secret-file` names.
pub(crate) fn of(provider: &crate::Provider) -> Result<Secret, Error> {
    named(
        provider.secret_env.as_deref(),
        provider.secret_file.as_deref(),
        "give --secret-env VAR or --secret-file FILE",
    )
}
