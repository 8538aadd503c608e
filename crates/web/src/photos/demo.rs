//! Pictures for the demo catalogue, drawn here (no stock photos are reachable from a county's
//! server): a still life per product, in its category's colours: a pile of walnuts or
//! apricots on a plate, a jar of honey, a bottle of oil, a naan. They go through the same
//! upload path as a seller's photos.

use image::{ImageFormat, Rgb, RgbImage};

use super::{PhotoError, PhotoFiles};
use farmgate_store::Store;

const SIDE: u32 = 600;

#[derive(Clone, Copy)]
enum Subject {
    /// Round things in a pile: nuts, fruit, dates, berries.
    Pile {
        count: usize,
        radius: f32,
    },
    Jar,
    Bottle,
    Naan,
}

struct Look {
    background: [f32; 3],
    item: [f32; 3],
    subject: Subject,
}

fn look(category: &str) -> Look {
    match category {
        "nuts" => Look {
            background: [0.93, 0.88, 0.80],
            item: [0.55, 0.36, 0.20],
            subject: Subject::Pile {
                count: 11,
                radius: 44.0,
            },
        },
        "dried-fruit" => Look {
            background: [0.97, 0.90, 0.82],
            item: [0.86, 0.45, 0.18],
            subject: Subject::Pile {
                count: 14,
                radius: 36.0,
            },
        },
        "fresh-produce" => Look {
            background: [0.90, 0.95, 0.86],
            item: [0.80, 0.20, 0.18],
            subject: Subject::Pile {
                count: 7,
                radius: 58.0,
            },
        },
        "honey" => Look {
            background: [0.98, 0.93, 0.80],
            item: [0.89, 0.60, 0.10],
            subject: Subject::Jar,
        },
        "oils-condiments" => Look {
            background: [0.92, 0.94, 0.86],
            item: [0.60, 0.63, 0.20],
            subject: Subject::Bottle,
        },
        "naan-baked" => Look {
            background: [0.95, 0.90, 0.83],
            item: [0.82, 0.60, 0.30],
            subject: Subject::Naan,
        },
        "dairy" => Look {
            background: [0.88, 0.92, 0.96],
            item: [0.96, 0.92, 0.82],
            subject: Subject::Pile {
                count: 9,
                radius: 40.0,
            },
        },
        _ => Look {
            background: [0.95, 0.88, 0.88],
            item: [0.75, 0.15, 0.15],
            subject: Subject::Pile {
                count: 5,
                radius: 60.0,
            },
        },
    }
}

/// The look of a product named `name` (Chinese) of `category`: its category's, with the
/// colours and shape of what it is, so lavender oil is a purple bottle and olive oil a green
/// one, chrysanthemum tea a heap of small yellow flowers, pears yellow-green, goji tiny and red.
fn look_for(category: &str, name: &str) -> Look {
    let mut look = look(category);
    let pile = |count, radius| Subject::Pile { count, radius };
    let kinds: &[(&str, [f32; 3], Option<Subject>)] = &[
        ("薰衣草精油", [0.55, 0.40, 0.75], Some(Subject::Bottle)),
        ("皂", [0.70, 0.58, 0.85], Some(pile(4, 70.0))),
        ("橄榄油", [0.50, 0.55, 0.12], Some(Subject::Bottle)),
        ("沙棘", [0.95, 0.55, 0.10], Some(Subject::Bottle)),
        ("花椒", [0.60, 0.12, 0.10], Some(pile(40, 12.0))),
        ("辣椒酱", [0.75, 0.12, 0.08], Some(Subject::Jar)),
        ("桑葚", [0.30, 0.08, 0.25], Some(pile(30, 16.0))),
        ("布老虎", [0.95, 0.55, 0.10], Some(pile(1, 150.0))),
        ("菊", [0.96, 0.82, 0.22], Some(pile(22, 24.0))),
        ("枸杞", [0.85, 0.12, 0.12], Some(pile(34, 14.0))),
        ("红枣", [0.55, 0.08, 0.08], Some(pile(14, 34.0))),
        ("梨", [0.84, 0.86, 0.42], Some(pile(6, 62.0))),
        ("草莓", [0.86, 0.10, 0.22], Some(pile(12, 34.0))),
        ("杏", [0.95, 0.62, 0.22], None),
        ("葡萄", [0.62, 0.50, 0.20], Some(pile(30, 16.0))),
        ("巴旦木", [0.72, 0.52, 0.32], None),
        ("蜜", [0.89, 0.60, 0.10], Some(Subject::Jar)),
        ("酥油", [0.98, 0.88, 0.45], Some(Subject::Jar)),
        ("米", [0.95, 0.85, 0.45], Some(pile(60, 10.0))),
        ("蛋", [0.93, 0.82, 0.68], Some(pile(8, 46.0))),
        ("馕", [0.82, 0.60, 0.30], Some(Subject::Naan)),
        ("包", [0.65, 0.20, 0.25], Some(pile(3, 90.0))),
        ("靠垫", [0.70, 0.15, 0.30], Some(pile(2, 120.0))),
    ];
    if let Some((_, item, subject)) = kinds.iter().find(|(key, _, _)| name.contains(key)) {
        look.item = *item;
        if let Some(subject) = subject {
            look.subject = *subject;
        }
    }
    look
}

