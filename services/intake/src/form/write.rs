//! Writing reports back into the official form with rust_xlsxwriter, so stations and the
//! evaluation centre keep working in Excel; what it writes, [`super::read`] reads.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::{
    domain::{
        form::{columns, row::district_name, Variant},
        period::shanghai,
        report::Ecommerce,
    },
    store::{entities::report, reports::strings},
};

/// The lines around the table.
#[derive(Debug, Clone, Default)]
pub struct Heading {
    /// 填报单位.
    pub unit: String,
    /// 填报时间, as written.
    pub date: String,
    /// 填报人 and 联系电话.
    pub reporter: Option<(String, String)>,
}

/// One cell's value.
enum Value {
    Text(String),
    Number(f64),
    Blank,
}

fn text(s: Option<&String>) -> Value {
    s.map_or(Value::Blank, |s| Value::Text(s.clone()))
}

fn general_row(index: usize, row: &report::Model) -> Vec<Value> {
    let districts: Vec<String> = strings(&row.districts)
        .iter()
        .map(|c| district_name(c))
        .collect();
    vec![
        Value::Number(index as f64),
        Value::Text(row.product.clone()),
        row.enterprise_count
            .map_or(Value::Blank, |n| Value::Number(f64::from(n))),
        Value::Text(districts.join("、")),
        Value::Text(row.content.clone()),
        text(row.analysis.as_ref()),
        text(row.recommendation.as_ref()),
        text(row.source.as_ref()),
    ]
}

fn ecommerce_row(index: usize, e: &Ecommerce) -> Vec<Value> {
    let day = |t: &chrono::DateTime<chrono::FixedOffset>| {
        t.with_timezone(&shanghai()).format("%Y-%m-%d").to_string()
    };
    let collected = match (&e.collected_from, &e.collected_to) {
        (Some(from), Some(to)) => Value::Text(format!("{}至{}", day(from), day(to))),
        (Some(from), None) => Value::Text(day(from)),
        _ => Value::Blank,
    };
    #[allow(clippy::cast_precision_loss)]
    let count = |n: Option<i64>| n.map_or(Value::Blank, |n| Value::Number(n as f64));
    vec![
        Value::Number(index as f64),
        Value::Text(e.keyword.clone()),
        Value::Text(e.review_keywords.join("、")),
        collected,
        count(e.negative_reviews),
        count(e.reviews),
        Value::Text(e.shop_name.clone()),
        Value::Text(e.product_name.clone()),
        text(e.product_url.as_ref()),
        e.price.map_or(Value::Blank, Value::Number),
        text(e.company_region.as_ref()),
    ]
}

/// The form of `variant` holding `reports` (e-commerce rows only from reports that have one).
pub fn write(
    variant: Variant,
    heading: &Heading,
    reports: &[report::Model],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("风险信息报送表")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let cols = columns(variant);
    let last = u16::try_from(cols.len() - 1).unwrap_or(0);
    let name = match variant {
        Variant::General => "产品质量安全风险信息报送表",
        Variant::Ecommerce => "电商平台产品质量安全风险信息报送表",
    };
    sheet.merge_range(0, 0, 0, last, name, &title)?;
    sheet.write_string(1, 0, format!("填报单位：{}", heading.unit))?;
    sheet.write_string(
        1,
        last.saturating_sub(1),
        format!("填报时间：{}", heading.date),
    )?;
    for (i, column) in cols.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(0);
        sheet.write_string_with_format(2, col, column.titles[0], &head)?;
        sheet.set_column_width(col, if i == 0 { 6 } else { 18 })?;
    }
    let rows: Vec<Vec<Value>> = match variant {
        Variant::General => reports
            .iter()
            .enumerate()
            .map(|(i, r)| general_row(i + 1, r))
            .collect(),
        Variant::Ecommerce => reports
            .iter()
            .filter_map(|r| r.ecommerce.clone())
            .filter_map(|e| serde_json::from_value::<Ecommerce>(e).ok())
            .enumerate()
            .map(|(i, e)| ecommerce_row(i + 1, &e))
            .collect(),
    };
    let mut at: u32 = 3;
    for values in rows {
        for (i, value) in values.into_iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(0);
            match value {
                Value::Text(s) => sheet.write_string_with_format(at, col, s, &cell)?,
                Value::Number(n) => sheet.write_number_with_format(at, col, n, &cell)?,
                Value::Blank => sheet.write_blank(at, col, &cell)?,
            };
        }
        at += 1;
    }
    if let Some((reporter, phone)) = &heading.reporter {
        sheet.write_string(at + 1, 0, format!("填报人：{reporter}"))?;
        sheet.write_string(at + 1, last.saturating_sub(1), format!("联系电话：{phone}"))?;
    }
    workbook.save_to_buffer()
}
