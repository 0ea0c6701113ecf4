//! One row of the form as a [`NewReport`]: cells parsed (numbers, district names, the
//! collection time range), problems named by field and column title.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use prism_platform::http::{FieldError, Text};

use super::{Header, Meta, Variant};
use crate::domain::{
    district,
    period::shanghai,
    report::{Ecommerce, NewReport, Reporter},
};

/// What every row of one upload shares.
#[derive(Debug, Clone)]
pub struct RowContext<'a> {
    pub header: &'a Header,
    pub meta: &'a Meta,
    /// `routine`, `important` or `annual`.
    pub kind: &'a str,
    pub period: Option<&'a str>,
    /// Used when an e-commerce row's company region is not a known district.
    pub station_districts: &'a [String],
}

/// Province-level names (GB/T 2260), so that a form may say 江苏省 or 全国.
const PROVINCES: [(&str, &str); 34] = [
    ("北京", "110000"),
    ("天津", "120000"),
    ("河北", "130000"),
    ("山西", "140000"),
    ("内蒙古", "150000"),
    ("辽宁", "210000"),
    ("吉林", "220000"),
    ("黑龙江", "230000"),
    ("上海", "310000"),
    ("江苏", "320000"),
    ("浙江", "330000"),
    ("安徽", "340000"),
    ("福建", "350000"),
    ("江西", "360000"),
    ("山东", "370000"),
    ("河南", "410000"),
    ("湖北", "420000"),
    ("湖南", "430000"),
    ("广东", "440000"),
    ("广西", "450000"),
    ("海南", "460000"),
    ("重庆", "500000"),
    ("四川", "510000"),
    ("贵州", "520000"),
    ("云南", "530000"),
    ("西藏", "540000"),
    ("陕西", "610000"),
    ("甘肃", "620000"),
    ("青海", "630000"),
    ("宁夏", "640000"),
    ("新疆", "650000"),
    ("台湾", "710000"),
    ("香港", "810000"),
    ("澳门", "820000"),
];

/// A district as the form writes it: a code, a Shanghai district (浦东新区, 浦东, 徐汇区), a
/// province (江苏省) or 全国.
pub fn district_code(name: &str) -> Option<String> {
    let name = name.trim().trim_start_matches("上海市");
    if name.is_empty() {
        return Some(district::SHANGHAI_CITY.to_owned());
    }
    if district::is_known(name) {
        return Some(name.to_owned());
    }
    if name == "全国" {
        return Some(district::NATIONWIDE.to_owned());
    }
    if let Some((code, _, _)) = district::SHANGHAI.iter().find(|(_, zh, en)| {
        let short = zh.trim_end_matches("新区").trim_end_matches('区');
        name == *zh || name == short || name.eq_ignore_ascii_case(en)
    }) {
        return Some((*code).to_owned());
    }
    PROVINCES
        .iter()
        .find(|(zh, _)| name.starts_with(zh))
        .map(|(_, code)| (*code).to_owned())
}

/// How a code is written back into the form.
pub fn district_name(code: &str) -> String {
    if code == district::NATIONWIDE {
        return "全国".to_owned();
    }
    if let Some(name) = district::name_zh(code) {
        return name.to_owned();
    }
    PROVINCES
        .iter()
        .find(|(_, c)| *c == code)
        .map_or_else(|| code.to_owned(), |(zh, _)| (*zh).to_owned())
}

fn split_list(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；', '/', '\n', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_day(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .map(|d| d.and_time(NaiveTime::MIN))
}

