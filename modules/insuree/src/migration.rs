//! The insuree module's tables.

use imis_core::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![
        Migration {
            name: "m20261122_000001_insuree_tables",
            sql: TABLES,
        },
        Migration {
            name: "m20261208_000001_insuree_validity_order",
            sql: VALIDITY_ORDER,
        },
    ]
}

/// The front end lists families newest first (`orderBy: ["-validityFrom"]`) and offers the same
/// order on insurees: indexes in that direction, on current rows, with the id that ends every
/// order. (Orders through the head insuree read it by primary key.)
const VALIDITY_ORDER: &str = r#"
CREATE INDEX ix_insuree_family_validity_from ON insuree_family (validity_from DESC, id) WHERE validity_to IS NULL;
CREATE INDEX ix_insuree_validity_from ON insuree_insuree (validity_from DESC, id) WHERE validity_to IS NULL;
"#;

const TABLES: &str = r#"
CREATE TABLE insuree_status_reason (
    id {id},
    code VARCHAR(5) NOT NULL,
    name VARCHAR(100) NOT NULL,
    name_fr VARCHAR(100),
    status_type VARCHAR(2) NOT NULL,
    validity_from {ts} NOT NULL,
    validity_to {ts}
);
CREATE UNIQUE INDEX ux_insuree_status_reason_code ON insuree_status_reason (code) WHERE validity_to IS NULL;
INSERT INTO insuree_status_reason (code, name, name_fr, status_type, validity_from) VALUES
    ('DEATH', 'Death', 'Décès', 'DE', '2026-01-01T00:00:00+00:00'),
    ('MIGR', 'Moved away', 'Départ de la zone', 'IN', '2026-01-01T00:00:00+00:00'),
    ('DUPL', 'Duplicate registration', 'Enregistrement en double', 'IN', '2026-01-01T00:00:00+00:00'),
    ('REQ', 'On request', 'À la demande', 'IN', '2026-01-01T00:00:00+00:00'),
    ('BACK', 'Returned', 'Retour', 'AC', '2026-01-01T00:00:00+00:00');
CREATE TABLE insuree_family (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    head_insuree_id BIGINT NOT NULL,
    location_id BIGINT NOT NULL REFERENCES core_location (id),
    poverty BOOLEAN,
    family_type CHAR(1),
    address VARCHAR(200),
    is_offline BOOLEAN NOT NULL DEFAULT {bool_false},
    ethnicity CHAR(1),
    confirmation_no VARCHAR(12),
    confirmation_type CHAR(1),
    json_ext {json},
    {version_columns}
);
CREATE INDEX ix_insuree_family_location ON insuree_family (location_id, id) WHERE validity_to IS NULL;
CREATE INDEX ix_insuree_family_head ON insuree_family (head_insuree_id);
CREATE TABLE insuree_insuree (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    family_id BIGINT REFERENCES insuree_family (id),
    chf_id VARCHAR(50) NOT NULL,
    last_name VARCHAR(100) NOT NULL,
    other_names VARCHAR(100) NOT NULL,
    last_name_search VARCHAR(100) NOT NULL,
    other_names_search VARCHAR(100) NOT NULL,
    gender CHAR(1) NOT NULL,
    dob {date} NOT NULL,
    head BOOLEAN NOT NULL DEFAULT {bool_false},
    marital CHAR(1),
    passport VARCHAR(25),
    phone VARCHAR(50),
    email VARCHAR(100),
    current_address VARCHAR(200),
    geolocation VARCHAR(250),
    current_village_id BIGINT REFERENCES core_location (id),
    photo_id BIGINT,
    photo_date {date},
    card_issued BOOLEAN NOT NULL DEFAULT {bool_false},
    relationship INTEGER,
    profession INTEGER,
    education INTEGER,
    type_of_id CHAR(1),
    health_facility_id BIGINT REFERENCES core_health_facility (id),
    offline BOOLEAN NOT NULL DEFAULT {bool_false},
    status VARCHAR(2) NOT NULL,
    status_date {date},
    status_reason VARCHAR(5),
    json_ext {json},
    {version_columns}
);
CREATE UNIQUE INDEX ux_insuree_chf_id ON insuree_insuree (chf_id) WHERE validity_to IS NULL;
CREATE INDEX ix_insuree_last_name ON insuree_insuree (last_name_search, id) WHERE validity_to IS NULL;
CREATE INDEX ix_insuree_other_names ON insuree_insuree (other_names_search, id) WHERE validity_to IS NULL;
CREATE INDEX ix_insuree_family ON insuree_insuree (family_id) WHERE validity_to IS NULL;
CREATE INDEX ix_insuree_village ON insuree_insuree (current_village_id);
CREATE INDEX ix_insuree_dob ON insuree_insuree (dob, id) WHERE validity_to IS NULL;
CREATE TABLE insuree_photo (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    insuree_id BIGINT NOT NULL REFERENCES insuree_insuree (id),
    chf_id VARCHAR(50),
    folder VARCHAR(255),
    filename VARCHAR(255),
    officer_id BIGINT,
    date {date},
    {version_columns}
);
CREATE INDEX ix_insuree_photo_insuree ON insuree_photo (insuree_id);
"#;
