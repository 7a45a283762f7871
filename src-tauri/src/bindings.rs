//! Generates `ui/src/bindings.ts`: the TypeScript declaration of every type a command takes or
//! returns (from the Rust types, through ts-rs) and a typed wrapper for every command. The
//! test `bindings_are_current` fails when the checked-in file differs from what the Rust types
//! say now; run `UPDATE_BINDINGS=1 cargo test -p liaison-app bindings` to regenerate it.

use liaison_core::typescript::Collector;

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole generated file.
pub fn typescript() -> String {
    let sigs = crate::commands::signatures();
    let mut c = Collector::default();
    c.add::<crate::error::AppError>();
    for s in &sigs {
        (s.visit)(&mut c);
    }
    let decls = c.declarations();
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit by hand:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p liaison-app bindings` after changing a type or a command.\n\
         /* eslint-disable */\n\
         import { invoke } from \"@tauri-apps/api/core\";\n\n",
    );
    for (_, d) in decls {
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(
        "/** Every command of the shell. A rejected promise carries an `AppError`. */\nexport const commands = {\n",
    );
    for s in &sigs {
        let params: Vec<String> = s.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        let names: Vec<String> = s.args.iter().map(|(n, _)| camel(n)).collect();
        let args = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        out.push_str(&format!(
            "  {}: ({}): Promise<{}> => invoke<{}>(\"{}\"{}),\n",
            camel(s.name),
            params.join(", "),
            s.returns,
            s.returns,
            s.name,
            args
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn checked_in() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts")
    }

    #[test]
    fn bindings_are_current() {
        let now = typescript();
        let path = checked_in();
        if std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &now).expect("write ui/src/bindings.ts");
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == now,
            "ui/src/bindings.ts is out of date with the Rust types; run `UPDATE_BINDINGS=1 cargo test -p liaison-app bindings`"
        );
    }

    #[test]
    fn bindings_declare_every_command_and_the_record_kinds() {
        let ts = typescript();
        for s in crate::commands::signatures() {
            assert!(
                ts.contains(&format!("invoke<{}>(\"{}\"", s.returns, s.name)),
                "{}",
                s.name
            );
        }
        assert!(ts.contains("export type Body ="));
        assert!(ts.contains("\"kind\": \"rumour_report\""));
        assert!(ts.contains("export type AppError ="));
        assert!(!ts.contains("bigint"), "every number reaches the UI as a JSON number");
    }

    #[test]
    fn argument_names_are_camel_case_as_tauri_expects() {
        assert_eq!(camel("operation_id"), "operationId");
        assert_eq!(camel("record_id"), "recordId");
        assert_eq!(camel("told"), "told");
    }
}
