//! Demo shops and products: what the seed articles say each place sells, at believable prices.

use farmgate_domain::catalog::{PricePolicy, ProductStatus, Tag, Unit, VariantSpec};
use farmgate_domain::lang::Language;
use farmgate_domain::money::Fen;
use farmgate_domain::orders::shipping::ShippingRule;
use farmgate_domain::shops::ShopKind;

/// A product: (zh, ug, en, category, unit, net grams, price in fen, stock, tags, story in zh).
pub struct DemoProduct {
    pub zh: &'static str,
    pub ug: &'static str,
    pub en: &'static str,
    pub category: &'static str,
    pub unit: Unit,
    pub net_grams: Option<i64>,
    pub price_fen: i64,
    pub stock: i64,
    pub tags: &'static [Tag],
    pub story: &'static str,
}

pub struct DemoShop {
    pub owner: &'static str,
    pub name: &'static str,
    /// The name for readers of other languages.
    pub names: &'static [(Language, &'static str)],
    pub kind: ShopKind,
    pub village: &'static str,
    pub phone: &'static str,
    pub story: &'static str,
    /// How the shop charges for home delivery.
    pub shipping: ShippingRule,
    pub products: &'static [DemoProduct],
}

const PA: &[Tag] = &[Tag::PovertyAlleviation];
const HERITAGE: &[Tag] = &[Tag::Heritage];
const NONE: &[Tag] = &[];

