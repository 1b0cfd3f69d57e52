//! The medical module's tables (prefix `medical_`), written once for SQLite and PostgreSQL with
//! the placeholders of `imis_core::migrate`. Every exposed filter has an index; codes and names
//! are unique among current rows through partial unique indexes.

use imis_core::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![Migration {
        name: "m20261122_000001_medical_tables",
        sql: TABLES,
    }]
}

const TABLES: &str = r#"
CREATE TABLE medical_item (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    code VARCHAR(6) NOT NULL,
    name VARCHAR(100) NOT NULL,
    name_search VARCHAR(100) NOT NULL,
    item_type CHAR(1) NOT NULL,
    package VARCHAR(255),
    price BIGINT NOT NULL,
    quantity BIGINT,
    maximum_amount BIGINT,
    care_type CHAR(1) NOT NULL,
    frequency INTEGER,
    patient_category INTEGER NOT NULL,
    {version_columns}
);
CREATE UNIQUE INDEX ux_medical_item_code ON medical_item (code) WHERE validity_to IS NULL;
CREATE INDEX ix_medical_item_name ON medical_item (name_search);
CREATE INDEX ix_medical_item_type ON medical_item (item_type, code);
CREATE INDEX ix_medical_item_package ON medical_item (package);
CREATE TABLE medical_service (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    code VARCHAR(6) NOT NULL,
    name VARCHAR(100) NOT NULL,
    name_search VARCHAR(100) NOT NULL,
    service_type CHAR(1) NOT NULL,
    level CHAR(1) NOT NULL,
    category CHAR(1),
    price BIGINT NOT NULL,
    maximum_amount BIGINT,
    care_type CHAR(1) NOT NULL,
    frequency INTEGER,
    patient_category INTEGER NOT NULL,
    packagetype CHAR(1) NOT NULL,
    manual_price BOOLEAN NOT NULL DEFAULT {bool_false},
    {version_columns}
);
CREATE UNIQUE INDEX ux_medical_service_code ON medical_service (code) WHERE validity_to IS NULL;
CREATE INDEX ix_medical_service_name ON medical_service (name_search);
CREATE INDEX ix_medical_service_type ON medical_service (service_type, code);
CREATE INDEX ix_medical_service_category ON medical_service (category, code);
CREATE INDEX ix_medical_service_care_type ON medical_service (care_type, code);
CREATE INDEX ix_medical_service_packagetype ON medical_service (packagetype, code);
CREATE TABLE medical_service_content (
    id {id},
    service_id BIGINT NOT NULL REFERENCES medical_service (id),
    kind CHAR(1) NOT NULL,
    medical_id BIGINT NOT NULL,
    qty_provided INTEGER,
    price_asked BIGINT,
    status BOOLEAN NOT NULL DEFAULT {bool_true},
    created_at {ts} NOT NULL,
    {version_columns}
);
CREATE INDEX ix_medical_service_content_service ON medical_service_content (service_id, kind);
CREATE INDEX ix_medical_service_content_member ON medical_service_content (kind, medical_id);
CREATE TABLE medical_diagnosis (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    code VARCHAR(6) NOT NULL,
    name VARCHAR(255) NOT NULL,
    name_search VARCHAR(255) NOT NULL,
    {version_columns}
);
CREATE UNIQUE INDEX ux_medical_diagnosis_code ON medical_diagnosis (code) WHERE validity_to IS NULL;
CREATE INDEX ix_medical_diagnosis_name ON medical_diagnosis (name_search);
CREATE TABLE medical_pricelist (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    kind CHAR(1) NOT NULL,
    name VARCHAR(100) NOT NULL,
    name_search VARCHAR(100) NOT NULL,
    pricelist_date {date} NOT NULL,
    location_id BIGINT REFERENCES core_location (id),
    {version_columns}
);
CREATE UNIQUE INDEX ux_medical_pricelist_name ON medical_pricelist (kind, name) WHERE validity_to IS NULL;
CREATE INDEX ix_medical_pricelist_name ON medical_pricelist (kind, name_search);
CREATE INDEX ix_medical_pricelist_date ON medical_pricelist (kind, pricelist_date);
CREATE INDEX ix_medical_pricelist_location ON medical_pricelist (location_id);
CREATE TABLE medical_pricelist_detail (
    id {id},
    pricelist_id BIGINT NOT NULL REFERENCES medical_pricelist (id),
    kind CHAR(1) NOT NULL,
    medical_id BIGINT NOT NULL,
    price_overrule BIGINT,
    {version_columns}
);
CREATE UNIQUE INDEX ux_medical_pricelist_detail ON medical_pricelist_detail (pricelist_id, medical_id) WHERE validity_to IS NULL;
CREATE INDEX ix_medical_pricelist_detail_list ON medical_pricelist_detail (pricelist_id, medical_id);
CREATE INDEX ix_medical_pricelist_detail_member ON medical_pricelist_detail (kind, medical_id);
CREATE TABLE medical_hf_pricelist (
    health_facility_id BIGINT PRIMARY KEY REFERENCES core_health_facility (id),
    items_pricelist_id BIGINT REFERENCES medical_pricelist (id),
    services_pricelist_id BIGINT REFERENCES medical_pricelist (id)
);
CREATE INDEX ix_medical_hf_pricelist_items ON medical_hf_pricelist (items_pricelist_id);
CREATE INDEX ix_medical_hf_pricelist_services ON medical_hf_pricelist (services_pricelist_id);
"#;
