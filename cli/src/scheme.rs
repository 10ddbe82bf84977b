//! A provider's scheme: a preset by name, or a scheme document (TOML or JSON) by path.

use std::path::Path;

use tower_webhooks::scheme::Scheme;

use crate::error::Error;

/// The scheme `name` names: a file when it ends in `.toml` or `.json`, else a preset.
pub(crate) fn load(name: &str, relative_to: Option<&Path>) -> Result<Scheme, Error> {
    if name.ends_with(".toml") || name.ends_with(".json") {
        let path = match relative_to {
            Some(dir) => dir.join(name),
            None => Path::new(name).to_path_buf(),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|err| Error::config(format!("{}: cannot be read: {err}", path.display())))?;
        let read = if name.ends_with(".toml") {
            Scheme::from_toml(&text)
        } else {
            Scheme::from_json(&text)
        };
        return read.map_err(|err| Error::config(format!("{}: {err}", path.display())));
    }
    tower_webhooks::provider::by_name(name).ok_or_else(|| {
        let known: Vec<String> = tower_webhooks::provider::all()
            .iter()
            .map(|scheme| scheme.provider().to_owned())
            .collect();
        Error::config(format!(
            "unknown provider `{name}` (a preset's name, or a scheme document ending in .toml or .json); presets: {}",
            known.join(", ")
        ))
    })
}