/// A small, repeatable random sequence: the same product always gets the same picture.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 10_000) as f32 / 10_000.0
    }
}

/// Something drawn: a signed distance (negative inside) and a colour at a point.
type Shape = Box<dyn Fn(f32, f32) -> Option<(f32, [f32; 3])>>;

fn ellipse(cx: f32, cy: f32, rx: f32, ry: f32, colour: [f32; 3], shine: bool) -> Shape {
    Box::new(move |x, y| {
        let (dx, dy) = ((x - cx) / rx, (y - cy) / ry);
        let d = (dx * dx + dy * dy).sqrt();
        if d > 1.05 {
            return None;
        }
        let distance = (d - 1.0) * rx.min(ry);
        // Light from the upper left: brighter there, darker at the lower right.
        let light = if shine {
            1.0 + 0.35 * (-(dx + 0.35).powi(2) * 3.0 - (dy + 0.35).powi(2) * 3.0).exp()
                - 0.25 * (dx + dy).max(0.0)
        } else {
            1.0
        };
        Some((distance, colour.map(|c| (c * light).clamp(0.0, 1.0))))
    })
}

fn rounded_rect(x0: f32, y0: f32, x1: f32, y1: f32, r: f32, colour: [f32; 3]) -> Shape {
    Box::new(move |x, y| {
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        let (hx, hy) = ((x1 - x0) / 2.0 - r, (y1 - y0) / 2.0 - r);
        let (qx, qy) = ((x - cx).abs() - hx, (y - cy).abs() - hy);
        let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
        let distance = outside + qx.max(qy).min(0.0) - r;
        if distance > 2.0 {
            return None;
        }
        let shade = 1.0 + 0.25 * (1.0 - ((x - x0) / (x1 - x0) - 0.3).abs() * 2.0).max(0.0);
        Some((distance, colour.map(|c| (c * shade).clamp(0.0, 1.0))))
    })
}

/// A colour made darker (`by` < 1).
fn darker(c: [f32; 3], by: f32) -> [f32; 3] {
    c.map(|v| v * by)
}

fn shapes(look: &Look, dice: &mut Dice) -> Vec<Shape> {
    let s = SIDE as f32;
    let mut shapes: Vec<Shape> = Vec::new();
    // The table and the plate's shadow and rim.
    shapes.push(rounded_rect(
        -20.0,
        s * 0.70,
        s + 20.0,
        s + 40.0,
        8.0,
        darker(look.background, 0.86),
    ));
    shapes.push(ellipse(
        s * 0.5,
        s * 0.73,
        s * 0.40,
        s * 0.09,
        darker(look.background, 0.72),
        false,
    ));
    match look.subject {
        Subject::Pile { count, radius } => draw_pile(look, dice, &mut shapes, count, radius),
        Subject::Jar => draw_jar(look, &mut shapes),
        Subject::Bottle => draw_bottle(look, &mut shapes),
        Subject::Naan => draw_naan(look, &mut shapes),
    }
    shapes
}

/// The pile of a demo photo, drawn onto the plate.
fn draw_pile(look: &Look, dice: &mut Dice, shapes: &mut Vec<Shape>, count: usize, radius: f32) {
    let s = SIDE as f32;
    shapes.push(ellipse(
        s * 0.5,
        s * 0.70,
        s * 0.40,
        s * 0.10,
        [0.97, 0.97, 0.95],
        false,
    ));
    // Back to front, so the front of the pile covers the back.
    let mut items: Vec<(f32, f32, f32)> = (0..count)
        .map(|i| {
            let row = (i as f32 / 4.0).floor();
            let x = s * 0.5 + (dice.next() - 0.5) * s * (0.55 - row * 0.1);
            let y = s * 0.66 - row * radius * 0.9 + (dice.next() - 0.5) * radius * 0.5;
            let r = radius * (0.85 + dice.next() * 0.3);
            (x, y, r)
        })
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (x, y, r) in items.into_iter().rev() {
        let tint = 0.85 + dice.next() * 0.25;
        shapes.push(ellipse(
            x,
            y,
            r,
            r * 0.86,
            look.item.map(|c| c * tint),
            true,
        ));
    }
}

