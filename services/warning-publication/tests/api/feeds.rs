//! Atom feeds read by a real feed parser; every CAP message validated against the official
//! CAP 1.2 schema with xmllint.

use std::{io::Write as _, path::PathBuf, process::Command};

use atom_syndication::Feed;
use serde_json::json;

use crate::helpers::{spawn_app, warning_body, TestApp};

/// Validates `xml` against `schema/CAP-v1.2.xsd`; panics with xmllint's words if invalid.
fn assert_valid_cap(xml: &str) {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/CAP-v1.2.xsd");
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(xml.as_bytes()).expect("write");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file.path())
        .output()
        .expect("xmllint runs (deploy/scripts/install-chromium.sh installs libxml2-utils)");
    assert!(
        output.status.success(),
        "CAP message invalid:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn text(app: &TestApp, path: &str) -> String {
    let response = app.public(path).await;
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.text().await.expect("body")
}

#[tokio::test]
async fn the_atom_feed_lists_published_warnings_and_parses() {
    let app = spawn_app().await;
    let mut markup = warning_body();
    markup["title_zh"] = json!("<b>口罩</b> & 过滤");
    let first = app.publish(markup).await;
    let second = app.publish(warning_body()).await;
    app.draft(&app.regulator(), warning_body()).await;

    let body = text(&app, "/feeds/warnings.atom").await;
    let feed = Feed::read_from(body.as_bytes()).expect("a valid Atom feed");
    let ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(
        ids,
        vec![format!("urn:uuid:{second}"), format!("urn:uuid:{first}")]
    );
    assert_eq!(feed.entries()[1].title().as_str(), "<b>口罩</b> & 过滤");
    assert!(feed
        .links()
        .iter()
        .any(|l| l.rel() == "self" && l.href().ends_with("/feeds/warnings.atom")));
    assert!(feed.entries()[0]
        .links()
        .iter()
        .any(|l| l.href().ends_with(&format!("/warnings/{second}"))));
}

#[tokio::test]
async fn every_cap_message_of_a_warnings_life_is_valid_cap_1_2() {
    let app = spawn_app().await;
    let mut body = warning_body();
    body["title_zh"] = json!("儿童滑板车 <script>alert(1)</script> & 起火");
    body["summary_en"] = json!("Batteries swell & catch fire");
    body["advice_en"] = json!("Do not charge overnight");
    body["districts"] = json!(["310115", "310104", "310000"]);
    body["effective_at"] = json!("2026-11-21T08:00:00.5+08:00");
    body["expires_at"] = json!("2027-01-01T00:00:00Z");
    let id = app.publish(body).await;
    let cap = format!("/v1/warnings/{id}/cap");

    let alert = text(&app, &cap).await;
    assert_valid_cap(&alert);
    assert!(alert.contains("<msgType>Alert</msgType>"));
    assert!(alert.contains("<category>Safety</category>"));
    assert!(
        alert.contains("<severity>Severe</severity>"),
        "high is severe"
    );
    assert!(
        alert.contains("<language>zh-CN</language>")
            && alert.contains("<language>en-US</language>")
    );
    assert!(alert.contains("<value>310115</value>") && alert.contains("浦东新区"));
    assert!(!alert.contains("<references>"));

    let mut serious = warning_body();
    serious["level"] = json!("serious");
    serious["title_en"] = serde_json::Value::Null;
    let proposed = app
        .post(
            &format!("/v1/warnings/{id}/update"),
            &app.regulator(),
            json!({"warning": serious, "reason": "升级为严重"}),
        )
        .await;
    assert_eq!(proposed.status(), reqwest::StatusCode::ACCEPTED);
    assert!(app
        .approve(&id, &app.publisher())
        .await
        .status()
        .is_success());
    let update = text(&app, &cap).await;
    assert_valid_cap(&update);
    assert!(update.contains("<msgType>Update</msgType>"));
    assert!(update.contains(&format!("<identifier>prism-warning-{id}-v2</identifier>")));
    assert!(update.contains(&format!(
        "<references>prism-warning-publication,prism-warning-{id}-v1,"
    )));
    assert!(update.contains("<severity>Extreme</severity>"));
    assert!(
        !update.contains("<language>en-US</language>"),
        "no English text any more"
    );

    let cancelled = app
        .post(
            &format!("/v1/warnings/{id}/cancel"),
            &app.publisher(),
            json!({"reason": "复检合格"}),
        )
        .await;
    assert!(cancelled.status().is_success());
    let cancel = text(&app, &cap).await;
    assert_valid_cap(&cancel);
    assert!(cancel.contains("<msgType>Cancel</msgType>"));
    assert!(cancel.contains("<note>复检合格</note>"));
    assert!(
        cancel.contains(&format!("prism-warning-{id}-v1,"))
            && cancel.contains(&format!("prism-warning-{id}-v2,"))
    );

    let index =
        Feed::read_from(text(&app, "/feeds/cap.atom").await.as_bytes()).expect("a valid Atom feed");
    assert_eq!(index.entries().len(), 1);
    assert_eq!(
        index.entries()[0].id(),
        format!("urn:prism:cap:prism-warning-{id}-cancel")
    );
    let href = index.entries()[0].links()[0].href().to_owned();
    assert!(href.ends_with(&cap));
    assert_eq!(
        index.entries()[0].links()[0].mime_type(),
        Some("application/cap+xml")
    );
}

#[tokio::test]
async fn a_drafts_cap_message_is_404() {
    let app = spawn_app().await;
    let draft = app.draft(&app.regulator(), warning_body()).await;
    let response = app
        .public(&format!(
            "/v1/warnings/{}/cap",
            draft["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);
    let index = Feed::read_from(text(&app, "/feeds/cap.atom").await.as_bytes()).expect("atom");
    assert!(index.entries().is_empty());
}
