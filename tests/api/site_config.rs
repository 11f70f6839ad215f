//! Leptos.toml (read by the deployed binary) agrees with Cargo.toml's metadata (read by
//! cargo-leptos when building), so what is built is what is served.

#[test]
fn leptos_toml_matches_cargo_metadata() {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string("Cargo.toml").unwrap()).unwrap();
    let leptos: toml::Value =
        toml::from_str(&std::fs::read_to_string("Leptos.toml").unwrap()).unwrap();
    let built = &cargo["package"]["metadata"]["leptos"];
    let served = &leptos["package"]["metadata"]["leptos"];
    for key in [
        "output-name",
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
        "hash-files",
    ] {
        assert_eq!(
            built.get(key),
            served.get(key),
            "{key} differs between Cargo.toml and Leptos.toml"
        );
    }
    // And the server can load it.
    let conf = leptos::config::get_configuration(Some("Leptos.toml")).unwrap();
    assert_eq!(&*conf.leptos_options.output_name, "liaison");
}
