//! Shorter names between the widget's wasm and its js. wasm-bindgen names each import after
//! its function and a 16-digit hash (`__wbg_setAttribute_5f1a…`), in the wasm and again in the
//! js: about 130 names that brotli cannot shrink much. wasm-opt's
//! `--minify-imports-and-exports-and-modules` renames them to a letter or two in the wasm and
//! prints the old and new names; `rename` makes the js use the new ones. (About 2.5 KB less on
//! the wire.)

use serde_json::Value;

/// wasm-opt's printed map: `{"imports": [[module, old, new], …], "exports": [[old, new], …]}`.
pub struct Renames {
    imports: Vec<(String, String)>,
    exports: Vec<(String, String)>,
}

impl Renames {
    pub fn parse(printed: &str) -> Result<Self, String> {
        // wasm-opt prints the map and nothing else on stdout.
        let map: Value = serde_json::from_str(printed)
            .map_err(|e| format!("wasm-opt's map of renamed names: {e}"))?;
        let pairs = |key: &str, old: usize, new: usize| -> Result<Vec<(String, String)>, String> {
            map[key]
                .as_array()
                .ok_or_else(|| format!("wasm-opt's map has no {key}"))?
                .iter()
                .map(|entry| {
                    let name = |i: usize| entry[i].as_str().map(str::to_string);
                    name(old)
                        .zip(name(new))
                        .ok_or_else(|| format!("wasm-opt's map: an odd entry {entry}"))
                })
                .collect()
        };
        Ok(Renames {
            imports: pairs("imports", 1, 2)?,
            exports: pairs("exports", 0, 1)?,
        })
    }
}

/// The js wasm-bindgen wrote, with the names the renamed wasm has: the imports object's
/// module (`module` is its new name) and keys, and every `wasm.export`. Refuses js it does not
/// recognise rather than write one that fails in browsers.
pub fn rename(js: &str, old_module: &str, module: &str, names: &Renames) -> Result<String, String> {
    let from = format!("\"{old_module}\": import0");
    if js.matches(&from).count() != 1 {
        return Err(format!(
            "the widget's js does not name its imports as {from}"
        ));
    }
    let mut js = js.replace(&from, &format!("\"{module}\": import0"));
    for (old, new) in &names.imports {
        let key = format!("\n        {old}: function(");
        if js.matches(&key).count() != 1 {
            return Err(format!(
                "the widget's js does not define the import {old} once"
            ));
        }
        js = js.replace(&key, &format!("\n        \"{new}\": function("));
    }
    Ok(rename_exports(&js, &names.exports))
}

/// Every `wasm.NAME` whose NAME was renamed (whole names only: `wasm.__wbindgen_free` is not a
/// prefix of `wasm.__wbindgen_free_x`).
fn rename_exports(js: &str, exports: &[(String, String)]) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(js.len());
    let mut rest = js;
    while let Some(at) = rest.find("wasm.") {
        let standalone = !rest[..at].ends_with(is_name);
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let end = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
        let name = &rest[..end];
        match exports.iter().find(|(old, _)| old == name) {
            Some((_, new)) if standalone => out.push_str(new),
            _ => out.push_str(name),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The module name of a wasm file's first import (after renaming, all of them share it).
pub fn first_import_module(wasm: &[u8]) -> Option<String> {
    fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let b = *bytes.get(*at)?;
            *at += 1;
            value |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                return Some(value);
            }
            shift += 7;
        }
    }
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)?;
        if id == 2 {
            let mut p = at;
            leb(wasm, &mut p)?; // how many imports
            let len = leb(wasm, &mut p)?;
            return String::from_utf8(wasm.get(p..p + len)?.to_vec()).ok();
        }
        at += size;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS: &str = "function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_append_6f1c9bd0e3a1b2c4: function(arg0, arg1) {
            arg0.append(arg1);
        },
        __wbg_appendChild_dbf7ad2f48413560: function(arg0, arg1) {
            return arg0.appendChild(arg1);
        },
    };
    return {
        __proto__: null,
        \"./liaison-core_bg.js\": import0,
    };
}
function mount(a) { wasm.mount(a); wasm.__wbindgen_free(1); wasm.__wbindgen_free_x(2); mywasm.mount(3); }
";

    fn renames() -> Renames {
        Renames::parse(
            r#"{
 "imports": [
  ["./liaison-core_bg.js", "__wbg_appendChild_dbf7ad2f48413560", "$"],
  ["./liaison-core_bg.js", "__wbg_append_6f1c9bd0e3a1b2c4", "b"]
 ],
"exports": [
  ["mount", "c"],
  ["__wbindgen_free", "d"]
 ]
}"#,
        )
        .unwrap()
    }

    #[test]
    fn imports_exports_and_the_module_take_their_new_names() {
        let js = rename(JS, "./liaison-core_bg.js", "a", &renames()).unwrap();
        assert!(js.contains("\n        \"b\": function(arg0, arg1) {\n            arg0.append("));
        assert!(js.contains(
            "\n        \"$\": function(arg0, arg1) {\n            return arg0.appendChild("
        ));
        assert!(js.contains("\"a\": import0"));
        assert!(!js.contains("__wbg_append"));
        // Whole names only, and only `wasm.` itself.
        assert!(js.contains("wasm.c(a); wasm.d(1); wasm.__wbindgen_free_x(2); mywasm.mount(3);"));
    }

    #[test]
    fn js_that_does_not_match_the_wasm_is_refused() {
        let missing = JS.replace("__wbg_append_6f1c9bd0e3a1b2c4: function", "other: function");
        assert!(rename(&missing, "./liaison-core_bg.js", "a", &renames()).is_err());
        assert!(rename(JS, "./other_bg.js", "a", &renames()).is_err());
        assert!(Renames::parse("not json").is_err());
    }

    #[test]
    fn the_first_imports_module_is_read_from_the_wasm() {
        // magic, version; a type section (id 1, 4 bytes); an import section: one import "a"."b",
        // a function of type 0.
        let wasm = [
            0, b'a', b's', b'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 7, 1, 1, b'a', 1, b'b', 0, 0,
        ];
        assert_eq!(first_import_module(&wasm).as_deref(), Some("a"));
        assert_eq!(first_import_module(&wasm[..8]), None);
    }
}
