//! Configuration is layered, validated at start, and an error names the key.
//! Each test uses its own service name, so their environment variables never meet.

use prism_platform::config::{load, NoOwnSettings};

#[test]
fn defaults_give_a_working_local_service() {
    let (settings, _) = load::<NoOwnSettings>("defaults-only", 8099).expect("defaults load");
    assert_eq!(settings.http.port, 8099);
    assert_eq!(settings.database.url, "sqlite://var/defaults-only.db");
    assert_eq!(settings.messaging.max_deliver, 5);
}

#[test]
fn a_service_variable_overrides_the_default() {
    std::env::set_var("PRISM_OVERRIDDEN__HTTP__PORT", "9123");
    std::env::set_var(
        "PRISM_OVERRIDDEN__DATABASE__URL",
        "postgres://prism@db/overridden",
    );
    let (settings, _) = load::<NoOwnSettings>("overridden", 8099).expect("loads");
    assert_eq!(settings.http.port, 9123);
    assert_eq!(settings.database.url, "postgres://prism@db/overridden");
}

#[test]
fn a_value_of_the_wrong_type_names_its_key() {
    std::env::set_var("PRISM_BADPORT__HTTP__PORT", "eighty");
    let error = load::<NoOwnSettings>("badport", 8099)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("http.port"), "{error}");
}

#[test]
fn an_invalid_value_names_its_key() {
    std::env::set_var("PRISM_BADDB__DATABASE__URL", "mysql://somewhere");
    let error = load::<NoOwnSettings>("baddb", 8099)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("database.url"), "{error}");
}
