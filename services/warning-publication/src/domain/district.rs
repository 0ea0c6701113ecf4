//! Districts by GB/T 2260 code.

/// Shanghai's 16 districts.
pub const SHANGHAI: [(&str, &str, &str); 16] = [
    ("310101", "黄浦区", "Huangpu"),
    ("310104", "徐汇区", "Xuhui"),
    ("310105", "长宁区", "Changning"),
    ("310106", "静安区", "Jing'an"),
    ("310107", "普陀区", "Putuo"),
    ("310109", "虹口区", "Hongkou"),
    ("310110", "杨浦区", "Yangpu"),
    ("310112", "闵行区", "Minhang"),
    ("310113", "宝山区", "Baoshan"),
    ("310114", "嘉定区", "Jiading"),
    ("310115", "浦东新区", "Pudong"),
    ("310116", "金山区", "Jinshan"),
    ("310117", "松江区", "Songjiang"),
    ("310118", "青浦区", "Qingpu"),
    ("310120", "奉贤区", "Fengxian"),
    ("310151", "崇明区", "Chongming"),
];

/// Shanghai as a whole (上海市): a warning for the whole city names this code.
pub const SHANGHAI_CITY: &str = "310000";

/// The whole country (全国).
pub const NATIONWIDE: &str = "000000";

/// Province-level codes of GB/T 2260. A decision drafted from reports may name them.
const PROVINCES: [&str; 34] = [
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
    "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
    "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
    "620000", "630000", "640000", "650000", "710000", "810000", "820000",
];

/// Whether a regulator may address a warning to `code`: one of Shanghai's districts, or the
/// whole city. Warnings are Shanghai's to publish; other provinces publish their own.
pub fn is_shanghai(code: &str) -> bool {
    code == SHANGHAI_CITY || SHANGHAI.iter().any(|(c, _, _)| *c == code)
}

/// Whether `code` names a Shanghai district, a province, or the whole country: what a
/// warning drafted from a decision may carry, and so what the public may filter by.
pub fn is_known(code: &str) -> bool {
    code == NATIONWIDE || is_shanghai(code) || PROVINCES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_districts_and_the_city_are_shanghai() {
        assert!(is_shanghai("310115"));
        assert!(is_shanghai(SHANGHAI_CITY));
        assert!(!is_shanghai("320000"));
        assert!(!is_shanghai("310102"), "Luwan merged into Huangpu in 2011");
    }

    #[test]
    fn provinces_and_the_nation_are_known_but_not_shanghai() {
        assert!(is_known("320000"));
        assert!(is_known(NATIONWIDE));
        assert!(!is_shanghai(NATIONWIDE));
        assert!(!is_known("31011"));
    }
}
