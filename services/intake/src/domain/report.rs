//! A station's report (风险信息) as it arrives, and what makes it valid.

use chrono::{DateTime, FixedOffset, Utc};
use prism_contracts::{Casualties, ReportKind};
use prism_platform::http::{FieldError, Text};
use serde::{Deserialize, Serialize};

use super::district;

/// Hazard types: the seeds' four dimensions plus EU Safety Gate's finer types.
pub const HAZARDS: [&str; 18] = [
    "health",
    "property",
    "environment",
    "personal_safety",
    "fire",
    "electric_shock",
    "chemical",
    "choking",
    "suffocation",
    "strangulation",
    "burns",
    "cuts",
    "injury",
    "microbiological",
    "drowning",
    "hearing_damage",
    "damage_to_sight",
    "entrapment",
];

/// A report as a station sends it (the general form of 附件2, or the e-commerce form).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `routine`, `important` or `annual`.
    pub kind: String,
    /// 涉及产品.
    #[serde(default)]
    pub product: Option<String>,
    /// Catalogue category code; triage infers it when absent.
    #[serde(default)]
    pub category: Option<String>,
    /// 涉及企业数量.
    #[serde(default)]
    pub enterprise_count: Option<i64>,
    /// 涉及区域: GB/T 2260 codes.
    #[serde(default)]
    pub districts: Vec<String>,
    /// 风险信息内容.
    #[serde(default)]
    pub content: Option<String>,
    /// 信息分析.
    #[serde(default)]
    pub analysis: Option<String>,
    /// 初步建议.
    #[serde(default)]
    pub recommendation: Option<String>,
    /// 信息来源.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub hazards: Vec<String>,
    #[serde(default)]
    pub casualties: Option<NewCasualties>,
    #[serde(default)]
    pub occurred_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub reporter: Option<Reporter>,
    /// The e-commerce form's row, instead of or beside the free text.
    #[serde(default)]
    pub ecommerce: Option<Ecommerce>,
    /// The reporting period (`YYYY-MM`) a routine report is for, when the station sends it
    /// late or early; by default the period whose due date has not passed yet.
    #[serde(default)]
    pub period: Option<String>,
}

/// 人员伤亡, as sent (signed, so that a negative count is a validation error, not a parse error).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCasualties {
    #[serde(default)]
    pub deaths: i64,
    #[serde(default)]
    pub injuries: i64,
}

/// 填报人 and 联系电话.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// One row of the e-commerce form (电商平台).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ecommerce {
    /// 关键词.
    pub keyword: String,
    /// 评论关键词.
    #[serde(default)]
    pub review_keywords: Vec<String>,
    /// 时间采集范围 (from).
    #[serde(default)]
    pub collected_from: Option<DateTime<FixedOffset>>,
    /// 时间采集范围 (to).
    #[serde(default)]
    pub collected_to: Option<DateTime<FixedOffset>>,
    /// 差评数.
    #[serde(default)]
    pub negative_reviews: Option<i64>,
    /// 评论数.
    #[serde(default)]
    pub reviews: Option<i64>,
    /// 店铺名称.
    pub shop_name: String,
    /// 商品名称.
    pub product_name: String,
    /// 商品地址.
    #[serde(default)]
    pub product_url: Option<String>,
    /// 商品价格 (yuan).
    #[serde(default)]
    pub price: Option<f64>,
    /// 公司所在区域.
    #[serde(default)]
    pub company_region: Option<String>,
}

/// A report that passed every check.
#[derive(Debug, Clone)]
pub struct ValidReport {
    pub kind: ReportKind,
    pub product: String,
    pub category: Option<String>,
    pub enterprise_count: Option<i32>,
    pub districts: Vec<String>,
    pub content: String,
    pub analysis: Option<String>,
    pub recommendation: Option<String>,
    pub source: Option<String>,
    pub hazards: Vec<String>,
    pub casualties: Option<Casualties>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub reporter: Option<Reporter>,
    pub ecommerce: Option<Ecommerce>,
    /// The period the station named (routine reports only).
    pub period: Option<String>,
}

