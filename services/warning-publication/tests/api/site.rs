//! The public site: languages, escaping, the feedback form and its limits, and the pages in
//! a real headless Chromium.

use std::{path::PathBuf, time::Duration};

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, warning_body, TestApp};

async fn page(app: &TestApp, path: &str, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(language) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

fn markup_body() -> serde_json::Value {
    let mut body = warning_body();
    body["title_zh"] = json!("<script>document.title='pwned'</script><b>滑板车</b>起火");
    body["summary_zh"] = json!("电池<img src=x onerror=alert(1)>鼓包");
    body["title_en"] = serde_json::Value::Null;
    body
}

#[tokio::test]
async fn the_site_is_chinese_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let id = app.publish(warning_body()).await;

    let (status, home) = page(&app, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("<html lang=\"zh-CN\">"));
    assert!(home.contains("产品质量安全风险警示"));
    assert!(home.contains("谨慎选购儿童电动滑板车"));
    assert!(
        home.contains("<label for=\"q\">搜索</label>"),
        "inputs are labelled"
    );
    assert!(home.contains("type=\"application/atom+xml\"") && home.contains("/feeds/cap.atom"));
    assert!(home.contains("name=\"viewport\""));

    let (_, english) = page(&app, "/", Some("en-US,en;q=0.9")).await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Take care with children&#x27;s e-scooters"));
    let (_, by_parameter) = page(&app, "/?lang=en", Some("zh-CN")).await;
    assert!(by_parameter.contains("Product quality and safety warnings"));

    let (status, detail) = page(&app, &format!("/warnings/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("<h1>谨慎选购儿童电动滑板车</h1>"));
    assert!(detail.contains("勿整夜充电"));
    assert!(detail.contains(&format!("/v1/warnings/{id}/cap")));

    let (_, searched) = page(&app, "/?q=%E5%86%B0%E7%AE%B1", None).await;
    assert!(
        searched.contains("没有符合条件的警示"),
        "冰箱 matches nothing"
    );
    let (status, _) = page(&app, "/?level=extreme", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let draft = app.draft(&app.regulator(), warning_body()).await;
    let (status, _) = page(
        &app,
        &format!("/warnings/{}", draft["id"].as_str().expect("id")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn markup_in_a_warning_shows_as_text() {
    let app = spawn_app().await;
    let id = app.publish(markup_body()).await;
    for path in ["/".to_owned(), format!("/warnings/{id}")] {
        let (_, html) = page(&app, &path, None).await;
        assert!(!html.contains("<script>document"), "{path}");
        assert!(!html.contains("<b>滑板车</b>"), "{path}");
        assert!(html.contains("&lt;script&gt;"), "{path}");
    }
    let (_, html) = page(&app, &format!("/warnings/{id}"), None).await;
    assert!(!html.contains("<img"));
}

async fn send(app: &TestApp, message: &str, from: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/feedback", app.address))
        .header("X-Forwarded-For", from)
        .form(&[
            ("message", message),
            ("contact", "138 0000 0000"),
            ("lang", "zh"),
        ])
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn feedback_reaches_regulators_and_repeats_oversized_and_floods_are_refused() {
    let app = spawn_app().await;
    let (status, form) = page(&app, "/feedback", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("意见和建议") && form.contains("<label for=\"message\">"));

    let sent = send(&app, "希望增加<b>电动自行车</b>电池的警示", "203.0.113.7").await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let again = send(&app, "希望增加<b>电动自行车</b>电池的警示 ", "203.0.113.8").await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "a repeat");
    let long = "长".repeat(2_001);
    assert_eq!(
        send(&app, &long, "203.0.113.9").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let huge = "x".repeat(40_000);
    assert_eq!(
        send(&app, &huge, "203.0.113.9").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        send(&app, "  ", "203.0.113.9").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // One sender: a burst of five, then wait.
    for n in 0..4 {
        assert_eq!(
            send(&app, &format!("第{n}条建议"), "198.51.100.1")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
    }
    let flood = send(&app, "第五条建议", "198.51.100.1").await;
    assert_eq!(flood.status(), StatusCode::SEE_OTHER);
    let flood = send(&app, "第六条建议", "198.51.100.1").await;
    assert_eq!(flood.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(flood.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(
        send(&app, "另一位市民的建议", "198.51.100.2")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let regulator = app
        .json(app.get("/v1/feedback", &app.regulator()).await)
        .await;
    let messages: Vec<&str> = regulator["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 7);
    assert_eq!(messages[0], "另一位市民的建议");
    assert!(messages.contains(&"希望增加<b>电动自行车</b>电池的警示"));
    assert_eq!(
        app.get("/v1/feedback", &app.publisher()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.public("/v1/feedback").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

fn chromium() -> Option<PathBuf> {
    std::env::var_os("PRISM_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/usr/bin/chromium")])
        .find(|p| p.exists())
}

/// Runs headless Chromium on `url` with `extra` flags; returns its stdout.
async fn run_chromium(binary: &PathBuf, url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut command = tokio::process::Command::new(binary);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=390,844",
            // A Chinese-speaking reader: the site follows Accept-Language.
            "--lang=zh-CN",
            "--accept-lang=zh-CN",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("chromium finishes within a minute")
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_site_renders_in_headless_chromium_on_a_phone_sized_screen() {
    let Some(binary) = chromium() else {
        eprintln!(
            "SKIPPED: no Chromium binary (set PRISM_CHROMIUM or run deploy/scripts/install-chromium.sh)"
        );
        return;
    };
    let app = spawn_app().await;
    app.publish(warning_body()).await;
    let mut recall = warning_body();
    recall["type"] = json!("recall");
    recall["level"] = json!("serious");
    recall["title_zh"] = json!("某品牌电热水壶召回");
    recall["summary_zh"] = json!("壶体连接处可能漏电，存在触电风险");
    app.publish(recall).await;
    let id = app.publish(markup_body()).await;

    // The browser's DOM after scripts would have run: markup stayed text, nothing executed.
    let dom = run_chromium(
        &binary,
        &format!("{}/warnings/{id}", app.address),
        &["--dump-dom".to_owned()],
    )
    .await;
    assert!(
        dom.contains("<title>&lt;script&gt;document.title='pwned'"),
        "{dom}"
    );
    assert!(!dom.contains("<title>pwned"));
    assert!(dom.contains("电池&lt;img src=x onerror=alert(1)&gt;鼓包"));

    let home = run_chromium(
        &binary,
        &format!("{}/", app.address),
        &["--dump-dom".to_owned()],
    )
    .await;
    assert!(home.contains("某品牌电热水壶召回"));

    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target-screenshots");
    std::fs::create_dir_all(&directory).expect("screenshot directory");
    let screenshot = directory.join("home-390x844.png");
    let _ = std::fs::remove_file(&screenshot);
    run_chromium(
        &binary,
        &format!("{}/", app.address),
        &[format!("--screenshot={}", screenshot.display())],
    )
    .await;
    let png = std::fs::read(&screenshot).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    assert!(png.len() > 10_000, "not a blank page: {} bytes", png.len());
    eprintln!("screenshot: {}", screenshot.display());
}
