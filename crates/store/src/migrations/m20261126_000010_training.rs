//! Training: courses with a syllabus per day, sessions of a course at a venue or online with
//! their trainers, the people trained (with or without an account: a name and a phone are
//! enough), enrolments with a waitlist, attendance per day, certificates; the shop application
//! a trainee makes afterwards; and the keys FarmGate signs check-in codes and certificates with
//! (kept in the database so every instance and every restart signs alike).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::fk;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000010_training"
    }
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
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
                    .table("signing_keys")
                    .col(string_len("purpose", 32).primary_key())
                    .col(string_len("secret", 128))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("courses")
                    .col(big_pk_auto("id"))
                    .col(big_integer("region_id"))
                    .col(string_len("kind", 16))
                    .col(integer("days"))
                    .col(integer("min_days"))
                    .col(string_len("languages", 32))
                    .col(string_len("title_zh", 80))
                    .col(string_len_null("title_ug", 120))
                    .col(string_len_null("title_en", 120))
                    .col(text("summary_zh"))
                    .col(text_null("summary_ug"))
                    .col(text_null("summary_en"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_courses_region",
                        ("courses", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("course_days")
                    .col(big_integer("course_id"))
                    .col(integer("day"))
                    .col(text("syllabus_zh"))
                    .col(text_null("syllabus_ug"))
                    .col(text_null("syllabus_en"))
                    .primary_key(Index::create().col("course_id").col("day"))
                    .foreign_key(&mut fk(
                        "fk_course_days_course",
                        ("course_days", "course_id"),
                        ("courses", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("training_sessions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("course_id"))
                    .col(big_integer("region_id"))
                    .col(string_len("venue_kind", 16))
                    .col(string_len("venue_name", 80))
                    .col(string_len_null("online_url", 300))
                    .col(big_integer_null("live_room_id"))
                    .col(integer("capacity"))
                    .col(date("starts_on"))
                    .col(integer("days"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_training_sessions_course",
                        ("training_sessions", "course_id"),
                        ("courses", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_sessions_region",
                        ("training_sessions", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_sessions_room",
                        ("training_sessions", "live_room_id"),
                        ("live_rooms", "id"),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_training_sessions_region_start",
            "training_sessions",
            &["region_id", "starts_on"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("session_trainers")
                    .col(big_integer("session_id"))
                    .col(big_integer("account_id"))
                    .primary_key(Index::create().col("session_id").col("account_id"))
                    .foreign_key(&mut fk(
                        "fk_session_trainers_session",
                        ("session_trainers", "session_id"),
                        ("training_sessions", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_session_trainers_account",
                        ("session_trainers", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("trainees")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 64))
                    .col(string_len_null("phone", 16).unique_key())
                    .col(big_integer_null("account_id").unique_key())
                    .col(big_integer("region_id"))
                    .col(big_integer_null("station_id"))
                    .col(string_len_null("gender", 8))
                    .col(integer_null("birth_year"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_trainees_account",
                        ("trainees", "account_id"),
                        ("accounts", "id"),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_trainees_region",
                        ("trainees", "region_id"),
                        ("regions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_trainees_station",
                        ("trainees", "station_id"),
                        ("stations", "id"),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_trainees_region",
            "trainees",
            &["region_id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("enrolments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("session_id"))
                    .col(big_integer("trainee_id"))
                    .col(string_len("status", 16))
                    .col(big_integer_null("enrolled_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("promoted_at"))
                    .col(timestamp_with_time_zone_null("withdrawn_at"))
                    .foreign_key(&mut fk(
                        "fk_enrolments_session",
                        ("enrolments", "session_id"),
                        ("training_sessions", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_enrolments_trainee",
                        ("enrolments", "trainee_id"),
                        ("trainees", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_enrolments_session_trainee",
            "enrolments",
            &["session_id", "trainee_id"],
            true,
        )
        .await?;
        index(
            manager,
            "idx_enrolments_trainee",
            "enrolments",
            &["trainee_id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("attendance")
                    .col(big_integer("session_id"))
                    .col(big_integer("trainee_id"))
                    .col(integer("day"))
                    .col(string_len("method", 8))
                    .col(big_integer_null("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .primary_key(
                        Index::create()
                            .col("session_id")
                            .col("trainee_id")
                            .col("day"),
                    )
                    .foreign_key(&mut fk(
                        "fk_attendance_session",
                        ("attendance", "session_id"),
                        ("training_sessions", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_attendance_trainee",
                        ("attendance", "trainee_id"),
                        ("trainees", "id"),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("certificates")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("code", 32))
                    .col(big_integer("session_id"))
                    .col(big_integer("trainee_id"))
                    .col(timestamp_with_time_zone("issued_at"))
                    .foreign_key(&mut fk(
                        "fk_certificates_session",
                        ("certificates", "session_id"),
                        ("training_sessions", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_certificates_trainee",
                        ("certificates", "trainee_id"),
                        ("trainees", "id"),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_certificates_session_trainee",
            "certificates",
            &["session_id", "trainee_id"],
            true,
        )
        .await?;
        index(
            manager,
            "idx_certificates_trainee",
            "certificates",
            &["trainee_id"],
            false,
        )
        .await?;
        // The trainee a shop application came from (the incubation funnel). SQLite cannot add
        // a foreign key to a table that exists: kept as a plain indexed id, as orders.room_id.
        manager
            .alter_table(
                Table::alter()
                    .table("shop_applications")
                    .add_column(big_integer_null("trainee_id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_shop_applications_trainee",
            "shop_applications",
            &["trainee_id"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_shop_applications_trainee")
                    .table("shop_applications")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("shop_applications")
                    .drop_column("trainee_id")
                    .to_owned(),
            )
            .await?;
        for table in [
            "certificates",
            "attendance",
            "enrolments",
            "trainees",
            "session_trainers",
            "training_sessions",
            "course_days",
            "courses",
            "signing_keys",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