pub const DEMO_SHOPS: &[DemoShop] = &[
    DemoShop {
        owner: "tekes-seller",
        name: "特克斯薰衣草工坊",
        names: &[
            (Language::Ug, "تېكەس لاۋاندا ئۇستىخانىسى"),
            (Language::En, "Tekes Lavender Workshop"),
        ],
        kind: ShopKind::Cooperative,
        village: "tekes-qiongkushitai",
        phone: "13909990101",
        story: "天山脚下的薰衣草田，手工蒸馏精油，手工冷制皂。",
        shipping: ShippingRule::FreeOver {
            fee: Fen(800),
            free_from: Fen(9900),
        },
        products: &[
            DemoProduct {
                zh: "薰衣草精油",
                ug: "لاۋاندا يېغى",
                en: "Lavender essential oil",
                category: "oils-condiments",
                unit: Unit::Bottle,
                net_grams: Some(10),
                price_fen: 6800,
                stock: 80,
                tags: PA,
                story: "每年七月采收，蒸馏一次，香气清透。",
            },
            DemoProduct {
                zh: "薰衣草手工皂",
                ug: "لاۋاندا قول سوپۇنى",
                en: "Handmade lavender soap",
                category: "handicrafts",
                unit: Unit::Piece,
                net_grams: Some(100),
                price_fen: 2500,
                stock: 150,
                tags: NONE,
                story: "冷制工艺，熟成六周。",
            },
            DemoProduct {
                zh: "特克斯奶酪泡芙",
                ug: "تېكەس سۈت پۇفى",
                en: "Tekes dairy puffs",
                category: "dairy",
                unit: Unit::Bag,
                net_grams: Some(250),
                price_fen: 3200,
                stock: 60,
                tags: NONE,
                story: "草原牧场鲜奶烘制。",
            },
            DemoProduct {
                zh: "琼库什台杏干",
                ug: "چوڭقۇشتاي ئۆرۈك قېقى",
                en: "Qiongkushitai dried apricots",
                category: "dried-fruit",
                unit: Unit::Bag,
                net_grams: Some(500),
                price_fen: 2880,
                stock: 120,
                tags: PA,
                story: "山里自然晾晒，不加糖。",
            },
            DemoProduct {
                zh: "伊犁野核桃仁",
                ug: "ئىلى ياۋايى ياڭاق مېغىزى",
                en: "Ili wild walnut kernels",
                category: "nuts",
                unit: Unit::Jin,
                net_grams: None,
                price_fen: 4500,
                stock: 40,
                tags: NONE,
                story: "",
            },
        ],
    },
    DemoShop {
        owner: "jinghe-seller",
        name: "精河枸杞合作社",
        names: &[
            (Language::Ug, "جىڭخې مېدىچىن كوپىراتىپى"),
            (Language::En, "Jinghe Wolfberry Co-op"),
        ],
        kind: ShopKind::Cooperative,
        village: "jinghe-gouqi",
        phone: "13909990202",
        story: "准噶尔盆地西南缘的枸杞园，合作社统一采摘、晾晒、分拣。",
        shipping: ShippingRule::ByWeight {
            first_kg: Fen(1000),
            per_extra_kg: Fen(300),
        },
        products: &[
            DemoProduct {
                zh: "精河红枸杞",
                ug: "جىڭ قىزىل لەنجۇسى",
                en: "Jinghe red wolfberry",
                category: "dried-fruit",
                unit: Unit::Bag,
                net_grams: Some(500),
                price_fen: 5800,
                stock: 200,
                tags: PA,
                story: "颗粒饱满，自然晾晒。",
            },
            DemoProduct {
                zh: "精河黑枸杞",
                ug: "جىڭ قارا لەنجۇسى",
                en: "Jinghe black wolfberry",
                category: "dried-fruit",
                unit: Unit::Box,
                net_grams: Some(250),
                price_fen: 9800,
                stock: 50,
                tags: NONE,
                story: "",
            },
        ],
    },
    DemoShop {
        owner: "huixian-host",
        name: "徽县核桃直播间",
        names: &[
            (Language::Ug, "خۇيشيەن ياڭاق نەق مەيدانى"),
            (Language::En, "Huixian Walnut Live Room"),
        ],
        kind: ShopKind::Company,
        village: "huixian-fujia-village",
        phone: "13909990303",
        story: "陇南山里的核桃、橄榄油和花椒，直播间里讲给全国听。",
        shipping: ShippingRule::Flat { fee: Fen(600) },
        products: &[
            DemoProduct {
                zh: "徽县薄皮核桃",
                ug: "خۇيشيەن نېپىز پوستلۇق ياڭىقى",
                en: "Huixian thin-shell walnuts",
                category: "nuts",
                unit: Unit::Bag,
                net_grams: Some(1000),
                price_fen: 3800,
                stock: 300,
                tags: PA,
                story: "秦岭南麓的薄皮核桃，手一捏就开。",
            },
            DemoProduct {
                zh: "陇南初榨橄榄油",
                ug: "لۇڭنەن زەيتۇن يېغى",
                en: "Longnan extra virgin olive oil",
                category: "oils-condiments",
                unit: Unit::Bottle,
                net_grams: Some(500),
                price_fen: 8800,
                stock: 90,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "徽县大红袍花椒",
                ug: "خۇيشيەن قىزىل مۇچى",
                en: "Huixian red Sichuan pepper",
                category: "oils-condiments",
                unit: Unit::Bag,
                net_grams: Some(250),
                price_fen: 3600,
                stock: 120,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "农家辣椒酱",
                ug: "دېھقانچە لازا قىيامى",
                en: "Farmhouse chili sauce",
                category: "oils-condiments",
                unit: Unit::Jar,
                net_grams: Some(300),
                price_fen: 1980,
                stock: 150,
                tags: NONE,
                story: "自家种的辣椒，自家熬的酱，还卖到过墨西哥。",
            },
        ],
    },
    DemoShop {
        owner: "saibag-seller",
        name: "赛巴格村果蔬摊",
        names: &[
            (Language::Ug, "سايباغ كەنتى مېۋە-كۆكتات دۇكىنى"),
            (Language::En, "Saibag Village Fruit Stall"),
        ],
        kind: ShopKind::Farmer,
        village: "korla-saibag",
        phone: "13909990404",
        story: "恰尔巴格乡电商运营中心的免费摊位，每天早上新鲜采摘。",
        shipping: ShippingRule::FreeOver {
            fee: Fen(1000),
            free_from: Fen(6800),
        },
        products: &[
            DemoProduct {
                zh: "赛巴格草莓",
                ug: "سايباغ بۆلجۈرگىنى",
                en: "Saibag strawberries",
                category: "fresh-produce",
                unit: Unit::Box,
                net_grams: Some(500),
                price_fen: 2500,
                stock: 30,
                tags: PA,
                story: "",
            },
            DemoProduct {
                zh: "沙地西红柿",
                ug: "قۇملۇق پەمىدۇرى",
                en: "Sandy-soil tomatoes",
                category: "fresh-produce",
                unit: Unit::Jin,
                net_grams: None,
                price_fen: 450,
                stock: 100,
                tags: PA,
                story: "",
            },
            DemoProduct {
                zh: "库尔勒香梨",
                ug: "كورلا خۇشپۇراق نەشپۈتى",
                en: "Korla fragrant pears",
                category: "fresh-produce",
                unit: Unit::Box,
                net_grams: Some(5000),
                price_fen: 6900,
                stock: 60,
                tags: NONE,
                story: "",
            },
        ],
    },
    DemoShop {
        owner: "kuqa-seller",
        name: "库车农特产展销中心",
        names: &[
            (Language::Ug, "كۇچا يەرلىك مەھسۇلات كۆرگەزمىسى"),
            (Language::En, "Kuqa Specialties Showroom"),
        ],
        kind: ShopKind::Company,
        village: "kuqa-wuqia-village",
        phone: "13909990505",
        story: "库车市电商公共服务中心建设的农特旅游纪念品展销中心，8 家合作企业，25 种产品。",
        shipping: ShippingRule::ByWeight {
            first_kg: Fen(800),
            per_extra_kg: Fen(200),
        },
        products: &[
            DemoProduct {
                zh: "库车红枣",
                ug: "كۇچا قىزىل چىلىنى",
                en: "Kuqa red dates",
                category: "dried-fruit",
                unit: Unit::Bag,
                net_grams: Some(1000),
                price_fen: 3500,
                stock: 250,
                tags: PA,
                story: "",
            },
            DemoProduct {
                zh: "库车核桃",
                ug: "كۇچا ياڭىقى",
                en: "Kuqa walnuts",
                category: "nuts",
                unit: Unit::Bag,
                net_grams: Some(1000),
                price_fen: 3200,
                stock: 180,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "库车大馕",
                ug: "كۇچا چوڭ نېنى",
                en: "Kuqa big naan",
                category: "naan-baked",
                unit: Unit::Piece,
                net_grams: None,
                price_fen: 1500,
                stock: 40,
                tags: HERITAGE,
                story: "直径半米的库车大馕，馕坑现烤。",
            },
            DemoProduct {
                zh: "桑葚干",
                ug: "ئۈجمە قېقى",
                en: "Dried mulberries",
                category: "dried-fruit",
                unit: Unit::Bag,
                net_grams: Some(250),
                price_fen: 2800,
                stock: 70,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "库车黑蜂蜂蜜",
                ug: "كۇچا قارا ھەرە ھەسىلى",
                en: "Kuqa black-bee honey",
                category: "honey",
                unit: Unit::Jar,
                net_grams: Some(500),
                price_fen: 6800,
                stock: 45,
                tags: NONE,
                story: "",
            },
        ],
    },
    DemoShop {
        owner: "gaodu-seller",
        name: "北街村农特产",
        names: &[
            (Language::Ug, "بېيجيې كەنتى يەرلىك مەھسۇلاتلىرى"),
            (Language::En, "Beijie Village Specialties"),
        ],
        kind: ShopKind::Farmer,
        village: "zezhou-beijie",
        phone: "13909990606",
        story: "晋城第一个淘宝村，从二〇一六年开始在网上卖家乡的农特产。",
        shipping: ShippingRule::Flat { fee: Fen(0) },
        products: &[
            DemoProduct {
                zh: "晋城小米",
                ug: "جىنچېڭ تېرىقى",
                en: "Jincheng millet",
                category: "grains",
                unit: Unit::Bag,
                net_grams: Some(2500),
                price_fen: 3980,
                stock: 150,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "保福村手工布老虎",
                ug: "باۋفۇ قول ھۈنەر رەخت يولۋاس",
                en: "Baofu handmade cloth tiger",
                category: "heritage",
                unit: Unit::Piece,
                net_grams: None,
                price_fen: 12800,
                stock: 20,
                tags: HERITAGE,
                story: "非遗传承人一针一线缝制。",
            },
        ],
    },
    // Goods into the countryside: what village stations buy for villagers.
    DemoShop {
        owner: "kuqa-supply",
        name: "库车市供销社惠农超市",
        names: &[
            (Language::Ug, "كۇچا تەمىنات-سېتىش دېھقانلار ماركېتى"),
            (Language::En, "Kuqa Supply Co-op Farmers' Store"),
        ],
        kind: ShopKind::Cooperative,
        village: "kuqa-wuqia-village",
        phone: "13909990707",
        story: "供销社的惠农超市：收音机、电饭锅、种子化肥，送到每个村的服务站。",
        shipping: ShippingRule::Flat { fee: Fen(0) },
        products: &[
            DemoProduct {
                zh: "插卡收音机",
                ug: "كارتا سالىدىغان رادىئو",
                en: "Card radio",
                category: "appliances",
                unit: Unit::Piece,
                net_grams: None,
                price_fen: 6800,
                stock: 200,
                tags: NONE,
                story: "能收广播，能插卡听维吾尔语、汉语歌，充一次电听一星期。",
            },
            DemoProduct {
                zh: "电饭锅 3 升",
                ug: "3 لىتىرلىق توك قازان",
                en: "Rice cooker, 3 litres",
                category: "appliances",
                unit: Unit::Piece,
                net_grams: None,
                price_fen: 15900,
                stock: 80,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "学生书包",
                ug: "ئوقۇغۇچىلار سومكىسى",
                en: "School bag",
                category: "daily-goods",
                unit: Unit::Piece,
                net_grams: None,
                price_fen: 5900,
                stock: 300,
                tags: NONE,
                story: "",
            },
            DemoProduct {
                zh: "棉花种子（包衣）",
                ug: "پاختا ئۇرۇقى",
                en: "Coated cotton seed",
                category: "farm-supplies",
                unit: Unit::Bag,
                net_grams: Some(5000),
                price_fen: 12000,
                stock: 400,
                tags: NONE,
                story: "",
            },
        ],
    },
];

impl DemoProduct {
    pub fn texts(&self) -> Vec<(Language, &'static str, &'static str)> {
        vec![
            (Language::ZhCn, self.zh, self.story),
            (Language::Ug, self.ug, ""),
            (Language::En, self.en, ""),
        ]
    }

    pub fn variant(&self) -> Option<VariantSpec> {
        let policy = if self.net_grams.is_some() || self.unit.grams().is_some() {
            PricePolicy::FollowsPackedWeight { tolerance_bp: 500 }
        } else {
            PricePolicy::Fixed
        };
        VariantSpec::new(
            self.unit,
            self.net_grams,
            Fen(self.price_fen),
            self.stock,
            policy,
        )
        .ok()
    }

    pub const STATUS: ProductStatus = ProductStatus::Listed;
}

/// How many products the demo lists.
pub fn product_count() -> usize {
    DEMO_SHOPS.iter().map(|s| s.products.len()).sum()
}
