//! The store's contract: every test here runs on SQLite, and on PostgreSQL whenever
//! `FARMGATE_TEST_POSTGRES_URL` is set (it is in CI), each on a fresh database of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use farmgate_domain::accounts::{DisplayName, LoginId};
use farmgate_domain::authz::Role;
use farmgate_domain::lang::Language;
use farmgate_domain::regions::RegionLevel;
use farmgate_store::accounts::NewAccount;
use farmgate_store::demo::DEMO_ACCOUNTS;
use farmgate_store::regions::NewRegion;
use farmgate_store::sessions::DbSessionStore;
use farmgate_store::testing::TestDb;
use farmgate_store::{Backend, Error, Store};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = farmgate_store::testing::TestDb::sqlite().await;
                super::$name(&db).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = farmgate_store::testing::TestDb::postgres().await else {
                    eprintln!("skipped: {} is not set", farmgate_store::testing::POSTGRES_URL_VAR);
                    return;
                };
                super::$name(&db).await;
                db.finish().await;
            }
        }
    )*};
}

contract!(
    migrating_twice_changes_nothing,
    a_database_from_a_newer_farmgate_is_refused,
    regions_form_a_tree_with_paths,
    region_codes_are_unique,
    demo_loading_is_idempotent,
    accounts_are_unique_by_login_and_phone,
    grants_are_scoped_and_idempotent,
    grants_within_a_subtree_stay_inside_it,
    api_tokens_open_their_account_only,
    sessions_round_trip_and_expire,
    backup_copies_sqlite_only,
    a_shop_application_is_reviewed_in_its_county,
    approving_opens_the_shop_once,
    a_rejected_applicant_sees_the_reason_and_may_apply_again,
    the_category_tree_comes_with_every_database,
    products_keep_their_languages_variants_and_origin,
    the_demo_catalogue_loads_once,
    concurrent_placements_never_oversell,
    a_replayed_key_returns_the_same_orders,
    two_intakes_on_one_database_never_oversell,
    a_basket_makes_one_order_per_shop_or_nothing,
    an_order_moves_only_along_legal_steps,
    fees_follow_the_station_or_the_shops_rule,
    a_confirmed_payment_pays_every_order_once,
    unpaid_online_orders_expire_and_return_stock,
    carts_merge_and_bound_their_lines,
    reviews_follow_completion_once_per_product,
    a_burst_with_repeats_and_refusals_is_answered_one_by_one,
    a_room_is_scheduled_goes_live_pins_and_ends,
    room_prices_hold_only_while_the_room_is_live,
    chat_keeps_messages_deletes_and_mutes,
    results_count_viewers_messages_and_room_orders,
    the_bus_reaches_viewers_of_another_instance,
    places_fill_then_the_waitlist_moves_up_in_order,
    the_camp_completes_with_four_days_and_one_certificate,
    courses_venues_and_stations_are_written_in_any_one_language,
    a_parcel_is_received_by_its_label_and_handed_over_once_against_its_code,
    the_centre_keeps_its_network_and_reads_its_health,
    an_uncollected_parcel_goes_back_after_its_days,
    the_seeds_networks_load_once_with_their_health,
    a_trainee_record_joins_an_account_only_when_the_phone_is_proven,
    the_funnel_follows_trainees_to_their_first_sales,
    an_amount_that_would_wrap_is_refused_not_wrapped,
    intake_totals_equal_big_integer_arithmetic,
    a_payment_for_cancelled_orders_is_owed_back,
    a_paid_order_cancelled_is_a_request_the_shop_answers,
    a_part_refund_is_paid_once_and_restocks_only_on_return,
    a_refused_refund_goes_to_the_centre_and_cash_is_paid_at_the_station,
    a_delivery_is_written_once_claimed_once_and_retried,
    the_demo_year_is_seasonal_walked_and_loaded_once,
    cancel_expire_and_settle_races_keep_the_money_straight,
    the_audit_log_is_read_by_region_and_never_rewritten,
    a_product_is_edited_repriced_and_retired_without_touching_old_orders,
    the_ledger_accounts_for_every_unit,
    a_count_and_orders_racing_never_leave_negative_stock,
    a_shops_orders_narrow_by_kind_place_date_and_search,
    a_notice_is_written_once_and_read_by_its_reader_only,
    the_intake_tells_each_shop_of_its_new_orders,
    parcels_wait_at_stations_and_on_the_road_within_their_region,
    an_applicant_has_one_application_waiting_at_a_time,
    a_villagers_order_is_paid_once_collected_with_the_slips_code_and_claimed_by_the_phone,
    the_ledgers_totals_are_its_movements_and_a_day_closes_once,
    produce_is_priced_stocked_earned_as_it_sells_and_paid_once,
    a_stations_health_flags_cash_kept_and_days_left_open,
    a_parcel_is_scanned_in_once_and_sorted_to_its_villages_station,
    a_carriers_terms_are_kept_with_their_rates,
    a_run_carries_its_stations_parcels_and_each_stop_is_proven,
    the_months_settlement_equals_its_parcels_events,
    concurrent_scans_take_each_parcel_in_once,
    a_sellers_parcel_takes_the_cheapest_number_and_walks_to_the_van,
    months_of_history_load_once_and_add_up,
    a_fleet_is_kept_changed_paused_and_removed,
    a_days_jobs_are_planned_and_the_plan_is_kept,
    a_road_table_is_replaced_whole_and_read_back,
    a_selling_run_moves_stock_and_credits_its_income_once,
    a_household_is_registered_with_its_members_sealed,
    a_poverty_lines_settings_are_kept_and_the_latest_counts,
    a_households_income_comes_from_what_earns_for_it,
    stall_bookings_never_share_a_day_and_the_waiting_list_moves_up,
    stall_takings_count_in_the_household_income_once,
    a_stall_holder_records_their_own_takings,
    a_park_unit_has_one_tenant_at_a_time_rent_free_at_first,
    a_park_tenants_rent_is_received_once_a_month,
    rollups_equal_a_rebuild_after_random_orders,
    the_taobao_village_rule_holds_at_its_edges,
    active_shops_follow_their_rule_at_its_edges,
    a_transfer_never_makes_or_loses_stock,
    online_sales_and_transfers_never_take_a_place_below_zero,
    till_and_online_sales_never_take_a_place_below_zero,
    goods_brought_back_at_the_till_return_to_the_shelf_and_the_drawer,
    a_till_sale_is_kept_once_and_the_session_closes_with_its_cash,
    sales_counts_follow_the_orders,
);

