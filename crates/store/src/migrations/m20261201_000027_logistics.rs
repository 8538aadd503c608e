//! The county's distribution centre (issue 16): its depots, the express companies that work
//! through them (`carriers`, each with its tracking numbers' shape) and what each agreed with a
//! depot (`carrier_agreements`: the fee per inbound parcel delivered to a village, and
//! `carrier_rates` for the county's sellers' outbound parcels by zone and weight), the parcels
//! that pass through (`logistics_parcels`, inbound or outbound, advised by the carrier's
//! manifest or first seen at the scanner) and what happened to each (`parcel_events`, one row
//! per step, the carriers' feed and the settlements read them).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000027_logistics"
    }
}

async fn index(
    manager: &SchemaManager<'_>,
    table: &str,
    name: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table.to_owned());
    for col in cols {
        index.col(Alias::new(*col));
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("depots")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("code", 64))
                    // The county whose centre runs it, and the place it stands.
                    .col(big_integer("county_id"))
                    .col(big_integer("region_id"))
                    .col(string_len("name_zh", 96))
                    .col(string_len_null("name_ug", 96))
                    .col(string_len_null("name_en", 96))
                    .col(double_null("latitude"))
                    .col(double_null("longitude"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_depots_county",
                        ("depots", "county_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_depots_region",
                        ("depots", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("carriers")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("code", 16))
                    .col(string_len("name_zh", 64))
                    .col(string_len_null("name_ug", 64))
                    .col(string_len_null("name_en", 64))
                    .col(string_len("tracking_pattern", 128))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("carrier_agreements")
                    .col(big_pk_auto("id"))
                    .col(big_integer("depot_id"))
                    .col(big_integer("carrier_id"))
                    .col(big_integer("inbound_fee_fen"))
                    .col(boolean("active").default(true))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_carrier_agreements_depot",
                        ("carrier_agreements", "depot_id"),
                        ("depots", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_carrier_agreements_carrier",
                        ("carrier_agreements", "carrier_id"),
                        ("carriers", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "carrier_agreements",
            "uq_carrier_agreements",
            &["depot_id", "carrier_id"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("carrier_rates")
                    .col(big_integer("agreement_id"))
                    .col(string_len("zone", 16))
                    .col(integer("up_to_grams"))
                    .col(big_integer("fee_fen"))
                    .primary_key(
                        Index::create()
                            .col("agreement_id")
                            .col("zone")
                            .col("up_to_grams"),
                    )
                    .foreign_key(&mut fk(
                        "fk_carrier_rates_agreement",
                        ("carrier_rates", "agreement_id"),
                        ("carrier_agreements", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("logistics_parcels")
                    .col(big_pk_auto("id"))
                    .col(big_integer("depot_id"))
                    .col(big_integer("carrier_id"))
                    .col(string_len("tracking_number", 32))
                    .col(string_len("direction", 8))
                    .col(string_len("stage", 16))
                    // The day in China's time it was scanned in, `YYYY-MM-DD`.
                    .col(string_len_null("day", 10))
                    // Where it goes: the receiver's village (inbound) and its station.
                    .col(big_integer_null("region_id"))
                    .col(big_integer_null("station_id"))
                    .col(string_len_null("receiver_name", 64))
                    .col(string_len_null("receiver_phone", 20))
                    .col(string_len_null("address", 300))
                    .col(integer_null("weight_grams"))
                    // Inbound: what the centre charges the carrier; outbound: what the seller paid.
                    .col(big_integer("fee_fen").default(0))
                    .col(big_integer_null("order_id"))
                    .col(big_integer_null("shop_id"))
                    .col(timestamp_with_time_zone_null("advised_at"))
                    .col(timestamp_with_time_zone_null("scanned_at"))
                    .col(big_integer_null("scanned_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_logistics_parcels_depot",
                        ("logistics_parcels", "depot_id"),
                        ("depots", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_logistics_parcels_carrier",
                        ("logistics_parcels", "carrier_id"),
                        ("carriers", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_logistics_parcels_station",
                        ("logistics_parcels", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_logistics_parcels_region",
                        ("logistics_parcels", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_logistics_parcels_order",
                        ("logistics_parcels", "order_id"),
                        ("orders", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "logistics_parcels",
            "uq_logistics_parcels_number",
            &["carrier_id", "tracking_number"],
            true,
        )
        .await?;
        index(
            manager,
            "logistics_parcels",
            "idx_logistics_parcels_tracking",
            &["tracking_number"],
            false,
        )
        .await?;
        index(
            manager,
            "logistics_parcels",
            "idx_logistics_parcels_waiting",
            &["depot_id", "stage", "station_id"],
            false,
        )
        .await?;
        index(
            manager,
            "logistics_parcels",
            "idx_logistics_parcels_day",
            &["depot_id", "day", "carrier_id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("parcel_events")
                    .col(big_pk_auto("id"))
                    .col(big_integer("parcel_id"))
                    // The parcel's carrier, so that its feed reads its own events in order.
                    .col(big_integer("carrier_id"))
                    .col(string_len("kind", 16))
                    .col(timestamp_with_time_zone("at"))
                    .col(big_integer_null("actor_id"))
                    .col(big_integer_null("station_id"))
                    // The id the scanning phone gave the step: sent twice, it is done once.
                    .col(string_len_null("client_id", 40))
                    .foreign_key(&mut fk(
                        "fk_parcel_events_parcel",
                        ("parcel_events", "parcel_id"),
                        ("logistics_parcels", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "parcel_events",
            "uq_parcel_events_client",
            &["client_id"],
            true,
        )
        .await?;
        index(
            manager,
            "parcel_events",
            "idx_parcel_events_parcel",
            &["parcel_id", "id"],
            false,
        )
        .await?;
        index(
            manager,
            "parcel_events",
            "idx_parcel_events_carrier",
            &["carrier_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "parcel_events",
            "logistics_parcels",
            "carrier_rates",
            "carrier_agreements",
            "carriers",
            "depots",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
