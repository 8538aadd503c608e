//! Sellers' Excel lists through the real server: template, import with a row-by-row report
//! and nothing half-imported, exports that import again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use farmgate_web::WebConfig;
use reqwest::multipart::{Form, Part};
use support::{Db, csrf_of, spawn_with};

fn sheet_rows(bytes: &[u8], index: usize) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = workbook.worksheet_range_at(index).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// A page's text without the marks that isolate numbers in messages.
async fn plain(response: reqwest::Response) -> String {
    response
        .text()
        .await
        .unwrap()
        .replace(['\u{2066}', '\u{2068}', '\u{2069}'], "")
}

fn file(bytes: Vec<u8>, name: &str) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

#[tokio::test]
async fn a_seller_lists_products_from_excel_and_gets_them_back() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let page = seller
        .get(app.url(&format!("/seller/shops/{shop_id}/products/import")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let import = |body: Form| {
        seller
            .post(app.url(&format!(
                "/seller/shops/{shop_id}/products/import?_csrf={csrf}"
            )))
            .multipart(body)
            .send()
    };

    // The template: the columns by code with their Chinese names, an example, the codes.
    let template = seller
        .get(app.url(&format!("/seller/shops/{shop_id}/products/template.xlsx")))
        .send()
        .await
        .unwrap();
    assert!(
        template.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let template = template.bytes().await.unwrap();
    let rows = sheet_rows(&template, 0);
    assert_eq!(rows[0][1], "name_zh · 中文名称（必填）");
    assert_eq!(rows[1][7], "nuts");
    let codes = sheet_rows(&template, 1);
    assert!(codes.iter().any(|r| r[1] == "huixian-fujia-village"));

    // A CSV as Chinese Excel saves it (GB18030), with two mistakes on row 3: all reported,
    // nothing imported.
    let csv = "name_zh,name_en,category,unit,net_grams,price,stock,tags\n\
               徽县核桃,Huixian walnuts,nuts,bag,1000,38.00,100,poverty_alleviation\n\
               花椒,,rice,bag,250,abc,50,\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
    let refused = import(file(gbk.into_owned(), "products.csv"))
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let report = refused.text().await.unwrap();
    assert!(
        report.contains("有 2 处要改") || report.contains("有 \u{2068}2\u{2069} 处要改"),
        "{report}"
    );
    assert!(
        report.contains("<td dir=\"ltr\">3</td><td dir=\"ltr\">category</td>"),
        "{report}"
    );
    assert!(
        report.contains("<td dir=\"ltr\">3</td><td dir=\"ltr\">price</td>"),
        "{report}"
    );
    assert!(
        app.db
            .store
            .products_of_shop(shop_id)
            .await
            .unwrap()
            .is_empty(),
        "nothing half-imported"
    );
    let not_a_sheet = import(file(b"\x00\x01binary".to_vec(), "x.xlsx"))
        .await
        .unwrap();
    assert_eq!(not_a_sheet.status(), 422);

    // Fixed, as XLSX: both products are listed, with their texts and tags.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        [
            "name_zh",
            "name_ug",
            "category",
            "unit",
            "net_grams",
            "price",
            "stock",
            "tags",
            "price_policy",
            "tolerance_percent",
        ],
        [
            "徽县核桃",
            "خۇيشيەن ياڭىقى",
            "nuts",
            "bag",
            "1000",
            "38",
            "100",
            "poverty_alleviation",
            "fixed",
            "",
        ],
        [
            "大红袍花椒",
            "",
            "oils-condiments",
            "jin",
            "",
            "45.5",
            "50",
            "",
            "follows_weight",
            "3",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *value).unwrap();
        }
    }
    let imported = import(file(workbook.save_to_buffer().unwrap(), "products.xlsx"))
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    assert!(plain(imported).await.contains("新增 2 件"));
    let products = app.db.store.products_of_shop(shop_id).await.unwrap();
    assert_eq!(products.len(), 2);
    let pepper = products
        .iter()
        .find(|p| p.texts[0].name == "大红袍花椒")
        .unwrap();
    assert_eq!(pepper.variants[0].spec.price.0, 4550);
    assert_eq!(
        pepper.variants[0].spec.price_policy,
        farmgate_domain::catalog::PricePolicy::FollowsPackedWeight { tolerance_bp: 300 }
    );

    // The export has the import's layout: it imports into another shop as it is.
    let export = seller
        .get(app.url(&format!("/seller/shops/{shop_id}/products.xlsx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let exported = sheet_rows(&export, 0);
    assert_eq!(exported.len(), 3);
    assert!(exported[0][0].starts_with("sku"), "the code comes first");

    // Export > import into the same shop changes nothing: not a product, not a unit of stock.
    let ledger = app
        .db
        .store
        .stock_movements(shop_id, None, None, 100)
        .await
        .unwrap()
        .len();
    let round_trip = import(file(export.to_vec(), "export.xlsx")).await.unwrap();
    assert_eq!(round_trip.status(), 200);
    assert!(
        plain(round_trip)
            .await
            .contains("新增 0 件，更新 0 件，2 件没有变化")
    );
    assert_eq!(
        app.db.store.products_of_shop(shop_id).await.unwrap(),
        products
    );
    let after = app
        .db
        .store
        .stock_movements(shop_id, None, None, 100)
        .await
        .unwrap();
    assert_eq!(after.len(), ledger);

    // Edited in Excel: a new price and a recount update the product with that code.
    let pepper_row = exported
        .iter()
        .position(|row| row.get(1).is_some_and(|name| name == "大红袍花椒"))
        .unwrap();
    let mut edited = exported.clone();
    edited[pepper_row][11] = "49.90".to_owned();
    edited[pepper_row][12] = "35".to_owned();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in edited.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let value = if r == 0 {
                value.split(' ').next().unwrap()
            } else {
                value
            };
            sheet.write_string(r as u32, c as u16, value).unwrap();
        }
    }
    let updated = import(file(workbook.save_to_buffer().unwrap(), "edited.xlsx"))
        .await
        .unwrap();
    assert!(plain(updated).await.contains("更新 1 件"));
    let pepper = app.db.store.product(pepper.id).await.unwrap();
    assert_eq!(pepper.variants[0].spec.price.0, 4990);
    assert_eq!(pepper.variants[0].spec.stock, 35);
    let moved = app
        .db
        .store
        .stock_movements(shop_id, Some(pepper.id), None, 1)
        .await
        .unwrap();
    assert_eq!(
        (moved[0].reason, moved[0].delta),
        (farmgate_domain::catalog::StockReason::Import, -15)
    );
    let (_, other_shop) = app
        .open_shop("jialing-peppers", "huixian-jialing-village")
        .await;
    let other = app
        .logged_in_with("jialing-peppers", "walnuts-of-huixian")
        .await;
    let other_page = other
        .get(app.url(&format!("/seller/shops/{other_shop}/products/import")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let again = other
        .post(app.url(&format!(
            "/seller/shops/{other_shop}/products/import?_csrf={}",
            csrf_of(&other_page)
        )))
        .multipart(file(export.to_vec(), "export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(
        app.db
            .store
            .products_of_shop(other_shop)
            .await
            .unwrap()
            .len(),
        2
    );
    // A shop's lists are its own.
    for path in [
        "products.xlsx",
        "orders.xlsx",
        "products/template.xlsx",
        "products/import",
    ] {
        let response = other
            .get(app.url(&format!("/seller/shops/{shop_id}/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let orders = seller
        .get(app.url(&format!("/seller/shops/{shop_id}/orders.xlsx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sheet_rows(&orders, 0)[0][0], "订单号");
    app.stop().await;
}

/// A sheet of a few kilobytes whose one far cell (the last Excel allows) declares a range of
/// 17 billion cells.
fn far_cell_sheet() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "name_zh").unwrap();
    sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn sheet_bombs_are_refused_in_the_sellers_language_without_the_memory() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let (_, shop_id) = app
        .open_shop("fujia-walnuts", "huixian-fujia-village")
        .await;
    let seller = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let url = app.url(&format!("/seller/shops/{shop_id}/products/import"));
    let csrf = csrf_of(&seller.get(&url).send().await.unwrap().text().await.unwrap());
    let bomb = far_cell_sheet();
    assert!(bomb.len() < 8 * 1024, "{} bytes", bomb.len());
    let wide_csv = format!("name_zh,{}\n", "x,".repeat(100)).into_bytes();
    for (bytes, name) in [(bomb, "bomb.xlsx"), (wide_csv, "wide.csv")] {
        let started = std::time::Instant::now();
        let answer = seller
            .post(format!("{url}?_csrf={csrf}"))
            .multipart(file(bytes, name))
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(answer.status(), 422, "{name}");
        let page = answer.text().await.unwrap();
        assert!(page.contains("表格太大"), "{name}: {page}");
        assert!(
            took < std::time::Duration::from_secs(1),
            "{name} took {took:?}"
        );
        println!("{name}: answered in {took:?}");
    }
    let peak = support::peak_rss_mb();
    println!("sheet bombs: peak resident memory {peak} MB");
    assert!(peak < 300, "peak resident memory {peak} MB");
}