fn message(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text::owned(zh, en)
}

/// Checks a trimmed optional text's length.
fn text_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            message(
                format!("{field} 不能超过 {max} 个字符"),
                format!("{field} must be at most {max} characters"),
            ),
        ));
    }
    Some(value)
}

fn required(errors: &mut Vec<FieldError>, field: &str) {
    errors.push(FieldError::new(
        field,
        message(format!("{field} 为必填项"), format!("{field} is required")),
    ));
}

/// Checks a phone number: digits with an optional leading `+` and inner `-` or spaces.
pub fn check_phone(field: &str, phone: &str) -> Option<FieldError> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (c == '+' && i == 0));
    (!(allowed && (5..=20).contains(&digits))).then(|| {
        FieldError::new(
            field,
            message(
                "电话号码格式不正确",
                "phone must be 5–20 digits, optionally with + and -",
            ),
        )
    })
}

impl NewReport {
    /// Validates every field; all problems are reported at once, each naming its field.
    pub fn validate(self, now: DateTime<Utc>) -> Result<ValidReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = ReportKind::parse(&self.kind);
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                message(
                    "kind 须为 routine、important 或 annual",
                    "kind must be routine, important or annual",
                ),
            ));
        }
        if let Some(ecommerce) = &self.ecommerce {
            check_ecommerce(&mut errors, ecommerce);
        }
        let product =
            text_field(&mut errors, "product", self.product.as_ref(), 200).or_else(|| {
                self.ecommerce
                    .as_ref()
                    .map(|e| e.product_name.trim().to_owned())
            });
        if product.as_deref().is_none_or(str::is_empty) {
            required(&mut errors, "product");
        }
        let content = text_field(&mut errors, "content", self.content.as_ref(), 20_000)
            .or_else(|| self.ecommerce.as_ref().map(ecommerce_summary));
        if content.is_none() {
            required(&mut errors, "content");
        }
        let category = text_field(&mut errors, "category", self.category.as_ref(), 64);
        if let Some(category) = &category {
            if !category
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                errors.push(FieldError::new(
                    "category",
                    message(
                        "category 须为目录中的类别代码",
                        "category must be a catalogue category code",
                    ),
                ));
            }
        }
        let enterprise_count = match self.enterprise_count {
            None => None,
            Some(n) if (0..=100_000).contains(&n) => i32::try_from(n).ok(),
            Some(_) => {
                errors.push(FieldError::new(
                    "enterprise_count",
                    message(
                        "涉及企业数量须在 0 到 100000 之间",
                        "enterprise_count must be between 0 and 100000",
                    ),
                ));
                None
            }
        };
        if self.districts.is_empty() {
            required(&mut errors, "districts");
        }
        if self.districts.len() > 50 {
            errors.push(FieldError::new(
                "districts",
                message("涉及区域最多 50 个", "at most 50 districts"),
            ));
        }
        for (i, code) in self.districts.iter().enumerate() {
            if !district::is_known(code) {
                errors.push(FieldError::new(
                    format!("districts[{i}]"),
                    message(
                        format!("未知的行政区划代码：{code}"),
                        format!("unknown district code: {code}"),
                    ),
                ));
            }
        }
        for (i, hazard) in self.hazards.iter().enumerate() {
            if !HAZARDS.contains(&hazard.as_str()) {
                errors.push(FieldError::new(
                    format!("hazards[{i}]"),
                    message(
                        format!("未知的危害类型：{hazard}"),
                        format!("unknown hazard type: {hazard}"),
                    ),
                ));
            }
        }
        let casualties = self.casualties.as_ref().and_then(|c| {
            let mut ok = true;
            for (field, n) in [
                ("casualties.deaths", c.deaths),
                ("casualties.injuries", c.injuries),
            ] {
                if !(0..=1_000_000).contains(&n) {
                    ok = false;
                    errors.push(FieldError::new(
                        field,
                        message("人数须为非负整数", "must be a non-negative count"),
                    ));
                }
            }
            ok.then(|| Casualties {
                deaths: u32::try_from(c.deaths).unwrap_or(0),
                injuries: u32::try_from(c.injuries).unwrap_or(0),
            })
        });
        let occurred_at = self.occurred_at.map(|t| t.with_timezone(&Utc));
        if occurred_at.is_some_and(|t| t > now + chrono::Duration::minutes(5)) {
            errors.push(FieldError::new(
                "occurred_at",
                message("发生时间不能晚于当前时间", "occurred_at is in the future"),
            ));
        }
        if let Some(reporter) = &self.reporter {
            if !(1..=50).contains(&reporter.name.trim().chars().count()) {
                errors.push(FieldError::new(
                    "reporter.name",
                    message(
                        "填报人须为 1–50 个字符",
                        "reporter.name must be 1–50 characters",
                    ),
                ));
            }
            if let Some(phone) = &reporter.phone {
                errors.extend(check_phone("reporter.phone", phone));
            }
        }
        let analysis = text_field(&mut errors, "analysis", self.analysis.as_ref(), 20_000);
        let recommendation = text_field(
            &mut errors,
            "recommendation",
            self.recommendation.as_ref(),
            20_000,
        );
        let source = text_field(&mut errors, "source", self.source.as_ref(), 2_000);
        if let Some(named) = &self.period {
            check_period(&mut errors, kind, named, now);
        }

        match (kind, product, content) {
            (Some(kind), Some(product), Some(content)) if errors.is_empty() => Ok(ValidReport {
                kind,
                product,
                category,
                enterprise_count,
                districts: self.districts,
                content,
                analysis,
                recommendation,
                source,
                hazards: self.hazards,
                casualties,
                occurred_at,
                reporter: self.reporter,
                ecommerce: self.ecommerce,
                period: self.period,
            }),
            _ => Err(errors),
        }
    }
}