/// 时间采集范围: `2026-10-25至2026-11-24` (or ~, 到, —), days in Shanghai time.
pub fn collection_range(
    text: &str,
) -> Option<(DateTime<FixedOffset>, Option<DateTime<FixedOffset>>)> {
    let local = |t: NaiveDateTime| t.and_local_timezone(shanghai()).single();
    let parts: Vec<&str> = text
        .split(['至', '~', '～', '到', '—'])
        .flat_map(|p| p.split(" - "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [one] => Some((local(parse_day(one)?)?, None)),
        [from, to] => {
            let to = parse_day(to)?;
            // A bare end date means the whole of that day.
            let to = if to.time() == NaiveTime::MIN {
                to + chrono::Duration::seconds(86_399)
            } else {
                to
            };
            Some((local(parse_day(from)?)?, Some(local(to)?)))
        }
        _ => None,
    }
}

fn bad(field: &str, title: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(
        field,
        Text::owned(format!("{title}：{zh}"), format!("{title}: {en}")),
    )
}

/// Turns one row into a report, or names what is wrong with its cells.
pub fn to_report(cells: &[String], ctx: &RowContext<'_>) -> Result<NewReport, Vec<FieldError>> {
    let cell = |field: &str| {
        ctx.header
            .column(field)
            .and_then(|i| cells.get(i))
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
    };
    let mut errors = Vec::new();
    let mut count = |field: &str, title: &str| -> Option<i64> {
        let text = cell(field)?;
        let parsed = text
            .trim_end_matches(['家', '条', '个'])
            .parse::<f64>()
            .ok()
            .filter(|n| n.fract() == 0.0 && n.abs() < 1e12);
        if parsed.is_none() {
            errors.push(bad(field, title, "须为整数", "must be a whole number"));
        }
        #[allow(clippy::cast_possible_truncation)]
        parsed.map(|n| n as i64)
    };
    let reporter = ctx.meta.reporter.as_ref().map(|name| Reporter {
        name: name.clone(),
        phone: ctx.meta.phone.clone(),
    });
    let mut report = NewReport {
        kind: ctx.kind.to_owned(),
        product: None,
        category: None,
        enterprise_count: None,
        districts: Vec::new(),
        content: None,
        analysis: None,
        recommendation: None,
        source: None,
        hazards: Vec::new(),
        casualties: None,
        occurred_at: None,
        reporter,
        ecommerce: None,
        period: ctx.period.map(str::to_owned),
    };
    match ctx.header.variant {
        Variant::General => {
            report.enterprise_count = count("enterprise_count", "涉及企业数量");
            report.product = cell("product");
            report.content = cell("content");
            report.analysis = cell("analysis");
            report.recommendation = cell("recommendation");
            report.source = cell("source");
            for name in split_list(&cell("districts").unwrap_or_default()) {
                match district_code(&name) {
                    Some(code) if !report.districts.contains(&code) => report.districts.push(code),
                    Some(_) => {}
                    None => errors.push(bad(
                        "districts",
                        "涉及区域",
                        &format!("未知的区域“{name}”"),
                        &format!("unknown region \"{name}\""),
                    )),
                }
            }
        }
        Variant::Ecommerce => {
            let negative_reviews = count("negative_reviews", "差评数");
            let reviews = count("reviews", "评论数");
            let price = cell("price").and_then(|p| {
                let parsed = p
                    .trim_start_matches(['¥', '￥'])
                    .replace(',', "")
                    .parse::<f64>()
                    .ok();
                if parsed.is_none() {
                    errors.push(bad(
                        "ecommerce.price",
                        "商品价格",
                        "须为金额",
                        "must be an amount",
                    ));
                }
                parsed
            });
            let (collected_from, collected_to) = match cell("collected") {
                None => (None, None),
                Some(text) => match collection_range(&text) {
                    Some((from, to)) => (Some(from), to),
                    None => {
                        errors.push(bad(
                            "ecommerce.collected_from",
                            "时间采集范围",
                            "须为“开始日期至结束日期”",
                            "must be \"start date至end date\"",
                        ));
                        (None, None)
                    }
                },
            };
            let company_region = cell("company_region");
            report.districts = company_region
                .as_deref()
                .and_then(district_code)
                .map_or_else(|| ctx.station_districts.to_vec(), |code| vec![code]);
            report.ecommerce = Some(Ecommerce {
                keyword: cell("keyword").unwrap_or_default(),
                review_keywords: split_list(&cell("review_keywords").unwrap_or_default()),
                collected_from,
                collected_to,
                negative_reviews,
                reviews,
                shop_name: cell("shop_name").unwrap_or_default(),
                product_name: cell("product_name").unwrap_or_default(),
                product_url: cell("product_url"),
                price,
                company_region,
            });
        }
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_names_codes_and_provinces_are_understood() {
        assert_eq!(district_code("浦东新区").as_deref(), Some("310115"));
        assert_eq!(district_code("上海市徐汇区").as_deref(), Some("310104"));
        assert_eq!(district_code("闵行").as_deref(), Some("310112"));
        assert_eq!(district_code("江苏省").as_deref(), Some("320000"));
        assert_eq!(district_code("全国").as_deref(), Some("000000"));
        assert_eq!(district_code("310101").as_deref(), Some("310101"));
        assert_eq!(district_code("火星"), None);
        assert_eq!(district_name("310115"), "浦东新区");
        assert_eq!(
            district_code(&district_name("320000")).as_deref(),
            Some("320000")
        );
    }

    #[test]
    fn a_collection_range_covers_whole_days() {
        let (from, to) = collection_range("2026-10-25至2026-11-24").expect("range");
        assert_eq!(from.to_rfc3339(), "2026-10-25T00:00:00+08:00");
        assert_eq!(
            to.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-24T23:59:59+08:00")
        );
        assert!(collection_range("上个月").is_none());
    }
}
