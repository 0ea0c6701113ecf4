//! The official Excel form, both ways: `POST /v1/reports/import` reads an uploaded .xlsx
//! (a result per row, valid rows kept); `GET /v1/reports/export.xlsx` writes the same form.

use axum::{
    extract::{Multipart, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::Utc;
use prism_platform::{
    auth::Role,
    http::{problem::Language, ApiError, ApiQuery, Text},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    batch::{store_checked, ItemError, Stored, MAX_BATCH},
    caller::Caller,
    AppState,
};
use crate::{
    domain::{
        form::{is_meta_row, read_meta, row, Variant},
        period,
    },
    form::{read, write},
    store::reports::{self, strings, ReportFilter},
};

/// The answer to an import: the variant found and a result per data row.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub variant: Variant,
    pub accepted: usize,
    pub rejected: usize,
    pub rows: Vec<RowResult>,
}

/// One row's outcome; `row` is the Excel row number.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowResult {
    pub row: u32,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<ItemError>,
}

fn refused(code: &'static str, zh: String, en: String) -> ApiError {
    ApiError::BadRequest {
        code,
        message: Text::owned(zh, en),
        field: Some("file".to_owned()),
    }
}

fn refusal(r: read::Refusal) -> ApiError {
    match r {
        read::Refusal::NotXlsx(why) => refused("not_xlsx", format!("文件不是有效的 .xlsx 工作簿（{why}）"), format!("The file is not a valid .xlsx workbook ({why})")),
        read::Refusal::ZipBomb => refused("zip_bomb", "文件解压后过大，已拒收".to_owned(), "The file expands to far more than a form can hold; refused".to_owned()),
        read::Refusal::TooManyRows(n) => too_many_rows(n),
        read::Refusal::Formula(at) => refused("formula_not_allowed", format!("单元格 {at} 含公式，请粘贴为数值后再上传"), format!("Cell {at} holds a formula; paste values only and upload again")),
        read::Refusal::NoHeader => refused("header_not_found", "未找到报送表表头（如“涉及产品”“风险信息内容”或“关键词”“店铺名称”“商品名称”）".to_owned(), "No header row of the report form found (e.g. 涉及产品, 风险信息内容, or 关键词, 店铺名称, 商品名称)".to_owned()),
    }
}

fn too_many_rows(n: usize) -> ApiError {
    refused(
        "too_many_rows",
        format!("表格有 {n} 行，一次最多导入 {MAX_BATCH} 行"),
        format!("The sheet has {n} rows; at most {MAX_BATCH} can be imported at once"),
    )
}

