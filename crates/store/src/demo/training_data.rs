//! What the demo's training is made of: the courses of the seeds' counties, with a syllabus
//! per day in three languages, and the names trainees get (Kazakh and Uyghur names as written
//! in Chinese, and Han names: Tekes is a Kazakh autonomous county).

use farmgate_domain::training::CourseKind;
use rand::Rng;
use rand::rngs::StdRng;

/// A course of the demo: (kind, days, title and summary zh/ug/en, syllabus per day zh/ug/en).
pub(super) struct DemoCourse {
    pub county: &'static str,
    pub kind: CourseKind,
    pub title: [&'static str; 3],
    pub summary: [&'static str; 3],
    pub days: &'static [[&'static str; 3]],
}

pub(super) const COURSES: &[DemoCourse] = &[
    DemoCourse {
        county: "tekes",
        kind: CourseKind::Basics,
        title: [
            "电子商务基础课",
            "تور سودا ئاساسى دەرسى",
            "E-commerce basics",
        ],
        summary: [
            "中心二楼免费授课：认识网购和网店，学会用手机收款、发货、查物流。",
            "مەركەزنىڭ ئىككىنچى قەۋىتىدە ھەقسىز دەرس: تور سودىسى ۋە تور دۇكىنىنى تونۇش، يانفون بىلەن پۇل تاپشۇرۇۋېلىش، مال ئەۋەتىش ۋە يوللانمىنى تەكشۈرۈشنى ئۆگىنىش.",
            "Free classes on the centre's second floor: what online shopping and online shops are, and how to take payment, send parcels and track them on a phone.",
        ],
        days: &[[
            "认识电商：网店、直播和快递怎么把特克斯的蜂蜜卖到全国",
            "تور سودىنى تونۇش: تېكەسنىڭ ھەسىلىنى پۈتۈن مەملىكەتكە قانداق ساتىمىز",
            "What e-commerce is: how shops, livestreams and parcels sell Tekes honey nationwide",
        ]],
    },
    DemoCourse {
        county: "tekes",
        kind: CourseKind::Camp,
        title: [
            "电商创业五日训练营",
            "تور سودا بەش كۈنلۈك لاگېرى",
            "Five-day e-commerce camp",
        ],
        summary: [
            "五天学会在电商平台开网店、做直播推广，结业后中心帮你开店。",
            "بەش كۈندە تور سودا سۇپىسىدا دۇكان ئېچىش ۋە نەق مەيدان سېتىشنى ئۆگىنىسىز؛ ئوقۇش پۈتتۈرگەندىن كېيىن مەركەز دۇكان ئېچىشىڭىزغا ياردەم بېرىدۇ.",
            "In five days, learn to open an online shop and sell by livestream; after graduating, the centre helps you open your shop.",
        ],
        days: &[
            [
                "开网店：注册、认证和店铺装修",
                "تور دۇكان ئېچىش: تىزىملىتىش ۋە دۇكان بېزەش",
                "Opening a shop: registration and set-up",
            ],
            [
                "拍好产品照片，写好产品故事",
                "مەھسۇلات سۈرىتى تارتىش ۋە ھېكايە يېزىش",
                "Product photos and stories",
            ],
            [
                "定价、包装和发快递",
                "باھا، ئورام ۋە يوللاش",
                "Pricing, packing and shipping",
            ],
            [
                "直播带货：话术、灯光和互动",
                "نەق مەيدان سېتىش: سۆز، يورۇقلۇق ۋە ئالاقە",
                "Selling live: words, light and chat",
            ],
            [
                "第一次直播实操和开店申请",
                "تۇنجى نەق مەيدان ۋە دۇكان ئىلتىماسى",
                "A first livestream and the shop application",
            ],
        ],
    },
    DemoCourse {
        county: "tekes",
        kind: CourseKind::Skills,
        title: [
            "农产品包装和摄影",
            "يېزا مەھسۇلاتلىرىنى ئوراش ۋە سۈرەتكە ئېلىش",
            "Packing and photographing produce",
        ],
        summary: [
            "蜂蜜、奶疙瘩、薰衣草怎么包装不破损，怎么用手机拍出好照片。",
            "ھەسەل، قۇرۇت ۋە لاۋاندىنى بۇزۇلماي ئوراش، يانفوندا چىرايلىق رەسىم تارتىش.",
            "How to pack honey, milk curd and lavender so nothing breaks, and how to take good photos with a phone.",
        ],
        days: &[[
            "包装实操和手机摄影",
            "ئوراش ۋە يانفوندا سۈرەت تارتىش مەشىقى",
            "Packing practice and phone photography",
        ]],
    },
    DemoCourse {
        county: "tekes",
        kind: CourseKind::Hosting,
        title: [
            "直播主播培训",
            "نەق مەيدان رىياسەتچىلىرى تەربىيەسى",
            "Livestream hosting",
        ],
        summary: [
            "两天学会做一场直播：选品、脚本、镜头前怎么说。",
            "ئىككى كۈندە بىر قېتىملىق نەق مەيدان سېتىشنى ئۆگىنىش: مال تاللاش، سىنارىيە، كامېرا ئالدىدا قانداق سۆزلەش.",
            "In two days, learn to run a livestream: choosing goods, a script, and what to say on camera.",
        ],
        days: &[
            [
                "选品和直播脚本",
                "مەھسۇلات تاللاش ۋە سىنارىيە",
                "Choosing products and a script",
            ],
            ["镜头前实战", "كامېرا ئالدىدا مەشىق", "Practice on camera"],
        ],
    },
    DemoCourse {
        county: "korla",
        kind: CourseKind::Skills,
        title: [
            "香梨分拣、包装和销售",
            "خۇشبۇي نەشپۈت تاللاش، ئوراش ۋە سېتىش",
            "Sorting, packing and selling fragrant pears",
        ],
        summary: [
            "在培训点学香梨分级分拣、装箱和网上销售。",
            "تەربىيەلەش نۇقتىسىدا خۇش پۇراق نەشپۈتنى دەرىجىگە ئايرىش، قاچىلاش ۋە توردا سېتىشنى ئۆگىنىش.",
            "At the training point, learn to grade, sort and box fragrant pears and sell them online.",
        ],
        days: &[[
            "分级、装箱和网上销售",
            "دەرىجە ئايرىش، قاپلاش ۋە توردا سېتىش",
            "Grading, boxing and selling online",
        ]],
    },
    DemoCourse {
        county: "zezhou",
        kind: CourseKind::Hosting,
        title: [
            "高都直播基地主播训练",
            "گاۋدۇ نەق مەيدان بازىسى رىياسەتچىلىرى",
            "Hosting at the Gaodu livestream base",
        ],
        summary: [
            "在高都镇直播基地三天学直播，卖黄梨、小米和老陈醋。",
            "گاۋدۇ بازىرىدىكى نەق مەيدان بازىسىدا ئۈچ كۈن نەق مەيدان سېتىشنى ئۆگىنىپ، سېرىق نەشپۈت، تېرىق ۋە كونا سىركە سېتىش.",
            "Three days at Gaodu's livestream base learning to sell yellow pears, millet and aged vinegar by livestream.",
        ],
        days: &[
            [
                "直播间搭建",
                "نەق مەيدان ئۆيىنى قۇرۇش",
                "Setting up a live room",
            ],
            ["话术和互动", "سۆز ۋە ئالاقە", "Words and chat"],
            ["实战直播", "ئەمەلىي نەق مەيدان", "A real livestream"],
        ],
    },
];

