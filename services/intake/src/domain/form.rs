//! The official report form (seed 003, 附件2) as a grid of cells: its two variants, finding
//! the header row by its Chinese titles wherever it sits, and the unit, date, reporter and
//! phone written above or below the table. No I/O: [`crate::form`] reads and writes files.

pub mod row;

use serde::{Deserialize, Serialize};

/// A sheet as text, one `Vec` per row, merged cells already filled from their top-left cell.
pub type Grid = Vec<Vec<String>>;

/// The form's two variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// 行业组织、检验检测机构: one row per risk.
    General,
    /// 电商平台: one row per listing.
    Ecommerce,
}

/// A column of the form: the field it fills and the titles it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub field: &'static str,
    /// The title as the official form writes it first, then accepted variants.
    pub titles: &'static [&'static str],
}

const fn column(field: &'static str, titles: &'static [&'static str]) -> Column {
    Column { field, titles }
}

/// The general form's columns, in the official order.
pub const GENERAL: [Column; 8] = [
    column("row_no", &["序号"]),
    column("product", &["涉及产品", "产品名称"]),
    column("enterprise_count", &["涉及企业数量", "涉及企业数"]),
    column("districts", &["涉及区域", "涉及地区"]),
    column("content", &["风险信息内容", "风险信息"]),
    column("analysis", &["信息分析"]),
    column("recommendation", &["初步建议"]),
    column("source", &["信息来源"]),
];

/// The e-commerce form's columns, in the official order.
pub const ECOMMERCE: [Column; 11] = [
    column("row_no", &["序号"]),
    column("keyword", &["关键词", "搜索关键词"]),
    column("review_keywords", &["评论关键词"]),
    column("collected", &["时间采集范围", "采集时间范围"]),
    column("negative_reviews", &["差评数"]),
    column("reviews", &["评论数"]),
    column("shop_name", &["店铺名称"]),
    column("product_name", &["商品名称"]),
    column("product_url", &["商品地址", "商品链接"]),
    column("price", &["商品价格"]),
    column("company_region", &["公司所在区域", "公司所在地"]),
];

/// The columns of a variant.
pub fn columns(variant: Variant) -> &'static [Column] {
    match variant {
        Variant::General => &GENERAL,
        Variant::Ecommerce => &ECOMMERCE,
    }
}

/// Labels of the lines above and below the table (表头、表尾).
pub const META_LABELS: [&str; 4] = ["填报单位", "填报时间", "填报人", "联系电话"];

/// A title as compared: no spaces, no required-field stars, no unit in brackets.
pub fn normalise(title: &str) -> String {
    let cut = title.find(['（', '(']).map_or(title, |i| &title[..i]);
    cut.chars()
        .filter(|c| !c.is_whitespace() && !['*', '＊', ':', '：'].contains(c))
        .collect()
}

/// The header row found in a grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub variant: Variant,
    /// Index of the header row in the grid.
    pub row: usize,
    /// For each field of the variant, its column index.
    pub columns: Vec<(&'static str, usize)>,
}

impl Header {
    /// The column index of `field`, if the sheet has it.
    pub fn column(&self, field: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, i)| *i)
    }
}

fn match_row(cells: &[String], variant: Variant) -> Vec<(&'static str, usize)> {
    let mut found: Vec<(&'static str, usize)> = Vec::new();
    for (index, cell) in cells.iter().enumerate() {
        let title = normalise(cell);
        if title.is_empty() {
            continue;
        }
        let hit = columns(variant).iter().find(|c| {
            c.titles.iter().any(|t| title == *t)
                && !found.iter().any(|(field, _)| *field == c.field)
        });
        if let Some(column) = hit {
            // A title merged across columns repeats; the first column holds the value.
            found.push((column.field, index));
        }
    }
    found
}

/// Finds the header row: the first row naming the e-commerce form's keyword, shop and
/// product, or the general form's product and risk content.
pub fn find_header(grid: &Grid) -> Option<Header> {
    for (row, cells) in grid.iter().enumerate() {
        for (variant, required) in [
            (
                Variant::Ecommerce,
                &["keyword", "shop_name", "product_name"][..],
            ),
            (Variant::General, &["product", "content", "districts"][..]),
        ] {
            let columns = match_row(cells, variant);
            if required
                .iter()
                .all(|field| columns.iter().any(|(f, _)| f == field))
            {
                return Some(Header {
                    variant,
                    row,
                    columns,
                });
            }
        }
    }
    None
}

/// What the lines around the table say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub unit: Option<String>,
    pub date: Option<String>,
    pub reporter: Option<String>,
    pub phone: Option<String>,
}