/// Import the official form (station): `file` (.xlsx), optional `kind` (default `routine`)
/// and `period`.
#[utoipa::path(post, path = "/v1/reports/import", request_body(content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 400), (status = 401), (status = 403), (status = 413)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Json<ImportResult>, ApiError> {
    let station = caller.station()?.clone();
    let bad_form = |_| ApiError::BadRequest {
        code: "bad_multipart",
        message: Text::new(
            "multipart 请求体无法读取",
            "The multipart body could not be read",
        ),
        field: None,
    };
    let (mut file, mut kind, mut named_period) = (None, "routine".to_owned(), None);
    while let Some(field) = multipart.next_field().await.map_err(bad_form)? {
        match field.name().unwrap_or("") {
            "file" => file = Some(field.bytes().await.map_err(bad_form)?),
            "kind" => kind = field.text().await.map_err(bad_form)?,
            "period" => named_period = Some(field.text().await.map_err(bad_form)?),
            other => {
                return Err(ApiError::BadRequest {
                    code: "unknown_field",
                    message: Text::owned(
                        format!("未知字段：{other}"),
                        format!("Unknown field: {other}"),
                    ),
                    field: Some(other.to_owned()),
                });
            }
        }
    }
    let file = file.ok_or_else(|| {
        ApiError::field(
            "file",
            Text::new("缺少 file（.xlsx 文件）", "file (.xlsx) is required"),
        )
    })?;
    if prism_contracts::ReportKind::parse(&kind).is_none() {
        return Err(ApiError::field(
            "kind",
            Text::new(
                "kind 须为 routine、important 或 annual",
                "kind must be routine, important or annual",
            ),
        ));
    }
    // Parsing is CPU work on an untrusted file: off the async workers.
    let sheet = tokio::task::spawn_blocking(move || read::read(&file))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(refusal)?;
    let meta = read_meta(&sheet.grid);
    let station_districts = strings(&station.districts);
    let ctx = row::RowContext {
        header: &sheet.header,
        meta: &meta,
        kind: &kind,
        period: named_period.as_deref(),
        station_districts: &station_districts,
    };
    let now = Utc::now();
    let mut numbers = Vec::new();
    let mut checked = Vec::new();
    for (i, cells) in sheet.grid.iter().enumerate().skip(sheet.header.row + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) || is_meta_row(cells) {
            continue;
        }
        numbers.push(sheet.first_row + u32::try_from(i).unwrap_or(u32::MAX));
        checked.push(row::to_report(cells, &ctx).and_then(|new| new.validate(now)));
    }
    if checked.len() > MAX_BATCH {
        return Err(too_many_rows(checked.len()));
    }
    if checked.is_empty() {
        return Err(refused(
            "no_rows",
            "表格中没有数据行".to_owned(),
            "The sheet has no data rows".to_owned(),
        ));
    }
    let language = Language::from_header(headers.get(header::ACCEPT_LANGUAGE));
    let results =
        match store_checked(&state, &station, checked, language, None, |_| String::new()).await? {
            Stored::Results(results) => results,
            // Without a key there is nothing to replay.
            Stored::Replay(_) => Vec::new(),
        };
    let rows: Vec<RowResult> = results
        .into_iter()
        .zip(numbers)
        .map(|(r, row)| RowResult {
            row,
            status: r.status,
            id: r.id,
            errors: r.errors,
        })
        .collect();
    let accepted = rows.iter().filter(|r| r.status == "accepted").count();
    Ok(Json(ImportResult {
        variant: sheet.header.variant,
        accepted,
        rejected: rows.len() - accepted,
        rows,
    }))
}

/// Which reports to export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `YYYY-MM`.
    pub period: String,
    /// `general` or `ecommerce`; by default the station's own variant.
    pub variant: Option<Variant>,
}

/// The most reports one export holds.
const MAX_EXPORT: usize = 10_000;

/// Export a period's reports as the official form (a station its own, a regulator all).
#[utoipa::path(get, path = "/v1/reports/export.xlsx", params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    if !period::is_period(&query.period) {
        return Err(ApiError::field(
            "period",
            Text::new("period 须为 YYYY-MM", "period must be YYYY-MM"),
        ));
    }
    let mut filter = ReportFilter {
        period: Some(query.period.clone()),
        ..ReportFilter::default()
    };
    let (variant, heading) = match &caller {
        Caller::Station(station) => {
            filter.station_id = Some(station.id);
            let own = if station.kind == "ecommerce_platform" {
                Variant::Ecommerce
            } else {
                Variant::General
            };
            let reporter = station
                .contact_name
                .clone()
                .zip(station.contact_phone.clone());
            (
                query.variant.unwrap_or(own),
                write::Heading {
                    unit: station.name.clone(),
                    date: String::new(),
                    reporter,
                },
            )
        }
        Caller::Person(person) => {
            person.require(&[Role::Regulator, Role::Admin])?;
            filter.visible_districts = person.districts.clone();
            (
                query.variant.unwrap_or(Variant::General),
                write::Heading {
                    unit: "上海市产品质量安全评估研究中心".to_owned(),
                    ..write::Heading::default()
                },
            )
        }
    };
    let heading = write::Heading {
        date: Utc::now()
            .with_timezone(&period::shanghai())
            .format("%Y年%m月%d日")
            .to_string(),
        ..heading
    };
    let mut rows = Vec::new();
    let mut before = None;
    loop {
        let page = reports::list(&state.db, &filter, before, 100).await?;
        let more = page.len() > 100;
        rows.extend(page.into_iter().take(100));
        before = rows.last().map(|r| r.id);
        if !more || rows.len() >= MAX_EXPORT {
            break;
        }
    }
    // The form lists risks in the order they came in.
    rows.reverse();
    let bytes = write::write(variant, &heading, &rows).map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"reports-{}.xlsx\"",
        query.period
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