/// The jar of a demo photo, drawn onto the plate.
fn draw_jar(look: &Look, shapes: &mut Vec<Shape>) {
    let s = SIDE as f32;
    shapes.push(rounded_rect(
        s * 0.30,
        s * 0.28,
        s * 0.70,
        s * 0.74,
        40.0,
        look.item,
    ));
    shapes.push(rounded_rect(
        s * 0.33,
        s * 0.20,
        s * 0.67,
        s * 0.30,
        10.0,
        [0.45, 0.30, 0.18],
    ));
    shapes.push(rounded_rect(
        s * 0.36,
        s * 0.42,
        s * 0.64,
        s * 0.58,
        8.0,
        [0.98, 0.96, 0.90],
    ));
}

/// The bottle of a demo photo, drawn onto the plate.
fn draw_bottle(look: &Look, shapes: &mut Vec<Shape>) {
    let s = SIDE as f32;
    shapes.push(rounded_rect(
        s * 0.36,
        s * 0.34,
        s * 0.64,
        s * 0.74,
        30.0,
        look.item,
    ));
    shapes.push(rounded_rect(
        s * 0.45,
        s * 0.16,
        s * 0.55,
        s * 0.36,
        8.0,
        look.item,
    ));
    shapes.push(rounded_rect(
        s * 0.44,
        s * 0.12,
        s * 0.56,
        s * 0.18,
        4.0,
        [0.30, 0.22, 0.15],
    ));
    shapes.push(rounded_rect(
        s * 0.39,
        s * 0.48,
        s * 0.61,
        s * 0.62,
        8.0,
        [0.98, 0.96, 0.90],
    ));
}

/// The naan of a demo photo, drawn onto the plate.
fn draw_naan(look: &Look, shapes: &mut Vec<Shape>) {
    let s = SIDE as f32;
    shapes.push(ellipse(
        s * 0.5,
        s * 0.58,
        s * 0.36,
        s * 0.20,
        look.item,
        true,
    ));
    shapes.push(ellipse(
        s * 0.5,
        s * 0.57,
        s * 0.20,
        s * 0.10,
        darker(look.item, 1.12),
        false,
    ));
    for i in 0..12 {
        let angle = i as f32 / 12.0 * std::f32::consts::TAU;
        let (x, y) = (
            s * 0.5 + angle.cos() * s * 0.12,
            s * 0.57 + angle.sin() * s * 0.06,
        );
        shapes.push(ellipse(x, y, 5.0, 3.0, darker(look.item, 0.6), false));
    }
}

/// Draws the picture for a product of `category`; `seed` varies it between products.
pub fn draw(category: &str, seed: u64) -> Vec<u8> {
    draw_look(&look(category), seed)
}

/// Draws the picture of the product named `name` (Chinese) of `category`.
pub fn draw_product(category: &str, name: &str, seed: u64) -> Vec<u8> {
    draw_look(&look_for(category, name), seed)
}

fn draw_look(look: &Look, seed: u64) -> Vec<u8> {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let shapes = shapes(look, &mut dice);
    let s = SIDE as f32;
    let picture = RgbImage::from_fn(SIDE, SIDE, |px, py| {
        let (x, y) = (px as f32 + 0.5, py as f32 + 0.5);
        // A soft light from above.
        let glow = 1.04 - 0.10 * (y / s);
        let mut colour = look.background.map(|c| (c * glow).min(1.0));
        for shape in &shapes {
            if let Some((distance, paint)) = shape(x, y) {
                let cover = (0.5 - distance / 1.5).clamp(0.0, 1.0);
                for (c, p) in colour.iter_mut().zip(paint) {
                    *c = *c * (1.0 - cover) + p * cover;
                }
            }
        }
        Rgb(colour.map(|c| (c * 255.0).round().clamp(0.0, 255.0) as u8))
    });
    let mut png = Vec::new();
    // Writing a PNG to memory cannot fail for an RGB picture of this size.
    let _ = picture.write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png);
    png
}