#[path = "contract/households.rs"]
mod households;
#[path = "contract/stalls.rs"]
mod stalls;
use households::{
    a_household_is_registered_with_its_members_sealed,
    a_poverty_lines_settings_are_kept_and_the_latest_counts,
};
use stalls::{
    a_park_tenants_rent_is_received_once_a_month,
    a_park_unit_has_one_tenant_at_a_time_rent_free_at_first,
    a_stall_holder_records_their_own_takings,
    stall_bookings_never_share_a_day_and_the_waiting_list_moves_up,
    stall_takings_count_in_the_household_income_once,
};

#[path = "contract/household_income.rs"]
mod household_income;
use household_income::a_households_income_comes_from_what_earns_for_it;

#[path = "contract/stats.rs"]
mod stats;
use stats::rollups_equal_a_rebuild_after_random_orders;

#[path = "contract/taobao.rs"]
mod taobao;
use taobao::{
    active_shops_follow_their_rule_at_its_edges, the_taobao_village_rule_holds_at_its_edges,
};

#[path = "contract/places.rs"]
mod places;
use places::{
    a_transfer_never_makes_or_loses_stock,
    online_sales_and_transfers_never_take_a_place_below_zero,
    till_and_online_sales_never_take_a_place_below_zero,
};
#[path = "contract/till_sessions.rs"]
mod till_sessions;
use till_sessions::{
    a_till_sale_is_kept_once_and_the_session_closes_with_its_cash,
    goods_brought_back_at_the_till_return_to_the_shelf_and_the_drawer,
};
#[path = "contract/sales_counts.rs"]
mod sales_counts;
use sales_counts::sales_counts_follow_the_orders;

#[path = "contract/fleet.rs"]
mod fleet;
#[path = "contract/fleet_selling.rs"]
mod fleet_selling;
use fleet::{
    a_days_jobs_are_planned_and_the_plan_is_kept, a_fleet_is_kept_changed_paused_and_removed,
    a_road_table_is_replaced_whole_and_read_back,
};
use fleet_selling::a_selling_run_moves_stock_and_credits_its_income_once;

