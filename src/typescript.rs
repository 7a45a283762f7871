//! TypeScript declarations of Rust types (through ts-rs), for the UIs' generated bindings:
//! the app's (`src-tauri/src/bindings.rs`) and the force console's
//! (`server/src/console/bindings.rs`). Both collect their types here, so a record reaches
//! either UI as the same declaration.

use std::collections::BTreeSet;
use ts_rs::{TypeVisitor, TS};

/// Collects the declarations of a set of types and everything they refer to.
#[derive(Default)]
pub struct Collector {
    seen: BTreeSet<String>,
    decls: Vec<(String, String)>,
}

impl Collector {
    pub fn add<T: TS + 'static + ?Sized>(&mut self) {
        self.visit::<T>();
    }

    /// Every declaration, `export`ed with its doc comment, sorted by name.
    pub fn declarations(self) -> Vec<(String, String)> {
        let mut decls = self.decls;
        decls.sort_by(|a, b| a.0.cmp(&b.0));
        decls
    }
}

impl TypeVisitor for Collector {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_some() {
            if !self.seen.insert(T::ident()) {
                return;
            }
            let doc = T::docs()
                .map(|d| if d.ends_with('\n') { d } else { format!("{d}\n") })
                .unwrap_or_default();
            self.decls.push((T::ident(), format!("{doc}export {}", T::decl())));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}
