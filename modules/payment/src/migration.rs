//! The payment module's tables (`payment_*`), written once for SQLite and PostgreSQL with the
//! placeholders of `imis_core::migrate`. Every filter the GraphQL lists expose has an index.

use imis_core::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![
        Migration {
            name: "m20261123_000001_payment_tables",
            sql: PAYMENT_TABLES,
        },
        Migration {
            name: "m20261123_000002_payment_date_indexes",
            sql: PAYMENT_DATE_INDEXES,
        },
    ]
}

const PAYMENT_TABLES: &str = r#"
CREATE TABLE payment_payer (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    payer_type CHAR(1) NOT NULL,
    name VARCHAR(100) NOT NULL,
    name_search VARCHAR(100) NOT NULL,
    address VARCHAR(100),
    location_id BIGINT NOT NULL REFERENCES core_location (id),
    phone VARCHAR(50),
    fax VARCHAR(50),
    email VARCHAR(50),
    {version_columns}
);
CREATE INDEX ix_payment_payer_location ON payment_payer (location_id) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payer_name ON payment_payer (name_search) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payer_type ON payment_payer (payer_type) WHERE validity_to IS NULL;
CREATE TABLE payment_premium (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    policy_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    payer_id BIGINT REFERENCES payment_payer (id),
    amount BIGINT NOT NULL,
    receipt VARCHAR(50) NOT NULL,
    pay_date {date} NOT NULL,
    pay_type CHAR(1) NOT NULL,
    is_photo_fee BOOLEAN NOT NULL DEFAULT {bool_false},
    is_offline BOOLEAN NOT NULL DEFAULT {bool_false},
    reporting_id BIGINT,
    reporting_commission_id BIGINT,
    overview_commission_report {ts},
    all_details_commission_report {ts},
    source VARCHAR(50),
    source_version VARCHAR(15),
    created_date {ts} NOT NULL,
    {version_columns}
);
CREATE UNIQUE INDEX ux_payment_premium_receipt ON payment_premium (product_id, receipt) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_premium_receipt ON payment_premium (receipt) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_premium_policy ON payment_premium (policy_id) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_premium_payer ON payment_premium (payer_id) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_premium_pay_date ON payment_premium (pay_date) WHERE validity_to IS NULL;
CREATE TABLE payment_funding (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    payer_id BIGINT NOT NULL REFERENCES payment_payer (id),
    product_id BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    pay_date {date} NOT NULL,
    receipt VARCHAR(50) NOT NULL,
    status CHAR(1) NOT NULL,
    json_ext {json},
    version INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    created_by BIGINT,
    {version_columns}
);
CREATE INDEX ix_payment_funding_payer ON payment_funding (payer_id, pay_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_funding_product ON payment_funding (product_id) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_funding_pay_date ON payment_funding (pay_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_funding_receipt ON payment_funding (receipt) WHERE validity_to IS NULL;
CREATE TABLE payment_payment (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    expected_amount BIGINT,
    received_amount BIGINT,
    officer_code VARCHAR(50),
    phone_number VARCHAR(50),
    request_date {date},
    received_date {date},
    status INTEGER NOT NULL,
    transaction_no VARCHAR(50),
    origin VARCHAR(50),
    matched_date {date},
    receipt_no VARCHAR(100),
    payment_date {date},
    rejected_reason VARCHAR(255),
    date_last_sms {date},
    language_name VARCHAR(10),
    type_of_payment VARCHAR(50),
    transfer_fee BIGINT,
    reconc_req_id VARCHAR(30),
    reconciliation_date {ts},
    {version_columns}
);
CREATE INDEX ix_payment_payment_status ON payment_payment (status, received_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_received ON payment_payment (received_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_transaction ON payment_payment (transaction_no) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_receipt ON payment_payment (receipt_no) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_officer ON payment_payment (officer_code) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_reconciled ON payment_payment (reconciliation_date) WHERE validity_to IS NULL AND reconciliation_date IS NOT NULL;
CREATE TABLE payment_payment_detail (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    payment_id BIGINT NOT NULL REFERENCES payment_payment (id),
    product_code VARCHAR(8),
    insurance_number VARCHAR(50),
    policy_stage CHAR(1),
    amount BIGINT,
    premium_id BIGINT REFERENCES payment_premium (id),
    enrollment_date {date},
    expected_amount BIGINT,
    {version_columns}
);
CREATE INDEX ix_payment_payment_detail_payment ON payment_payment_detail (payment_id) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_detail_premium ON payment_payment_detail (premium_id) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_detail_insurance ON payment_payment_detail (insurance_number) WHERE validity_to IS NULL
"#;

/// The other date and phone filters of `payments`.
const PAYMENT_DATE_INDEXES: &str = r#"
CREATE INDEX ix_payment_payment_request ON payment_payment (request_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_date ON payment_payment (payment_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_matched ON payment_payment (matched_date) WHERE validity_to IS NULL;
CREATE INDEX ix_payment_payment_phone ON payment_payment (phone_number) WHERE validity_to IS NULL
"#;