#[path = "contract/logistics.rs"]
mod logistics;
use logistics::{
    a_carriers_terms_are_kept_with_their_rates,
    a_parcel_is_scanned_in_once_and_sorted_to_its_villages_station,
    a_run_carries_its_stations_parcels_and_each_stop_is_proven,
    a_sellers_parcel_takes_the_cheapest_number_and_walks_to_the_van,
    concurrent_scans_take_each_parcel_in_once, months_of_history_load_once_and_add_up,
    the_months_settlement_equals_its_parcels_events,
};

#[path = "contract/foundation.rs"]
mod foundation;
use foundation::*;

#[path = "contract/shops.rs"]
mod shops;
use shops::*;

#[path = "contract/catalog.rs"]
mod catalog;
use catalog::*;

#[path = "contract/orders.rs"]
mod orders;
use orders::*;

#[path = "contract/audit.rs"]
mod audit;
use audit::the_audit_log_is_read_by_region_and_never_rewritten;

#[path = "contract/live.rs"]
mod live;
use live::{
    a_room_is_scheduled_goes_live_pins_and_ends, chat_keeps_messages_deletes_and_mutes,
    results_count_viewers_messages_and_room_orders, room_prices_hold_only_while_the_room_is_live,
    the_bus_reaches_viewers_of_another_instance,
};

#[path = "contract/money.rs"]
mod money;
use money::{
    an_amount_that_would_wrap_is_refused_not_wrapped, intake_totals_equal_big_integer_arithmetic,
};

#[path = "contract/refunds.rs"]
mod refunds;
use refunds::{
    a_paid_order_cancelled_is_a_request_the_shop_answers,
    a_payment_for_cancelled_orders_is_owed_back,
    cancel_expire_and_settle_races_keep_the_money_straight,
};

#[path = "contract/refund_requests.rs"]
mod refund_requests;
use refund_requests::{
    a_part_refund_is_paid_once_and_restocks_only_on_return,
    a_refused_refund_goes_to_the_centre_and_cash_is_paid_at_the_station,
};

#[path = "contract/demo_life.rs"]
mod demo_life;
use demo_life::the_demo_year_is_seasonal_walked_and_loaded_once;

#[path = "contract/webhooks.rs"]
mod webhooks;
use webhooks::a_delivery_is_written_once_claimed_once_and_retried;

#[path = "contract/upkeep.rs"]
mod upkeep;
use upkeep::{
    a_count_and_orders_racing_never_leave_negative_stock,
    a_product_is_edited_repriced_and_retired_without_touching_old_orders,
    a_shops_orders_narrow_by_kind_place_date_and_search, the_ledger_accounts_for_every_unit,
};

#[path = "contract/notices.rs"]
mod notices;
use notices::{
    a_notice_is_written_once_and_read_by_its_reader_only,
    the_intake_tells_each_shop_of_its_new_orders,
};

#[path = "contract/stations.rs"]
mod stations;
use stations::{
    a_parcel_is_received_by_its_label_and_handed_over_once_against_its_code,
    an_uncollected_parcel_goes_back_after_its_days,
    the_centre_keeps_its_network_and_reads_its_health,
    the_seeds_networks_load_once_with_their_health,
};

#[path = "contract/produce.rs"]
mod produce;
use produce::produce_is_priced_stocked_earned_as_it_sells_and_paid_once;

#[path = "contract/till.rs"]
mod till;
use till::{
    a_stations_health_flags_cash_kept_and_days_left_open,
    a_villagers_order_is_paid_once_collected_with_the_slips_code_and_claimed_by_the_phone,
    the_ledgers_totals_are_its_movements_and_a_day_closes_once,
};

#[path = "contract/training.rs"]
mod training;
use training::{
    a_trainee_record_joins_an_account_only_when_the_phone_is_proven,
    courses_venues_and_stations_are_written_in_any_one_language,
    places_fill_then_the_waitlist_moves_up_in_order,
    the_camp_completes_with_four_days_and_one_certificate,
    the_funnel_follows_trainees_to_their_first_sales,
};

