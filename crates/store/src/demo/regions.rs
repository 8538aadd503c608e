//! The places of the seed articles, with approximate coordinates (WGS84, two decimals).
//!
//! Counties, the townships and villages the articles name, and a few more real townships per
//! county so the demo has depth. `known_for` lists what the articles say each county sells.

/// One node to load: (code, zh, ug, en, (lat, lon), known_for [zh, ug, en], children).
pub struct Place {
    pub code: &'static str,
    pub zh: &'static str,
    pub ug: Option<&'static str>,
    pub en: &'static str,
    pub at: (f64, f64),
    pub known_for: Option<[&'static str; 3]>,
    pub children: Vec<Place>,
}

fn place(
    code: &'static str,
    zh: &'static str,
    ug: Option<&'static str>,
    en: &'static str,
    at: (f64, f64),
    children: Vec<Place>,
) -> Place {
    Place {
        code,
        zh,
        ug,
        en,
        at,
        known_for: None,
        children,
    }
}

fn county(
    code: &'static str,
    zh: &'static str,
    ug: Option<&'static str>,
    en: &'static str,
    at: (f64, f64),
    known_for: [&'static str; 3],
    children: Vec<Place>,
) -> Place {
    Place {
        code,
        zh,
        ug,
        en,
        at,
        known_for: Some(known_for),
        children,
    }
}

fn leaf(
    code: &'static str,
    zh: &'static str,
    ug: Option<&'static str>,
    en: &'static str,
    at: (f64, f64),
) -> Place {
    place(code, zh, ug, en, at, Vec::new())
}

/// The whole demo tree, rooted at China: the seeds' counties, and the cities some of the
/// demo's buyers live in.
pub fn tree() -> Place {
    let mut root = seed_tree();
    root.children.extend(buyer_cities());
    root
}

/// A place's code and its names in Chinese, Uyghur and English.
type Names = (&'static str, &'static str, &'static str, &'static str);
/// A buyer's city: province, city, district, street, and where it is.
type BuyerCity = (Names, Names, Names, Names, (f64, f64));

/// Where some of the demo's buyers live, far from the counties they buy from: a province (or
/// city), its city, a district and a street, for home delivery. No county of the platform (no
/// `known_for`), so they are not listed among the counties.
const BUYER_CITIES: &[BuyerCity] = &[
    (
        ("shanghai", "上海市", "شاڭخەي شەھىرى", "Shanghai"),
        (
            "shanghai-city",
            "上海市辖区",
            "شاڭخەي شەھەر رايونى",
            "Shanghai districts",
        ),
        (
            "shanghai-pudong",
            "浦东新区",
            "پۇدۇڭ يېڭى رايونى",
            "Pudong New Area",
        ),
        (
            "shanghai-zhangjiang",
            "张江镇",
            "جاڭجياڭ بازىرى",
            "Zhangjiang Town",
        ),
        (31.20, 121.59),
    ),
    (
        ("beijing", "北京市", "بېيجىڭ شەھىرى", "Beijing"),
        (
            "beijing-city",
            "北京市辖区",
            "بېيجىڭ شەھەر رايونى",
            "Beijing districts",
        ),
        (
            "beijing-chaoyang",
            "朝阳区",
            "چاۋياڭ رايونى",
            "Chaoyang District",
        ),
        (
            "beijing-wangjing",
            "望京街道",
            "ۋاڭجىڭ كوچىسى",
            "Wangjing Subdistrict",
        ),
        (39.99, 116.47),
    ),
    (
        (
            "guangdong",
            "广东省",
            "گۇاڭدۇڭ ئۆلكىسى",
            "Guangdong Province",
        ),
        ("guangzhou", "广州市", "گۇاڭجۇ شەھىرى", "Guangzhou"),
        (
            "guangzhou-tianhe",
            "天河区",
            "تيەنخې رايونى",
            "Tianhe District",
        ),
        (
            "guangzhou-shipai",
            "石牌街道",
            "شىپەي كوچىسى",
            "Shipai Subdistrict",
        ),
        (23.13, 113.33),
    ),
    (
        ("sichuan", "四川省", "سىچۈەن ئۆلكىسى", "Sichuan Province"),
        ("chengdu", "成都市", "چېڭدۇ شەھىرى", "Chengdu"),
        ("chengdu-wuhou", "武侯区", "ۋۇخۇ رايونى", "Wuhou District"),
        (
            "chengdu-yulin",
            "玉林街道",
            "يۈلىن كوچىسى",
            "Yulin Subdistrict",
        ),
        (30.63, 104.06),
    ),
    (
        ("zhejiang", "浙江省", "جېجياڭ ئۆلكىسى", "Zhejiang Province"),
        ("hangzhou", "杭州市", "خاڭجۇ شەھىرى", "Hangzhou"),
        ("hangzhou-xihu", "西湖区", "شىخۇ رايونى", "Xihu District"),
        (
            "hangzhou-wenxin",
            "文新街道",
            "ۋېنشىن كوچىسى",
            "Wenxin Subdistrict",
        ),
        (30.29, 120.10),
    ),
];

fn buyer_cities() -> Vec<Place> {
    BUYER_CITIES
        .iter()
        .map(|&(province, city, district, street, at)| {
            let named =
                |(code, zh, ug, en): Names, children| place(code, zh, Some(ug), en, at, children);
            let street = named(street, Vec::new());
            named(
                province,
                vec![named(city, vec![named(district, vec![street])])],
            )
        })
        .collect()
}

/// The seeds' places as one literal tree.
fn seed_tree() -> Place {
    place(
        "cn",
        "中国",
        Some("جۇڭگو"),
        "China",
        (39.90, 116.40),
        vec![
            place(
                "xinjiang",
                "新疆维吾尔自治区",
                Some("شىنجاڭ ئۇيغۇر ئاپتونوم رايونى"),
                "Xinjiang Uygur Autonomous Region",
                (43.83, 87.62),
                vec![
                    place(
                        "ili",
                        "伊犁哈萨克自治州",
                        Some("ئىلى قازاق ئاپتونوم ئوبلاستى"),
                        "Ili Kazakh Autonomous Prefecture",
                        (43.92, 81.32),
                        vec![county(
                            "tekes",
                            "特克斯县",
                            Some("تېكەس ناھىيىسى"),
                            "Tekes County",
                            (43.22, 81.84),
                            [
                                "薰衣草精油、手工皂、奶酪泡芙、杏干、坚果",
                                "لاۋاندا يېغى، قول سوپۇنى، سۈت مەھسۇلاتلىرى، ئۆرۈك قېقى، مېغىز",
                                "Lavender oil, handmade soap, dairy puffs, dried apricots, nuts",
                            ],
                            vec![
                                place(
                                    "tekes-town",
                                    "特克斯镇",
                                    Some("تېكەس بازىرى"),
                                    "Tekes Town",
                                    (43.21, 81.84),
                                    vec![
                                        leaf(
                                            "tekes-lijie",
                                            "李杰街社区",
                                            Some("لىجيې كوچا مەھەللىسى"),
                                            "Lijie Street Community",
                                            (43.22, 81.83),
                                        ),
                                        leaf(
                                            "tekes-bayi",
                                            "八一村",
                                            Some("بايى كەنتى"),
                                            "Bayi Village",
                                            (43.20, 81.86),
                                        ),
                                    ],
                                ),
                                place(
                                    "tekes-karadala",
                                    "喀拉达拉镇",
                                    Some("قارادالا بازىرى"),
                                    "Karadala Town",
                                    (43.05, 82.05),
                                    vec![leaf(
                                        "tekes-qiongkushitai",
                                        "琼库什台村",
                                        Some("چوڭقۇشتاي كەنتى"),
                                        "Qiongkushitai Village",
                                        (43.00, 82.23),
                                    )],
                                ),
                                place(
                                    "tekes-qiaolaketierke",
                                    "乔拉克铁热克镇",
                                    Some("چولاق تېرەك بازىرى"),
                                    "Qiaolaketierke Town",
                                    (43.12, 81.60),
                                    vec![leaf(
                                        "tekes-kuokesu",
                                        "阔克苏村",
                                        Some("كۆكسۇ كەنتى"),
                                        "Kokesu Village",
                                        (43.10, 81.58),
                                    )],
                                ),
                            ],
                        )],
                    ),
                    place(
                        "bortala",
                        "博尔塔拉蒙古自治州",
                        Some("بۆرتالا موڭغۇل ئاپتونوم ئوبلاستى"),
                        "Bortala Mongol Autonomous Prefecture",
                        (44.91, 82.07),
                        vec![county(
                            "jinghe",
                            "精河县",
                            Some("جىڭ ناھىيىسى"),
                            "Jinghe County",
                            (44.60, 82.89),
                            ["枸杞", "لەنجۇ (گوجى)", "Wolfberry (goji)"],
                            vec![
                                place(
                                    "jinghe-town",
                                    "精河镇",
                                    Some("جىڭ بازىرى"),
                                    "Jinghe Town",
                                    (44.60, 82.89),
                                    vec![leaf(
                                        "jinghe-dongguan",
                                        "东关村",
                                        Some("دۇڭگۇەن كەنتى"),
                                        "Dongguan Village",
                                        (44.61, 82.91),
                                    )],
                                ),
                                place(
                                    "jinghe-tuoli",
                                    "托里镇",
                                    Some("تولى بازىرى"),
                                    "Tuoli Town",
                                    (44.65, 83.05),
                                    vec![leaf(
                                        "jinghe-gouqi",
                                        "枸杞村",
                                        Some("لەنجۇ كەنتى"),
                                        "Gouqi Village",
                                        (44.66, 83.07),
                                    )],
                                ),
                                place(
                                    "jinghe-mangding",
                                    "茫丁乡",
                                    Some("ماڭدىڭ يېزىسى"),
                                    "Mangding Township",
                                    (44.50, 82.70),
                                    vec![leaf(
                                        "jinghe-mangding-village",
                                        "茫丁村",
                                        Some("ماڭدىڭ كەنتى"),
                                        "Mangding Village",
                                        (44.50, 82.71),
                                    )],
                                ),
                            ],
                        )],
                    ),
                    place(
                        "bayingolin",
                        "巴音郭楞蒙古自治州",
                        Some("بايىنغولىن موڭغۇل ئاپتونوم ئوبلاستى"),
                        "Bayingolin Mongol Autonomous Prefecture",
                        (41.76, 86.15),
                        vec![county(
                            "korla",
                            "库尔勒市",
                            Some("كورلا شەھىرى"),
                            "Korla City",
                            (41.76, 86.15),
                            [
                                "香梨、草莓、西红柿",
                                "خۇشپۇراق نەشپۈت، بۆلجۈرگەن، پەمىدۇر",
                                "Fragrant pears, strawberries, tomatoes",
                            ],
                            vec![
                                place(
                                    "korla-qiaerbag",
                                    "恰尔巴格乡",
                                    Some("چارباغ يېزىسى"),
                                    "Qiaerbag Township",
                                    (41.78, 86.10),
                                    vec![
                                        leaf(
                                            "korla-saibag",
                                            "赛巴格村",
                                            Some("سايباغ كەنتى"),
                                            "Saibag Village",
                                            (41.79, 86.08),
                                        ),
                                        leaf(
                                            "korla-qiaerbag-village",
                                            "恰尔巴格村",
                                            Some("چارباغ كەنتى"),
                                            "Qiaerbag Village",
                                            (41.77, 86.11),
                                        ),
                                    ],
                                ),
                                place(
                                    "korla-tiekeqi",
                                    "铁克其乡",
                                    Some("تېكچى يېزىسى"),
                                    "Tiekeqi Township",
                                    (41.72, 86.20),
                                    vec![leaf(
                                        "korla-tiekeqi-village",
                                        "铁克其村",
                                        Some("تېكچى كەنتى"),
                                        "Tiekeqi Village",
                                        (41.72, 86.21),
                                    )],
                                ),
                            ],
                        )],
                    ),
                    place(
                        "aksu",
                        "阿克苏地区",
                        Some("ئاقسۇ ۋىلايىتى"),
                        "Aksu Prefecture",
                        (41.17, 80.26),
                        vec![county(
                            "kuqa",
                            "库车市",
                            Some("كۇچا شەھىرى"),
                            "Kuqa City",
                            (41.72, 82.96),
                            [
                                "红枣、核桃、香梨、馕、桑葚制品、蜂蜜",
                                "قىزىل چىلان، ياڭاق، خۇشپۇراق نەشپۈت، نان، ئۈجمە مەھسۇلاتلىرى، ھەسەل",
                                "Red dates, walnuts, fragrant pears, naan, mulberry products, honey",
                            ],
                            vec![
                                place(
                                    "kuqa-wuqia",
                                    "乌恰镇",
                                    Some("ئۇچا بازىرى"),
                                    "Wuqia Town",
                                    (41.70, 82.90),
                                    vec![leaf(
                                        "kuqa-wuqia-village",
                                        "乌恰村",
                                        Some("ئۇچا كەنتى"),
                                        "Wuqia Village",
                                        (41.69, 82.89),
                                    )],
                                ),
                                place(
                                    "kuqa-qiman",
                                    "齐满镇",
                                    Some("چىمەن بازىرى"),
                                    "Qiman Town",
                                    (41.62, 83.10),
                                    vec![leaf(
                                        "kuqa-qiman-village",
                                        "齐满村",
                                        Some("چىمەن كەنتى"),
                                        "Qiman Village",
                                        (41.61, 83.11),
                                    )],
                                ),
                                place(
                                    "kuqa-yixihala",
                                    "伊西哈拉镇",
                                    Some("ئىشقارا بازىرى"),
                                    "Yixihala Town",
                                    (41.60, 82.85),
                                    vec![leaf(
                                        "kuqa-yixihala-village",
                                        "伊西哈拉村",
                                        Some("ئىشقارا كەنتى"),
                                        "Yixihala Village",
                                        (41.59, 82.84),
                                    )],
                                ),
                            ],
                        )],
                    ),
                ],
            ),
            place(
                "gansu",
                "甘肃省",
                Some("گەنسۇ ئۆلكىسى"),
                "Gansu Province",
                (36.06, 103.83),
                vec![place(
                    "longnan",
                    "陇南市",
                    Some("لۇڭنەن شەھىرى"),
                    "Longnan City",
                    (33.40, 104.92),
                    vec![county(
                        "huixian",
                        "徽县",
                        Some("خۇيشيەن ناھىيىسى"),
                        "Huixian County",
                        (33.77, 106.09),
                        [
                            "核桃、橄榄油、花椒、辣椒酱",
                            "ياڭاق، زەيتۇن يېغى، قىزىل مۇچ، لازا قىيامى",
                            "Walnuts, olive oil, Sichuan pepper, chili sauce",
                        ],
                        vec![
                            place(
                                "huixian-chengguan",
                                "城关镇",
                                Some("چېڭگۇەن بازىرى"),
                                "Chengguan Town",
                                (33.77, 106.09),
                                vec![leaf(
                                    "huixian-chengguan-village",
                                    "城关村",
                                    Some("چېڭگۇەن كەنتى"),
                                    "Chengguan Village",
                                    (33.78, 106.08),
                                )],
                            ),
                            place(
                                "huixian-fujia",
                                "伏家镇",
                                Some("فۇجيا بازىرى"),
                                "Fujia Town",
                                (33.85, 106.15),
                                vec![leaf(
                                    "huixian-fujia-village",
                                    "伏家村",
                                    Some("فۇجيا كەنتى"),
                                    "Fujia Village",
                                    (33.86, 106.16),
                                )],
                            ),
                            place(
                                "huixian-jialing",
                                "嘉陵镇",
                                Some("جيالىڭ بازىرى"),
                                "Jialing Town",
                                (33.70, 106.20),
                                vec![leaf(
                                    "huixian-jialing-village",
                                    "嘉陵村",
                                    Some("جيالىڭ كەنتى"),
                                    "Jialing Village",
                                    (33.69, 106.21),
                                )],
                            ),
                        ],
                    )],
                )],
            ),
            place(
                "shanxi",
                "山西省",
                Some("شەنشى ئۆلكىسى"),
                "Shanxi Province",
                (37.87, 112.55),
                vec![place(
                    "jincheng",
                    "晋城市",
                    Some("جىنچېڭ شەھىرى"),
                    "Jincheng City",
                    (35.49, 112.85),
                    vec![county(
                        "zezhou",
                        "泽州县",
                        Some("زېجۇ ناھىيىسى"),
                        "Zezhou County",
                        (35.62, 112.84),
                        [
                            "晋城农特产品、非遗手工艺品",
                            "جىنچېڭ يېزا ئىگىلىك مەھسۇلاتلىرى، غەيرىي ماددىي مەدەنىيەت مىراسى قول ھۈنەرلىرى",
                            "Jincheng farm produce and specialties, intangible heritage crafts",
                        ],
                        vec![
                            place(
                                "zezhou-gaodu",
                                "高都镇",
                                Some("گاۋدۇ بازىرى"),
                                "Gaodu Town",
                                (35.70, 112.93),
                                vec![
                                    leaf(
                                        "zezhou-baofu",
                                        "保福村",
                                        Some("باۋفۇ كەنتى"),
                                        "Baofu Village",
                                        (35.71, 112.94),
                                    ),
                                    leaf(
                                        "zezhou-beijie",
                                        "北街村",
                                        Some("بېيجيې كەنتى"),
                                        "Beijie Village",
                                        (35.71, 112.93),
                                    ),
                                ],
                            ),
                            place(
                                "zezhou-bagong",
                                "巴公镇",
                                Some("باگوڭ بازىرى"),
                                "Bagong Town",
                                (35.65, 112.80),
                                vec![leaf(
                                    "zezhou-bagong-village",
                                    "巴公村",
                                    Some("باگوڭ كەنتى"),
                                    "Bagong Village",
                                    (35.66, 112.81),
                                )],
                            ),
                            place(
                                "zezhou-dadonggou",
                                "大东沟镇",
                                Some("داڭدۇڭگۇ بازىرى"),
                                "Dadonggou Town",
                                (35.58, 112.95),
                                vec![leaf(
                                    "zezhou-dadonggou-village",
                                    "大东沟村",
                                    Some("داڭدۇڭگۇ كەنتى"),
                                    "Dadonggou Village",
                                    (35.57, 112.96),
                                )],
                            ),
                        ],
                    )],
                )],
            ),
        ],
    )
}

/// How many nodes `tree()` has, for progress bars.
pub fn count(place: &Place) -> u64 {
    1 + place.children.iter().map(count).sum::<u64>()
}