/// One picture per kind of goods, `(name, category)`, drawn and stored once: the demo's many
/// small shops selling the same goods share it (photos are content-addressed, so sharing costs
/// nothing). Keyed by the name.
pub async fn goods_photos(
    files: &PhotoFiles,
    goods: &[(&str, &str)],
) -> anyhow::Result<std::collections::HashMap<String, farmgate_store::catalog::Photo>> {
    let mut photos = std::collections::HashMap::new();
    for (n, (name, category)) in goods.iter().enumerate() {
        if photos.contains_key(*name) {
            continue;
        }
        let files = files.clone();
        let (kind, category) = ((*name).to_owned(), (*category).to_owned());
        let seed = 7_000 + n as u64;
        let photo = tokio::task::spawn_blocking(move || {
            files.ingest(&draw_product(&category, &kind, seed))
        })
        .await?
        .map_err(|err: PhotoError| anyhow::anyhow!("{err}"))?;
        photos.insert((*name).to_owned(), photo);
    }
    Ok(photos)
}

/// Gives every product of the demo shops that has no photo its drawn picture (a seller's own
/// products are never touched). Returns how many were added.
pub async fn load_demo_photos(store: &Store, files: &PhotoFiles) -> anyhow::Result<u64> {
    use farmgate_domain::accounts::LoginId;
    let categories = store.categories().await?;
    let mut added = 0;
    for demo in farmgate_store::demo::catalog::DEMO_SHOPS {
        let login = LoginId::parse(demo.owner).map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(owner) = store.account_by_login(&login).await? else {
            continue;
        };
        for shop in store.shops_of_member(owner.id).await? {
            for product in store.products_of_shop(shop.id).await? {
                if !product.photos.is_empty() {
                    continue;
                }
                let category = categories
                    .iter()
                    .find(|c| c.id == product.category_id)
                    .map(|c| c.code.clone())
                    .unwrap_or_default();
                let files = files.clone();
                let seed = product.id as u64;
                let name = product
                    .texts
                    .iter()
                    .find(|t| t.language == farmgate_domain::lang::Language::ZhCn)
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                let photo = tokio::task::spawn_blocking(move || {
                    files.ingest(&draw_product(&category, &name, seed))
                })
                .await?
                .map_err(|err: PhotoError| anyhow::anyhow!("{err}"))?;
                store.add_product_photo(product.id, &photo).await?;
                added += 1;
            }
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_looks_like_what_it_is() {
        // The picture's average colour: its subject's colour shows through.
        let colour = |category: &str, name: &str| {
            let png = draw_product(category, name, 1);
            let picture = image::load_from_memory(&png).unwrap_or_else(|e| panic!("{e}"));
            let rgb = picture.to_rgb8();
            let mut sum = [0u64; 3];
            for pixel in rgb.pixels() {
                for (s, c) in sum.iter_mut().zip(pixel.0) {
                    *s += u64::from(c);
                }
            }
            sum.map(|s| s / u64::from(SIDE * SIDE))
        };
        let lavender = colour("oils-condiments", "薰衣草精油");
        let olive = colour("oils-condiments", "陇南橄榄油");
        assert_ne!(lavender, olive, "not the same bottle");
        let blueness = |c: [u64; 3]| c[2] as i64 - c[1] as i64;
        assert!(
            blueness(lavender) > blueness(olive),
            "lavender oil is the more purple: {lavender:?} {olive:?}"
        );
        let tea = look_for("fresh-produce", "野生雪菊");
        assert_eq!(
            tea.item,
            [0.96, 0.82, 0.22],
            "chrysanthemum tea: yellow flowers"
        );
        assert!(matches!(
            look_for("naan-baked", "手工馕").subject,
            Subject::Naan
        ));
    }

    #[test]
    fn every_category_gets_a_picture_of_its_own() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = PhotoFiles::new(dir.path());
        let mut hashes = Vec::new();
        for category in [
            "nuts",
            "dried-fruit",
            "honey",
            "oils-condiments",
            "naan-baked",
            "heritage",
        ] {
            let png = draw(category, 7);
            let picture = image::load_from_memory(&png).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((picture.width(), picture.height()), (SIDE, SIDE));
            // Not a blank: the subject's colours differ from the background's.
            let rgb = picture.to_rgb8();
            let corner = *rgb.get_pixel(5, 5);
            let centre = *rgb.get_pixel(SIDE / 2, SIDE * 3 / 5);
            assert_ne!(corner, centre, "{category}");
            let photo = files.ingest(&png).unwrap_or_else(|e| panic!("{e}"));
            hashes.push(photo.hash);
        }
        hashes.sort();
        hashes.dedup();
        assert_eq!(hashes.len(), 6);
        assert_eq!(
            draw("nuts", 3),
            draw("nuts", 3),
            "the same product, the same picture"
        );
    }
}