/// A named period must be a routine report's, well-formed, from 2020 on and not in the future.
fn check_period(
    errors: &mut Vec<FieldError>,
    kind: Option<ReportKind>,
    named: &str,
    now: DateTime<Utc>,
) {
    let problem = if kind.is_some_and(|k| k != ReportKind::Routine) {
        Some(message(
            "只有日常风险信息（routine）可指定报送期",
            "only routine reports name a period",
        ))
    } else if !super::period::is_period(named) || named < "2020-01" {
        Some(message(
            "period 须为 2020-01 以后的 YYYY-MM",
            "period must be YYYY-MM, 2020-01 or later",
        ))
    } else if named > super::period::routine_period_of(now).as_str() {
        Some(message(
            "不能为尚未开始的报送期报送",
            "period has not begun yet",
        ))
    } else {
        None
    };
    errors.extend(problem.map(|p| FieldError::new("period", p)));
}

fn check_ecommerce(errors: &mut Vec<FieldError>, e: &Ecommerce) {
    let mut push = |field: &str, zh: &str, en: &str| {
        errors.push(FieldError::new(
            format!("ecommerce.{field}"),
            message(zh, en),
        ));
    };
    if !(1..=100).contains(&e.keyword.trim().chars().count()) {
        push(
            "keyword",
            "关键词须为 1–100 个字符",
            "keyword must be 1–100 characters",
        );
    }
    if !(1..=200).contains(&e.shop_name.trim().chars().count()) {
        push(
            "shop_name",
            "店铺名称须为 1–200 个字符",
            "shop_name must be 1–200 characters",
        );
    }
    if !(1..=200).contains(&e.product_name.trim().chars().count()) {
        push(
            "product_name",
            "商品名称须为 1–200 个字符",
            "product_name must be 1–200 characters",
        );
    }
    if let Some(url) = &e.product_url {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 2048
            && !url.chars().any(char::is_whitespace)
            && url
                .split("://")
                .nth(1)
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !ok {
            push(
                "product_url",
                "商品地址须为 http(s) 网址",
                "product_url must be an http(s) URL",
            );
        }
    }
    if let Some(price) = e.price {
        if !(price.is_finite() && (0.0..=100_000_000.0).contains(&price)) {
            push(
                "price",
                "商品价格须为非负数",
                "price must be a non-negative amount",
            );
        }
    }
    for (field, value) in [
        ("negative_reviews", e.negative_reviews),
        ("reviews", e.reviews),
    ] {
        if value.is_some_and(|n| n < 0) {
            push(field, "数量须为非负整数", "must be a non-negative count");
        }
    }
    if let (Some(negative), Some(all)) = (e.negative_reviews, e.reviews) {
        if negative > all {
            push(
                "negative_reviews",
                "差评数不能大于评论数",
                "negative_reviews cannot exceed reviews",
            );
        }
    }
    if let (Some(from), Some(to)) = (e.collected_from, e.collected_to) {
        if from > to {
            push(
                "collected_to",
                "采集结束时间须晚于开始时间",
                "collected_to must be after collected_from",
            );
        }
    }
}

