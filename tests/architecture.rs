//! The module map, checked: imports point one way. Read from the `use` lines and paths of
//! `src/` (tests and comments left out), at the level of the crate's modules (a folder such as
//! `scheme/` is one module, its files its parts):
//!
//! - no two modules import each other, directly or round a circle;
//! - nothing imports `layer` but the crate root;
//! - `scheme` is vocabulary: it imports no module that acts on a request;
//! - the presets build on the builder and the scheme, never on the layer, service or worker;
//! - the service and the worker share what they share through `config` and `redelivery`.
//!
//! `cargo test --test architecture -- --nocapture` prints the map.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each module of the crate (the first segment of its path) and the modules it imports.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file belongs to: `src/scheme/source.rs` is part of `scheme`; the root is "".
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    let first = first.trim_end_matches(".rs");
    if first == "lib" {
        String::new()
    } else {
        first.to_owned()
    }
}

/// The code of a file without its unit tests and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            // Not inside a string literal such as "https://...".
            Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of each item of a `{...}` group (nested groups are items too).
fn group_items(group: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut current) = (0, String::new());
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => items.push(std::mem::take(&mut current)),
            _ if depth == 0 => current.push(c),
            _ => {}
        }
    }
    items.push(current);
    items
        .iter()
        .map(|item| {
            item.trim()
                .split("::")
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .filter(|first| !first.is_empty())
        .collect()
}

/// The first segment of every `crate::` path in `code`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut firsts = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            firsts.extend(group_items(&group[..end]));
        } else {
            let segment: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            firsts.push(segment);
        }
    }
    firsts
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// Names re-exported at the crate root, with the module that defines each.
fn root_exports(lib: &str) -> BTreeMap<String, String> {
    let mut exports = BTreeMap::new();
    for line in code(lib).lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim_end_matches(';');
        let module = path.split("::").next().unwrap_or("").to_owned();
        let names = match path.find('{') {
            Some(at) => group_items(&path[at + 1..path.len() - 1]),
            None => vec![path.rsplit("::").next().unwrap_or("").to_owned()],
        };
        for name in names {
            exports.insert(name, module.clone());
        }
    }
    exports
}

fn graph() -> Graph {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let exports = root_exports(&lib);
    let mut graph = Graph::new();
    for file in &files {
        let from = module_of(file);
        let code = code(&std::fs::read_to_string(file).unwrap());
        let edges = graph.entry(from.clone()).or_default();
        for first in crate_paths(&code) {
            let to = if modules.contains(&first) {
                first
            } else if let Some(module) = exports.get(&first) {
                module.clone()
            } else {
                continue; // defined at the root (BoxError) or a macro path
            };
            if to != from && !to.is_empty() {
                edges.insert(to);
            }
        }
    }
    graph
}

/// A circle through `start`, if there is one.
fn circle(graph: &Graph, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &Graph,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn modules_import_one_way() {
    let graph = graph();
    println!("module map (module -> what it imports):");
    for (module, edges) in &graph {
        let name = if module.is_empty() { "(root)" } else { module };
        let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
        println!("  {name:<11} -> {}", edges.join(", "));
    }
    assert!(graph.len() > 20, "read too few modules: {graph:?}");

    let circles: Vec<String> = graph
        .keys()
        .filter_map(|module| circle(&graph, module))
        .map(|path| path.join(" -> "))
        .collect();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );

    for (module, edges) in &graph {
        assert!(
            module.is_empty() || !edges.contains("layer"),
            "{module} imports layer.rs; only the crate root may"
        );
    }
    let acting = [
        "body",
        "builder",
        "config",
        "handshake",
        "identify",
        "layer",
        "provider",
        "redelivery",
        "service",
        "signature",
        "store",
        "testing",
        "worker",
    ];
    for module in acting {
        assert!(
            !graph["scheme"].contains(module),
            "scheme is vocabulary only, but imports {module}"
        );
    }
    for module in ["layer", "service", "worker", "config"] {
        assert!(
            !graph["provider"].contains(module),
            "a preset imports {module}; presets build on the builder and the scheme"
        );
    }
    assert!(graph["provider"].contains("builder") && graph["builder"].contains("scheme"));
    for (a, b) in [("service", "worker"), ("worker", "service")] {
        assert!(!graph[a].contains(b), "{a} imports {b}");
    }
}

#[test]
fn the_check_sees_a_circle() {
    // The same reading over a made-up pair that import each other.
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("a".into());
    assert_eq!(
        circle(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    let firsts = crate_paths(
        "use crate::{body, scheme::{Hash, Source}, Ack};\nlet x = crate::store::Claim;",
    );
    assert_eq!(firsts, ["body", "scheme", "Ack", "store"]);
}
