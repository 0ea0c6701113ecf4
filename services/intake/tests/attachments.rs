//! Attachments: type by content, stored by hash, only on one's own reports.

mod common;

use common::{report, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The start of a real PNG (signature and IHDR chunk) and some pixels' worth of bytes.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde".to_vec();
    bytes.extend_from_slice(&[7_u8; 512]);
    bytes
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec()
}

#[tokio::test]
async fn a_station_attaches_a_photo_and_a_lab_report_to_its_report() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-F-001", &["310115"]).await;
    let accepted: Value = app
        .post("/v1/reports", &key, report("important"))
        .await
        .json()
        .await
        .expect("json");
    let id = accepted["id"].as_str().expect("id");
    let path = format!("/v1/reports/{id}/attachments");

    let photo = png();
    let response = app
        .upload(&path, &key, &[("file", Some("现场照片.png"), &photo)])
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let view: Value = response.json().await.expect("json");
    let sha = hex::encode(Sha256::digest(&photo));
    assert_eq!(view["sha256"], sha.as_str());
    assert_eq!(view["media_type"], "image/png");
    assert_eq!(view["file_name"], "现场照片.png");
    assert!(app
        .data
        .path()
        .join("attachments")
        .join(&sha[..2])
        .join(&sha)
        .is_file());

    // The same file again is the same attachment.
    let again = app
        .upload(&path, &key, &[("file", Some("again.png"), &photo)])
        .await;
    assert_eq!(again.status(), StatusCode::OK);

    let response = app
        .upload(&path, &key, &[("file", Some("检测报告.pdf"), &pdf())])
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let list = app.get_json(&path, &key).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    let response = app.get(&format!("{path}/{sha}"), &key).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.expect("bytes").to_vec(), photo);

    // A regulator reads them.
    assert_eq!(
        app.get(&format!("{path}/{sha}"), &app.regulator())
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_or_pdf_is_refused_whatever_its_name() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-F-002", &["310115"]).await;
    let accepted: Value = app
        .post("/v1/reports", &key, report("routine"))
        .await
        .json()
        .await
        .expect("json");
    let path = format!(
        "/v1/reports/{}/attachments",
        accepted["id"].as_str().expect("id")
    );
    let script = b"#!/bin/sh\nrm -rf /\n".to_vec();
    let response = app
        .upload(&path, &key, &[("file", Some("photo.jpg"), &script)])
        .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "unsupported_attachment_type");
    assert_eq!(
        app.get_json(&path, &key).await.as_array().map(Vec::len),
        Some(0)
    );
}

#[tokio::test]
async fn an_attachment_over_10_mb_gets_413_and_nothing_is_kept() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-F-003", &["310115"]).await;
    let accepted: Value = app
        .post("/v1/reports", &key, report("routine"))
        .await
        .json()
        .await
        .expect("json");
    let path = format!(
        "/v1/reports/{}/attachments",
        accepted["id"].as_str().expect("id")
    );
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let response = app
        .upload(&path, &key, &[("file", Some("big.pdf"), &big)])
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        app.get_json(&path, &key).await.as_array().map(Vec::len),
        Some(0)
    );
    assert!(!app.data.path().join("attachments").exists());
}

#[tokio::test]
async fn another_stations_report_is_404_for_attachments() {
    let app = spawn_app().await;
    let (_, owner) = app.station("SH-F-004", &["310115"]).await;
    let (_, stranger) = app.station("SH-F-005", &["310104"]).await;
    let accepted: Value = app
        .post("/v1/reports", &owner, report("routine"))
        .await
        .json()
        .await
        .expect("json");
    let path = format!(
        "/v1/reports/{}/attachments",
        accepted["id"].as_str().expect("id")
    );
    let photo = png();
    assert_eq!(
        app.upload(&path, &owner, &[("file", Some("a.png"), &photo)])
            .await
            .status(),
        StatusCode::CREATED
    );
    let sha = hex::encode(Sha256::digest(&photo));
    assert_eq!(
        app.upload(&path, &stranger, &[("file", Some("a.png"), &photo)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&path, &stranger).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{path}/{sha}"), &stranger).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.upload(&path, &app.regulator(), &[("file", Some("a.png"), &photo)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