/// The free text of an e-commerce row that came without any.
fn ecommerce_summary(e: &Ecommerce) -> String {
    let mut text = format!(
        "电商平台监测：店铺“{}”商品“{}”（关键词：{}）",
        e.shop_name, e.product_name, e.keyword
    );
    if let (Some(negative), Some(all)) = (e.negative_reviews, e.reviews) {
        text.push_str(&format!("，差评 {negative} / 评论 {all}"));
    }
    if !e.review_keywords.is_empty() {
        text.push_str(&format!("，评论关键词：{}", e.review_keywords.join("、")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(json: serde_json::Value) -> NewReport {
        serde_json::from_value(json).expect("parses")
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_general_form_report_is_valid() {
        let valid = report(serde_json::json!({
            "kind": "important", "product": "儿童电动滑板车", "districts": ["310115"],
            "content": "电池起火", "casualties": {"deaths": 0, "injuries": 3}, "hazards": ["fire"]
        }))
        .validate(Utc::now())
        .expect("valid");
        assert_eq!(valid.kind, ReportKind::Important);
        assert_eq!(valid.casualties.map(|c| c.injuries), Some(3));
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = report(serde_json::json!({
            "kind": "weekly", "districts": ["310115", "999999"], "hazards": ["boredom"],
            "casualties": {"deaths": -1}, "enterprise_count": -2
        }))
        .validate(Utc::now())
        .expect_err("invalid");
        let fields = fields(errors);
        for expected in [
            "kind",
            "product",
            "content",
            "districts[1]",
            "hazards[0]",
            "casualties.deaths",
            "enterprise_count",
        ] {
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected} missing from {fields:?}"
            );
        }
    }

    #[test]
    fn an_ecommerce_row_can_stand_in_for_the_free_text() {
        let valid = report(serde_json::json!({
            "kind": "routine", "districts": ["310104"],
            "ecommerce": {"keyword": "充电宝", "shop_name": "某某数码专营店", "product_name": "20000mAh 充电宝",
                          "product_url": "https://shop.example.com/item/1", "price": 59.9,
                          "negative_reviews": 12, "reviews": 340}
        }))
        .validate(Utc::now())
        .expect("valid");
        assert_eq!(valid.product, "20000mAh 充电宝");
        assert!(valid.content.contains("某某数码专营店"));
    }

    #[test]
    fn ecommerce_numbers_urls_and_ranges_are_checked() {
        let errors = report(serde_json::json!({
            "kind": "routine", "districts": ["310104"],
            "ecommerce": {"keyword": "充电宝", "shop_name": "店", "product_name": "品",
                          "product_url": "javascript:alert(1)", "price": -1,
                          "negative_reviews": 50, "reviews": 10,
                          "collected_from": "2026-11-10T00:00:00+08:00", "collected_to": "2026-11-01T00:00:00+08:00"}
        }))
        .validate(Utc::now())
        .expect_err("invalid");
        let fields = fields(errors);
        for expected in [
            "ecommerce.product_url",
            "ecommerce.price",
            "ecommerce.negative_reviews",
            "ecommerce.collected_to",
        ] {
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected} missing from {fields:?}"
            );
        }
    }
}