const SURNAMES_HAN: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "马", "赵", "周", "吴"];
const GIVEN_HAN: &[&str] = &[
    "秀英", "建国", "桂兰", "海燕", "志强", "丽娟", "春梅", "国庆", "玉兰", "红霞",
];
/// Kazakh and Uyghur names as written in Chinese (Tekes is a Kazakh autonomous county).
const NAMES_LOCAL: &[&str] = &[
    "阿依古丽",
    "古丽娜尔",
    "努尔兰",
    "叶尔兰",
    "阿依达娜",
    "别克",
    "加娜尔",
    "木拉提",
    "阿曼古丽",
    "热娜",
    "巴合提",
    "玛依拉",
    "沙吾列",
    "吐尔逊",
    "阿斯哈尔",
    "古丽米拉",
    "达吾列提",
    "哈力木",
    "帕提曼",
    "米热古丽",
];
const FATHERS_LOCAL: &[&str] = &[
    "·别克",
    "·努尔",
    "·买买提",
    "·吐尔洪",
    "·哈山",
    "·沙比提",
    "·艾力",
    "·托合提",
];

pub(super) fn person_name(rng: &mut StdRng) -> String {
    if rng.random_bool(0.65) {
        format!(
            "{}{}",
            NAMES_LOCAL[rng.random_range(0..NAMES_LOCAL.len())],
            FATHERS_LOCAL[rng.random_range(0..FATHERS_LOCAL.len())]
        )
    } else {
        format!(
            "{}{}",
            SURNAMES_HAN[rng.random_range(0..SURNAMES_HAN.len())],
            GIVEN_HAN[rng.random_range(0..GIVEN_HAN.len())]
        )
    }
}
