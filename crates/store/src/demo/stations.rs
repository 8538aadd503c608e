//! The demo's stations: each county's service centre and township and village stations in the
//! places the seed articles describe, with what each charges to hand out a parcel.

use farmgate_domain::stations::StationKind;

pub struct DemoStation {
    pub code: &'static str,
    pub region: &'static str,
    pub kind: StationKind,
    pub zh: &'static str,
    pub ug: &'static str,
    pub en: &'static str,
    /// Chinese, Uyghur, English.
    pub address: (&'static str, &'static str, &'static str),
    pub hours: &'static str,
    pub pickup_fee_fen: i64,
    /// The people it serves (a village's, a township's, the county seat's).
    pub population: i32,
}

const fn station(
    code: &'static str,
    region: &'static str,
    kind: StationKind,
    names: (&'static str, &'static str, &'static str),
    address: (&'static str, &'static str, &'static str),
    pickup_fee_fen: i64,
) -> DemoStation {
    DemoStation {
        code,
        region,
        kind,
        zh: names.0,
        ug: names.1,
        en: names.2,
        address,
        hours: "09:00-20:00",
        pickup_fee_fen,
        population: match kind {
            StationKind::Village => 1_200,
            StationKind::Township => 9_000,
            StationKind::Centre => 40_000,
        },
    }
}

pub const DEMO_STATIONS: &[DemoStation] = &[
    station(
        "tekes-centre",
        "tekes-lijie",
        StationKind::Centre,
        (
            "特克斯县电商公共服务中心",
            "تېكەس ناھىيەلىك ئېلېكترونلۇق سودا ئاممىۋى مۇلازىمەت مەركىزى",
            "Tekes E-commerce Public Service Centre",
        ),
        (
            "特克斯镇李杰街社区，中心一楼展厅",
            "تېكەس بازىرى لىجيې كوچىسى مەھەللىسى، مەركەز بىرىنچى قەۋەت كۆرگەزمە زالى",
            "Lijie Street Community, Tekes Town; the showroom on the centre's ground floor",
        ),
        0,
    ),
    station(
        "tekes-kuokesu",
        "tekes-kuokesu",
        StationKind::Village,
        (
            "阔克苏村服务站",
            "كۆكسۇ كەنتى مۇلازىمەت پونكىتى",
            "Kokesu Village Station",
        ),
        (
            "阔克苏村村委会旁",
            "كۆكسۇ كەنتى كەنت كومىتېتى يېنىدا",
            "Next to the Kokesu village committee",
        ),
        100,
    ),
    station(
        "jinghe-town",
        "jinghe-town",
        StationKind::Township,
        (
            "精河镇电商服务站",
            "جىڭ بازىرى ئېلېكترونلۇق سودا پونكىتى",
            "Jinghe Town E-commerce Station",
        ),
        (
            "精河镇东大街",
            "جىڭ بازىرى شەرقىي چوڭ كوچا",
            "East Main Street, Jinghe Town",
        ),
        0,
    ),
    station(
        "jinghe-gouqi",
        "jinghe-gouqi",
        StationKind::Village,
        (
            "枸杞村服务站",
            "لەنجۇ كەنتى مۇلازىمەت پونكىتى",
            "Gouqi Village Station",
        ),
        (
            "枸杞村合作社院内",
            "لەنجۇ كەنتى كوپىراتىپ ھويلىسىدا",
            "In the Gouqi village cooperative's yard",
        ),
        100,
    ),
    station(
        "korla-saibag",
        "korla-saibag",
        StationKind::Village,
        (
            "赛巴格村服务站",
            "سايباغ كەنتى مۇلازىمەت پونكىتى",
            "Saibag Village Station",
        ),
        (
            "赛巴格村文化室",
            "سايباغ كەنتى مەدەنىيەت ئۆيى",
            "Saibag village culture room",
        ),
        0,
    ),
    station(
        "kuqa-centre",
        "kuqa",
        StationKind::Centre,
        (
            "库车市电商公共服务中心",
            "كۇچا شەھەرلىك ئېلېكترونلۇق سودا ئاممىۋى مۇلازىمەت مەركىزى",
            "Kuqa E-commerce Public Service Centre",
        ),
        (
            "库车市电商产业园",
            "كۇچا شەھەرلىك ئېلېكترونلۇق سودا كەسىپ باغچىسى",
            "Kuqa E-commerce Industrial Park",
        ),
        0,
    ),
    station(
        "kuqa-wuqia",
        "kuqa-wuqia-village",
        StationKind::Village,
        (
            "乌恰村服务站",
            "ئۇچا كەنتى مۇلازىمەت پونكىتى",
            "Wuqia Village Station",
        ),
        (
            "乌恰村便民超市",
            "ئۇچا كەنتى قولايلىق دۇكىنى",
            "Wuqia village convenience store",
        ),
        150,
    ),
    station(
        "huixian-chengguan",
        "huixian-chengguan",
        StationKind::Township,
        (
            "徽县城关镇电商服务站",
            "خۇيشيەن چېڭگۇەن بازىرى ئېلېكترونلۇق سودا پونكىتى",
            "Huixian Chengguan Station",
        ),
        (
            "城关镇电商服务中心一楼",
            "چېڭگۇەن بازىرى ئېلېكترونلۇق سودا مۇلازىمەت مەركىزى، بىرىنچى قەۋەت",
            "Ground floor, Chengguan Town e-commerce service centre",
        ),
        0,
    ),
    station(
        "huixian-jialing",
        "huixian-jialing-village",
        StationKind::Village,
        (
            "嘉陵村服务站",
            "جيالىڭ كەنتى مۇلازىمەت پونكىتى",
            "Jialing Village Station",
        ),
        (
            "嘉陵村小卖部",
            "جيالىڭ كەنتى كىچىك دۇكىنى",
            "Jialing village shop",
        ),
        100,
    ),
    station(
        "zezhou-gaodu",
        "zezhou-gaodu",
        StationKind::Township,
        (
            "高都镇物流配送中心",
            "گاۋدۇ بازىرى ئەشيا يەتكۈزۈش مەركىزى",
            "Gaodu Town Delivery Centre",
        ),
        (
            "高都镇电商物流园",
            "گاۋدۇ بازىرى ئېلېكترونلۇق سودا ئەشيا ئوبوروت باغچىسى",
            "Gaodu Town e-commerce logistics park",
        ),
        0,
    ),
    station(
        "zezhou-beijie",
        "zezhou-beijie",
        StationKind::Village,
        (
            "北街村服务站",
            "بېيجيې كەنتى مۇلازىمەت پونكىتى",
            "Beijie Village Station",
        ),
        (
            "北街村村委会",
            "بېيجيې كەنتى كەنت كومىتېتى",
            "Beijie village committee",
        ),
        50,
    ),
];
