//! How things look on the site: the words on screen in each language, the page's language,
//! and a warning as the templates show it.

use axum::http::{header, HeaderMap};
use chrono::{DateTime, FixedOffset, Utc};
use prism_platform::http::problem::Language;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::warning::{district_label, level_label, type_label, Status},
    store::{entities::warning, list_of},
};

/// The page's language: `?lang=` wins, then `Accept-Language`.
pub fn language(lang: Option<&str>, headers: &HeaderMap) -> Language {
    match lang {
        Some("en") => Language::En,
        Some("zh") => Language::Zh,
        _ => Language::from_header(headers.get(header::ACCEPT_LANGUAGE)),
    }
}

/// The words on screen.
pub fn labels(language: Language) -> serde_json::Value {
    match language {
        Language::Zh => serde_json::json!({
            "lang": "zh", "lang_tag": "zh-CN", "other_lang": "English", "other_lang_tag": "en",
            "site": "上海产品质量安全风险警示", "heading": "产品质量安全风险警示",
            "skip": "跳到正文", "language": "语言", "search": "搜索", "type": "类型",
            "level": "风险等级", "district": "涉及区域", "all": "全部", "apply": "筛选",
            "results": "最新发布", "none": "没有符合条件的警示。", "next": "下一页",
            "changed": "已更新", "back": "← 返回列表", "cancelled": "此警示已撤销：",
            "updated_to": "此警示已更新，当前为第", "published": "发布于", "effective": "生效",
            "expires": "截止", "summary": "风险情况", "advice": "消费提示",
            "versions": "历史版本", "feedback": "意见和建议", "feed_atom": "警示订阅（Atom）",
            "feed_cap": "CAP 1.2 订阅", "message": "您的意见或建议（必填，最多 2000 字）",
            "contact": "联系方式（选填）", "send": "提交", "thanks": "已收到，谢谢您的意见。",
        }),
        Language::En => serde_json::json!({
            "lang": "en", "lang_tag": "en", "other_lang": "中文", "other_lang_tag": "zh-CN",
            "site": "Shanghai product safety warnings", "heading": "Product quality and safety warnings",
            "skip": "Skip to content", "language": "Language", "search": "Search", "type": "Type",
            "level": "Risk level", "district": "District", "all": "All", "apply": "Filter",
            "results": "Latest", "none": "No warnings match.", "next": "Next page",
            "changed": "updated", "back": "← Back to the list", "cancelled": "This warning was withdrawn:",
            "updated_to": "This warning was updated; current version", "published": "Published",
            "effective": "effective", "expires": "expires", "summary": "The risk",
            "advice": "What to do", "versions": "Earlier versions", "feedback": "Feedback and suggestions",
            "feed_atom": "Warnings feed (Atom)", "feed_cap": "CAP 1.2 feed",
            "message": "Your comment or suggestion (required, at most 2,000 characters)",
            "contact": "How to reach you (optional)", "send": "Send", "thanks": "Received, thank you.",
        }),
    }
}

fn local(at: DateTime<Utc>) -> (String, String) {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap_or(at.fixed_offset().timezone());
    let at = at.with_timezone(&beijing);
    (at.format("%Y-%m-%d %H:%M").to_string(), at.to_rfc3339())
}

/// A warning as a template shows it, in one language (English falls back to Chinese).
#[derive(Serialize)]
pub struct Shown {
    id: Uuid,
    title: String,
    summary: String,
    advice: String,
    #[serde(rename = "type")]
    warning_type: &'static str,
    level: String,
    level_label: &'static str,
    districts: String,
    published: String,
    published_iso: String,
    effective: Option<String>,
    expires: Option<String>,
    version: i32,
    changed: bool,
    change_note: Option<String>,
    cancelled: bool,
    cancel_reason: Option<String>,
}

pub fn shown(row: &warning::Model, language: Language) -> Shown {
    let en = language == Language::En;
    let pick = |zh: &str, en_text: &Option<String>| match (en, en_text) {
        (true, Some(text)) => text.clone(),
        _ => zh.to_owned(),
    };
    let (type_zh, type_en) = type_label(&row.warning_type);
    let (level_zh, level_en) = level_label(&row.level);
    let districts: Vec<String> = list_of::<String>(&row.districts)
        .iter()
        .map(|code| {
            let (zh, en_name) = district_label(code);
            if en {
                en_name
            } else {
                zh
            }
        })
        .collect();
    let (published, published_iso) = local(row.published_at.unwrap_or(row.updated_at));
    Shown {
        id: row.id,
        title: pick(&row.title_zh, &row.title_en),
        summary: pick(&row.summary_zh, &row.summary_en),
        advice: pick(&row.advice_zh, &row.advice_en),
        warning_type: if en { type_en } else { type_zh },
        level: row.level.clone(),
        level_label: if en { level_en } else { level_zh },
        districts: districts.join(if en { ", " } else { "、" }),
        published,
        published_iso,
        effective: row.effective_at.map(|t| local(t).0),
        expires: row.expires_at.map(|t| local(t).0),
        version: row.version,
        changed: row.version > 1,
        change_note: row.change_note.clone(),
        cancelled: row.status == Status::Cancelled.as_str(),
        cancel_reason: row.cancel_reason.clone(),
    }
}
