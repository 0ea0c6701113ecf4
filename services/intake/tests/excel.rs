//! The official Excel form both ways, and hostile files.

mod common;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader as _, Xlsx};
use common::spawn_app;
use reqwest::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

/// The general form as an association fills it in: a merged title, the unit line, a blank
/// row, the header on row 4, a blank row inside the table, a footer.
fn general_form() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 7, "产品质量安全风险信息报送表", &bold)
        .expect("merge");
    sheet
        .write_string(1, 0, "填报单位：上海市玩具行业协会")
        .expect("w");
    sheet
        .write_string(1, 6, "填报时间：2026年11月20日")
        .expect("w");
    let titles = [
        "序号",
        "涉及产品*",
        "涉及企业数量（家）",
        "涉及区域",
        "风险信息内容",
        "信息分析",
        "初步建议",
        "信息来源",
    ];
    for (i, t) in titles.iter().enumerate() {
        sheet
            .write_string(3, u16::try_from(i).expect("col"), *t)
            .expect("w");
    }
    let rows: [[&str; 8]; 3] = [
        [
            "1",
            "儿童电动滑板车",
            "2",
            "浦东新区、徐汇区",
            "锂电池充电时鼓包起火，已致2名儿童烧伤",
            "电池管理系统缺少过充保护",
            "开展专项抽查",
            "消费者投诉",
        ],
        [
            "2",
            "磁力珠玩具",
            "1",
            "火星区",
            "儿童误吞多颗磁珠致肠穿孔",
            "磁通量超标",
            "发布消费警示",
            "医院病例",
        ],
        [
            "3",
            "儿童安全座椅",
            "3",
            "江苏省",
            "卡扣在碰撞测试中断裂",
            "材料强度不足",
            "约谈企业",
            "检测机构比对试验",
        ],
    ];
    let mut at = 4;
    for (n, row) in rows.iter().enumerate() {
        if n == 1 {
            at += 1; // a blank row inside the table
        }
        for (i, value) in row.iter().enumerate() {
            let col = u16::try_from(i).expect("col");
            if i == 0 || i == 2 {
                sheet
                    .write_number(at, col, value.parse::<f64>().expect("n"))
                    .expect("w");
            } else {
                sheet.write_string(at, col, *value).expect("w");
            }
        }
        at += 1;
    }
    sheet.write_string(at + 1, 0, "填报人：张敏").expect("w");
    sheet
        .write_string(at + 1, 6, "联系电话：021-63211234")
        .expect("w");
    workbook.save_to_buffer().expect("xlsx")
}

fn ecommerce_form() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let titles = [
        "序号",
        "关键词",
        "评论关键词",
        "时间采集范围",
        "差评数",
        "评论数",
        "店铺名称",
        "商品名称",
        "商品地址",
        "商品价格（元）",
        "公司所在区域",
    ];
    for (i, t) in titles.iter().enumerate() {
        sheet
            .write_string(1, u16::try_from(i).expect("col"), *t)
            .expect("w");
    }
    let row = [
        "1",
        "充电宝",
        "鼓包、发烫、起火",
        "2026-10-25至2026-11-24",
        "37",
        "1250",
        "某某数码专营店",
        "20000mAh 快充充电宝",
        "https://shop.example.com/item/8848",
        "59.9",
        "闵行区",
    ];
    for (i, value) in row.iter().enumerate() {
        let col = u16::try_from(i).expect("col");
        match i {
            0 | 4 | 5 | 9 => sheet
                .write_number(2, col, value.parse::<f64>().expect("n"))
                .expect("w"),
            _ => sheet.write_string(2, col, *value).expect("w"),
        };
    }
    workbook.save_to_buffer().expect("xlsx")
}

fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = workbook
        .worksheet_range_at(0)
        .expect("sheet")
        .expect("range");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn an_association_imports_the_general_form_and_exports_it_again() {
    let app = spawn_app().await;
    let (_, key) = app.station_of("SH-X-001", "association", &["310115"]).await;
    let form = general_form();
    let response = app
        .upload(
            "/v1/reports/import",
            &key,
            &[("file", Some("附件2.xlsx"), &form)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["variant"], "general");
    assert_eq!(body["accepted"], 2);
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["row"], 5);
    assert_eq!(
        rows[1]["row"], 7,
        "the blank row 6 is skipped, row numbers stay Excel's"
    );
    assert_eq!(rows[1]["status"], "rejected");
    assert_eq!(rows[1]["errors"][0]["field"], "districts");
    assert!(rows[1]["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("火星区")));
    assert_eq!(rows[2]["status"], "accepted");

    let id = rows[0]["id"].as_str().expect("id");
    let stored = app.get_json(&format!("/v1/reports/{id}"), &key).await;
    assert_eq!(stored["districts"], serde_json::json!(["310115", "310104"]));
    assert_eq!(stored["enterprise_count"], 2);
    assert_eq!(stored["reporter"]["name"], "张敏");
    let period = stored["period"].as_str().expect("period").to_owned();

    let response = app
        .get(&format!("/v1/reports/export.xlsx?period={period}"), &key)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let exported = response.bytes().await.expect("bytes").to_vec();
    let grid = cells(&exported);
    let flat: Vec<&String> = grid.iter().flatten().collect();
    for expected in [
        "涉及产品",
        "儿童电动滑板车",
        "浦东新区、徐汇区",
        "锂电池充电时鼓包起火，已致2名儿童烧伤",
        "儿童安全座椅",
        "江苏",
    ] {
        assert!(
            flat.iter().any(|c| c.as_str() == expected),
            "{expected} missing from the export"
        );
    }

    // The exported file is the form again: another station imports it as it is.
    let (_, other) = app.station_of("SH-X-002", "association", &["310104"]).await;
    let response = app
        .upload(
            "/v1/reports/import",
            &other,
            &[("file", Some("export.xlsx"), &exported)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let again: Value = response.json().await.expect("json");
    assert_eq!(again["accepted"], 2);
    assert_eq!(again["rejected"], 0);
    let id = again["rows"][0]["id"].as_str().expect("id");
    let copy = app.get_json(&format!("/v1/reports/{id}"), &other).await;
    assert_eq!(copy["product"], "儿童电动滑板车");
    assert_eq!(copy["districts"], serde_json::json!(["310115", "310104"]));
    assert_eq!(copy["content"], stored["content"]);
}

#[tokio::test]
async fn an_ecommerce_platform_round_trips_its_form() {
    let app = spawn_app().await;
    let (_, key) = app
        .station_of("SH-X-003", "ecommerce_platform", &["310112"])
        .await;
    let response = app
        .upload(
            "/v1/reports/import",
            &key,
            &[
                ("file", Some("电商.xlsx"), &ecommerce_form()),
                ("kind", None, b"routine"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["variant"], "ecommerce");
    assert_eq!(body["accepted"], 1, "{body}");
    let id = body["rows"][0]["id"].as_str().expect("id");
    let stored = app.get_json(&format!("/v1/reports/{id}"), &key).await;
    assert_eq!(stored["ecommerce"]["negative_reviews"], 37);
    assert_eq!(
        stored["ecommerce"]["review_keywords"],
        serde_json::json!(["鼓包", "发烫", "起火"])
    );
    assert_eq!(stored["districts"], serde_json::json!(["310112"]));
    let period = stored["period"].as_str().expect("period");
    let exported = app
        .get(&format!("/v1/reports/export.xlsx?period={period}"), &key)
        .await
        .bytes()
        .await
        .expect("bytes");
    let grid = cells(&exported);
    let flat: Vec<&String> = grid.iter().flatten().collect();
    for expected in [
        "店铺名称",
        "某某数码专营店",
        "2026-10-25至2026-11-24",
        "59.9",
        "鼓包、发烫、起火",
    ] {
        assert!(
            flat.iter().any(|c| c.as_str() == expected),
            "{expected} missing from {flat:?}"
        );
    }
}

async fn refused(app: &common::TestApp, key: &str, file: &[u8], code: &str) {
    let response = app
        .upload("/v1/reports/import", key, &[("file", Some("x.xlsx"), file)])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{code}");
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], code);
    assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(app.report_count(key).await, 0, "{code}: nothing stored");
}

#[tokio::test]
async fn hostile_files_are_refused_whole_with_a_clear_error() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-X-004", &["310115"]).await;

    refused(&app, &key, b"\xd0\xcf\x11\xe0 not a zip at all", "not_xlsx").await;

    // A zip bomb: one entry of zeros that inflates to 64 MiB.
    let mut bomb = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(Cursor::new(&mut bomb));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("entry");
        let zeros = vec![0_u8; 1024 * 1024];
        for _ in 0..64 {
            std::io::Write::write_all(&mut zip, &zeros).expect("write");
        }
        zip.finish().expect("zip");
    }
    refused(&app, &key, &bomb, "zip_bomb").await;

    // A formula.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (i, t) in ["涉及产品", "涉及区域", "风险信息内容", "涉及企业数量"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string(0, u16::try_from(i).expect("c"), *t)
            .expect("w");
    }
    sheet.write_string(1, 0, "电热毯").expect("w");
    sheet.write_string(1, 1, "浦东新区").expect("w");
    sheet.write_string(1, 2, "过热").expect("w");
    sheet.write_formula(1, 3, "=1+1").expect("w");
    refused(
        &app,
        &key,
        &workbook.save_to_buffer().expect("xlsx"),
        "formula_not_allowed",
    )
    .await;

    // A wrong header.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "name").expect("w");
    sheet.write_string(0, 1, "qty").expect("w");
    sheet.write_string(1, 0, "widget").expect("w");
    refused(
        &app,
        &key,
        &workbook.save_to_buffer().expect("xlsx"),
        "header_not_found",
    )
    .await;

    // 100,000 rows.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (i, t) in ["涉及产品", "涉及区域", "风险信息内容"].iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(i).expect("c"), *t)
            .expect("w");
    }
    for row in 1..=100_000 {
        sheet.write_string(row, 0, "电热毯").expect("w");
        sheet.write_string(row, 1, "浦东新区").expect("w");
        sheet.write_string(row, 2, "过热").expect("w");
    }
    let big = workbook.save_to_buffer().expect("xlsx");
    let response = app
        .upload(
            "/v1/reports/import",
            &key,
            &[("file", Some("big.xlsx"), &big)],
        )
        .await;
    assert!(
        [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE].contains(&response.status()),
        "{}",
        response.status()
    );
    let problem: Value = response.json().await.expect("json");
    assert!(
        ["too_many_rows", "payload_too_large", "zip_bomb"]
            .contains(&problem["code"].as_str().unwrap_or("")),
        "{problem}"
    );
    assert_eq!(app.report_count(&key).await, 0);
}