/// Whether a row is a line of the header or footer (填报人：… and so on), not a risk.
pub fn is_meta_row(cells: &[String]) -> bool {
    cells
        .iter()
        .find(|c| !c.trim().is_empty())
        .is_some_and(|first| {
            let first = normalise(first);
            META_LABELS.iter().any(|label| first.starts_with(label))
        })
}

/// Reads 填报单位, 填报时间, 填报人 and 联系电话 from the rows outside the table: either
/// `填报人：张三` in one cell or the label in one cell and the value in the next.
pub fn read_meta(grid: &Grid) -> Meta {
    let mut meta = Meta::default();
    for cells in grid {
        for (index, cell) in cells.iter().enumerate() {
            let text = cell.trim();
            for (label, slot) in [
                ("填报单位", &mut meta.unit),
                ("填报时间", &mut meta.date),
                ("填报人", &mut meta.reporter),
                ("联系电话", &mut meta.phone),
            ] {
                let Some(rest) = text.strip_prefix(label) else {
                    continue;
                };
                let inline = rest.trim_start_matches([':', '：', ' ', '\u{3000}']).trim();
                let value = if inline.is_empty() {
                    cells[index + 1..]
                        .iter()
                        .map(|c| c.trim())
                        .find(|c| !c.is_empty())
                        .unwrap_or("")
                } else {
                    inline
                };
                if slot.is_none() && !value.is_empty() {
                    *slot = Some(value.to_owned());
                }
            }
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        rows.iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    #[test]
    fn the_header_is_found_below_a_title_and_blank_rows() {
        let g = grid(&[
            &["产品质量安全风险信息报送表", "", ""],
            &["", "", ""],
            &["填报单位：上海市某行业协会", "", "填报时间：2026年11月20日"],
            &[
                "序号",
                "涉及产品*",
                "涉及企业数量（家）",
                "涉及区域",
                "风险信息内容",
                "信息分析",
                "初步建议",
                "信息来源",
            ],
        ]);
        let header = find_header(&g).expect("header");
        assert_eq!(header.variant, Variant::General);
        assert_eq!(header.row, 3);
        assert_eq!(header.column("enterprise_count"), Some(2));
        let meta = read_meta(&g);
        assert_eq!(meta.unit.as_deref(), Some("上海市某行业协会"));
        assert_eq!(meta.date.as_deref(), Some("2026年11月20日"));
    }

    #[test]
    fn the_ecommerce_header_is_told_apart_by_its_titles() {
        let g = grid(&[&[
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
        ]]);
        let header = find_header(&g).expect("header");
        assert_eq!(header.variant, Variant::Ecommerce);
        assert_eq!(header.column("keyword"), Some(1));
        assert_eq!(header.column("review_keywords"), Some(2));
        assert_eq!(header.column("price"), Some(9));
    }

    #[test]
    fn a_sheet_without_the_titles_has_no_header() {
        let g = grid(&[&["name", "qty", "price"], &["a", "1", "2"]]);
        assert_eq!(find_header(&g), None);
    }

    #[test]
    fn the_footer_is_read_from_label_and_next_cell() {
        let g = grid(&[&["填报人", "李四", "联系电话", "13800138000"]]);
        let meta = read_meta(&g);
        assert_eq!(meta.reporter.as_deref(), Some("李四"));
        assert_eq!(meta.phone.as_deref(), Some("13800138000"));
        assert!(is_meta_row(&g[0]));
    }
}
