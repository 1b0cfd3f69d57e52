//! The module's tables (prefix `cm_hiv_`), written once for SQLite and PostgreSQL with the
//! placeholders of `imis_core::migrate`. Site codes and ART numbers are unique among current rows
//! (partial unique indexes), an insuree has at most one current registration, and the ART number
//! search (`artNumber_Istartswith`) reads the normalised, upper-case number through its index.

use imis_core::migrate::Migration;

pub(crate) fn migrations() -> Vec<Migration> {
    vec![Migration {
        name: "m20261207_000001_cm_hiv_tables",
        sql: TABLES,
    }]
}

const TABLES: &str = r#"
CREATE TABLE cm_hiv_facility_site (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    health_facility_id BIGINT NOT NULL REFERENCES core_health_facility (id),
    site_code VARCHAR(10) NOT NULL,
    {version_columns}
);
CREATE UNIQUE INDEX ux_cm_hiv_facility_site_code ON cm_hiv_facility_site (site_code) WHERE validity_to IS NULL;
CREATE UNIQUE INDEX ux_cm_hiv_facility_site_facility ON cm_hiv_facility_site (health_facility_id) WHERE validity_to IS NULL;
CREATE TABLE cm_hiv_art_registration (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    insuree_id BIGINT NOT NULL REFERENCES insuree_insuree (id),
    health_facility_id BIGINT NOT NULL REFERENCES core_health_facility (id),
    art_number VARCHAR(24) NOT NULL,
    {version_columns}
);
CREATE UNIQUE INDEX ux_cm_hiv_art_registration_number ON cm_hiv_art_registration (art_number) WHERE validity_to IS NULL;
CREATE UNIQUE INDEX ux_cm_hiv_art_registration_insuree ON cm_hiv_art_registration (insuree_id) WHERE validity_to IS NULL;
CREATE INDEX ix_cm_hiv_art_registration_search ON cm_hiv_art_registration (art_number, id);
CREATE INDEX ix_cm_hiv_art_registration_facility ON cm_hiv_art_registration (health_facility_id);
"#;