async fn seed_demo(store: &Store) {
    store.load_demo_regions(&|| {}).await.unwrap();
    store
        .load_demo_accounts("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
        .await
        .unwrap();
    store.load_demo_stations().await.unwrap();
    let first = store.station(TEKES_CENTRE).await.unwrap();
    assert_eq!(
        (first.code.as_str(), first.pickup_fee.0),
        ("tekes-centre", 0)
    );
}

/// The first demo station on a fresh database: Tekes' centre, which charges no pickup fee.
const TEKES_CENTRE: i64 = 1;

fn new_account(login: &str) -> NewAccount {
    NewAccount {
        login: LoginId::parse(login).unwrap(),
        display_name: DisplayName::parse("测试用户").unwrap(),
        password_hash: "hash".to_owned(),
        language: Language::Ug,
    }
}

async fn apply(
    store: &Store,
    login: &str,
    village: &str,
) -> farmgate_store::shops::ShopApplication {
    use farmgate_domain::accounts::PhoneNumber;
    use farmgate_domain::shops::{ShopKind, ShopName};
    let applicant = match store
        .account_by_login(&LoginId::parse(login).unwrap())
        .await
        .unwrap()
    {
        Some(account) => account,
        None => store.create_account(new_account(login)).await.unwrap(),
    };
    let village = store.region_by_code(village).await.unwrap();
    store
        .submit_shop_application(farmgate_store::shops::NewShopApplication {
            applicant_id: applicant.id,
            name: ShopName::parse("琼库什台杏干").unwrap(),
            kind: ShopKind::Farmer,
            village_id: village.id,
            phone: PhoneNumber::parse("13912345678").unwrap(),
            story: "山里晒的杏干".to_owned(),
            trainee_id: None,
        })
        .await
        .unwrap()
}

async fn open_shop(store: &Store, login: &str, village: &str) -> farmgate_store::shops::Shop {
    use farmgate_store::shops::Decision;
    let application = apply(store, login, village).await;
    let staff = store
        .account_by_login(&LoginId::parse("admin").unwrap())
        .await
        .unwrap()
        .unwrap();
    let approved = store
        .decide_shop_application(application.id, staff.id, Decision::Approve)
        .await
        .unwrap();
    store.shop(approved.shop_id.unwrap()).await.unwrap()
}

/// A listed product of `shop_id` with one variant of `stock` units at ¥38.00; returns the variant id.
async fn stocked_variant(
    store: &Store,
    shop_id: i64,
    stock: i64,
    status: farmgate_domain::catalog::ProductStatus,
) -> i64 {
    use farmgate_domain::catalog::{PricePolicy, Unit, VariantSpec};
    use farmgate_domain::money::Fen;
    use farmgate_store::catalog::{NewProduct, ProductDetails, ProductText};
    let nuts = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == "nuts")
        .unwrap();
    let shop = store.shop(shop_id).await.unwrap();
    let product = store
        .create_product(NewProduct {
            shop_id,
            status,
            variants: vec![
                VariantSpec::new(Unit::Bag, Some(1000), Fen(3800), stock, PricePolicy::Fixed)
                    .unwrap(),
            ],
            details: ProductDetails {
                category_id: nuts.id,
                origin_id: shop.village_id,
                organic_certificate: None,
                tags: vec![],
                texts: vec![ProductText {
                    language: Language::ZhCn,
                    name: "徽县核桃".to_owned(),
                    story: String::new(),
                }],
                code: None,
            },
        })
        .await
        .unwrap();
    product.variants[0].id
}

fn placement(buyer_id: i64, key: &str, lines: &[(i64, i64)]) -> farmgate_store::orders::PlaceOrder {
    use farmgate_domain::orders::{Basket, IdempotencyKey, PaymentMethod};
    farmgate_store::orders::PlaceOrder {
        buyer_id,
        key: IdempotencyKey::parse(key).unwrap(),
        basket: Basket::parse(lines).unwrap(),
        delivery: farmgate_store::orders::Delivery::Pickup {
            station_id: TEKES_CENTRE,
        },
        payment: PaymentMethod::Cash,
        provider: "cash".to_owned(),
        pay_within: chrono::Duration::minutes(30),
        room_id: None,
    }
}

async fn buyers(store: &Store, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in 0..count {
        ids.push(
            store
                .create_account(new_account(&format!("buyer-{n}")))
                .await
                .unwrap()
                .id,
        );
    }
    ids
}
