//! Districts by GB/T 2260 code: the one list every service validates against.

/// Shanghai's 16 districts: code, Chinese name, English name.
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

/// Shanghai as a whole (上海市).
pub const SHANGHAI_CITY: &str = "310000";

/// The whole country (全国).
pub const NATIONWIDE: &str = "000000";

/// Province-level codes, for reports that involve other provinces (长三角 and beyond).
const PROVINCES: [&str; 34] = [
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
    "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
    "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
    "620000", "630000", "640000", "650000", "710000", "810000", "820000",
];

/// Whether `code` is one of Shanghai's districts.
pub fn is_shanghai_district(code: &str) -> bool {
    SHANGHAI.iter().any(|(c, _, _)| *c == code)
}

/// Whether `code` is a Shanghai district or the whole city.
pub fn is_shanghai(code: &str) -> bool {
    code == SHANGHAI_CITY || is_shanghai_district(code)
}

/// Whether `code` names a Shanghai district, a province, or the whole country.
pub fn is_known(code: &str) -> bool {
    code == NATIONWIDE || is_shanghai_district(code) || PROVINCES.contains(&code)
}

/// The Chinese name of a Shanghai district.
pub fn name_zh(code: &str) -> Option<&'static str> {
    SHANGHAI
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, _)| *zh)
}

/// `,310115,310104,`: so that "involves district X" is a portable `LIKE '%,X,%'` on SQLite
/// and PostgreSQL alike.
pub fn index(districts: &[String]) -> String {
    format!(",{},", districts.join(","))
}

/// The districts of an [`index`].
pub fn from_index(index: &str) -> Vec<String> {
    index
        .split(',')
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_districts_provinces_and_the_nation_are_known() {
        assert!(is_known("310115"));
        assert!(is_known("320000"));
        assert!(is_known(NATIONWIDE));
        assert!(!is_known("310102"), "Luwan merged into Huangpu in 2011");
        assert!(!is_known("31011"));
    }

    #[test]
    fn the_city_is_shanghai_but_not_a_district() {
        assert!(is_shanghai(SHANGHAI_CITY));
        assert!(!is_shanghai_district(SHANGHAI_CITY));
        assert!(!is_shanghai("320000"));
    }

    #[test]
    fn an_index_reads_back() {
        let districts = vec!["310115".to_owned(), "310104".to_owned()];
        assert_eq!(from_index(&index(&districts)), districts);
    }
}
