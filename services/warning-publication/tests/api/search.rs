//! Chinese full-text search, bounded queries, `ETag`/`304`, `Cache-Control` and CORS.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, warning_body};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|w| w["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn search_finds_chinese_and_english_text_by_any_part_of_it() {
    let app = spawn_app().await;
    let mut scooter = warning_body();
    scooter["summary_zh"] = json!("部分儿童电动滑板车电池鼓包起火");
    let scooter = app.publish(scooter).await;
    let mut masks = warning_body();
    masks["title_zh"] = json!("非医用口罩过滤效率不达标");
    masks["summary_zh"] = json!("抽查发现三批次口罩不合格");
    masks["advice_zh"] = json!("选购时查看执行标准");
    masks["title_en"] = json!("Non-medical Masks fail filtration tests");
    masks["type"] = json!("spot_check");
    let masks = app.publish(masks).await;
    // A draft that matches is still nobody's business.
    let mut hidden = warning_body();
    hidden["title_zh"] = json!("口罩草稿");
    app.draft(&app.regulator(), hidden).await;

    for (q, expected) in [
        ("电动滑板车", vec![scooter.clone()]),
        ("鼓包起火", vec![scooter.clone()]),
        ("口罩", vec![masks.clone()]), // two characters: shorter than a trigram
        ("MASKS", vec![masks.clone()]), // case does not matter
        ("口罩 不达标", vec![masks.clone()]),
        ("口罩 起火", vec![]), // every word must occur
        ("冰箱", vec![]),
        ("%", vec![masks.clone(), scooter.clone()]), // a wildcard is not a search
    ] {
        let page = app
            .json(
                app.client
                    .get(format!("{}/v1/warnings", app.address))
                    .query(&[("q", q)])
                    .send()
                    .await
                    .expect("request"),
            )
            .await;
        assert_eq!(ids(&page), expected, "q={q}");
    }
    let combined = app
        .client
        .get(format!("{}/v1/warnings", app.address))
        .query(&[("q", "口罩"), ("type", "recall")])
        .send()
        .await
        .expect("request");
    assert!(ids(&app.json(combined).await).is_empty());

    let long = "口".repeat(101);
    let response = app
        .client
        .get(format!("{}/v1/warnings", app.address))
        .query(&[("q", long.as_str())])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.json(response).await["errors"][0]["field"], "q");
    let huge = format!("/v1/warnings?cursor={}", "a".repeat(2_000));
    assert_eq!(app.public(&huge).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_matching_if_none_match_is_304_until_something_public_changes() {
    let app = spawn_app().await;
    let first = app.publish(warning_body()).await;
    for path in [
        "/v1/warnings".to_owned(),
        format!("/v1/warnings/{first}"),
        "/feeds/warnings.atom".to_owned(),
        format!("/v1/warnings/{first}/cap"),
        "/".to_owned(),
    ] {
        let response = app.public(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let etag = response.headers()[header::ETAG].clone();
        assert!(
            response.headers()[header::CACHE_CONTROL]
                .to_str()
                .expect("ascii")
                .contains("max-age"),
            "{path}"
        );
        let again = app
            .client
            .get(format!("{}{path}", app.address))
            .header(header::IF_NONE_MATCH, etag.clone())
            .send()
            .await
            .expect("request");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()[header::ETAG], etag);
        assert!(again.headers().contains_key("x-request-id"), "{path}");
        assert!(again.bytes().await.expect("body").is_empty());
    }

    let list = app.public("/v1/warnings").await;
    let etag = list.headers()[header::ETAG].clone();
    app.publish(warning_body()).await;
    let after = app
        .client
        .get(format!("{}/v1/warnings", app.address))
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "a publication changes the list"
    );
    assert_ne!(after.headers()[header::ETAG], etag);
    assert_eq!(ids(&app.json(after).await).len(), 2);
}

#[tokio::test]
async fn other_sites_may_read_the_public_api_from_a_browser() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/v1/warnings", app.address))
        .header(header::ORIGIN, "https://news.example.org")
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .expect("ascii")
        .contains("etag"));
    // A revalidation is answered before the router's CORS layer, with the same headers.
    let etag = response.headers()[header::ETAG].clone();
    let revalidated = app
        .client
        .get(format!("{}/v1/warnings", app.address))
        .header(header::ORIGIN, "https://news.example.org")
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("request");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        revalidated.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "*"
    );
    assert!(revalidated.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .expect("ascii")
        .contains("etag"));
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/warnings", app.address),
        )
        .header(header::ORIGIN, "https://news.example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "if-none-match")
        .send()
        .await
        .expect("request");
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "*"
    );
}
