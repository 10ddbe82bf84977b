//! The binary's errors, each with the context a person needs (file, line, field) and its exit
//! code. None of them ever holds a secret.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

/// Why a command could not do its work.
#[derive(Debug)]
pub(crate) enum Error {
    /// A configuration problem: a file, a provider, a secret (exit 3).
    Config(String),
    /// A problem while running: a port, a server, a file to read (exit 4).
    Runtime(String),
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }

    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Error::Runtime(message.into())
    }

    /// A file that cannot be read.
    pub(crate) fn read(path: &Path, err: &std::io::Error) -> Self {
        Error::Config(format!("{}: cannot be read: {err}", path.display()))
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Error::Config(_) => ExitCode::from(3),
            Error::Runtime(_) => ExitCode::from(4),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(message) | Error::Runtime(message) => f.write_str(message),
        }
    }
}
