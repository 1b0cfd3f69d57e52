//! The policy module's tables (`policy_*`), written once for SQLite and PostgreSQL with the
//! placeholders of `imis_core::migrate`.

use imis_core::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![Migration {
        name: "m20261122_000001_policy_tables",
        sql: POLICY_TABLES,
    }]
}

const POLICY_TABLES: &str = r#"
CREATE TABLE policy_policy (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    family_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    officer_id BIGINT,
    enroll_date {date} NOT NULL,
    start_date {date} NOT NULL,
    effective_date {date},
    expiry_date {date} NOT NULL,
    stage CHAR(1) NOT NULL,
    status INTEGER NOT NULL,
    previous_policy_id BIGINT,
    value BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    matched BIGINT NOT NULL,
    is_offline BOOLEAN NOT NULL DEFAULT {bool_false},
    contribution_plan_uuid {uuid},
    creation_date {date} NOT NULL,
    json_ext {json},
    {version_columns}
);
CREATE INDEX ix_policy_policy_family ON policy_policy (family_id, product_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_policy_product ON policy_policy (product_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_policy_officer ON policy_policy (officer_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_policy_expiry ON policy_policy (expiry_date) WHERE validity_to IS NULL AND status IN (1, 2, 4, 16);
CREATE INDEX ix_policy_policy_enroll ON policy_policy (enroll_date) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_policy_status ON policy_policy (status, expiry_date) WHERE validity_to IS NULL;
CREATE TABLE policy_insuree_policy (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    insuree_id BIGINT NOT NULL,
    policy_id BIGINT NOT NULL REFERENCES policy_policy (id),
    enrollment_date {date} NOT NULL,
    start_date {date} NOT NULL,
    effective_date {date},
    expiry_date {date} NOT NULL,
    is_offline BOOLEAN NOT NULL DEFAULT {bool_false},
    {version_columns}
);
CREATE INDEX ix_policy_insuree_policy_insuree ON policy_insuree_policy (insuree_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_insuree_policy_policy ON policy_insuree_policy (policy_id) WHERE validity_to IS NULL;
CREATE TABLE policy_renewal (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    renewal_prompt_date {date} NOT NULL,
    renewal_date {date} NOT NULL,
    new_officer_id BIGINT,
    phone_number VARCHAR(50),
    sms_status INTEGER NOT NULL,
    insuree_id BIGINT NOT NULL,
    policy_id BIGINT NOT NULL REFERENCES policy_policy (id),
    new_product_id BIGINT NOT NULL,
    renewal_warnings INTEGER NOT NULL,
    response_status INTEGER,
    response_date {ts},
    {version_columns}
);
CREATE UNIQUE INDEX ux_policy_renewal_policy ON policy_renewal (policy_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_renewal_officer ON policy_renewal (new_officer_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_renewal_prompt ON policy_renewal (renewal_prompt_date);
CREATE TABLE policy_renewal_detail (
    id {id},
    renewal_id BIGINT NOT NULL REFERENCES policy_renewal (id),
    insuree_id BIGINT NOT NULL,
    validity_from {ts} NOT NULL,
    validity_to {ts}
);
CREATE INDEX ix_policy_renewal_detail_renewal ON policy_renewal_detail (renewal_id);
CREATE TABLE policy_claim_usage (
    id {id},
    claim_id BIGINT NOT NULL,
    insuree_id BIGINT NOT NULL,
    target_date {date} NOT NULL,
    category CHAR(1),
    recorded_at {ts} NOT NULL
);
CREATE UNIQUE INDEX ux_policy_claim_usage_claim ON policy_claim_usage (claim_id);
CREATE INDEX ix_policy_claim_usage_insuree ON policy_claim_usage (insuree_id, target_date);
CREATE TABLE policy_claim_usage_line (
    id {id},
    usage_id BIGINT NOT NULL REFERENCES policy_claim_usage (id),
    kind CHAR(1) NOT NULL,
    medical_id BIGINT NOT NULL,
    qty BIGINT NOT NULL
);
CREATE INDEX ix_policy_claim_usage_line_usage ON policy_claim_usage_line (usage_id, kind, medical_id);
CREATE TABLE policy_consumption (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    policy_id BIGINT NOT NULL REFERENCES policy_policy (id),
    insuree_id BIGINT NOT NULL,
    claim_id BIGINT NOT NULL,
    ded_g BIGINT NOT NULL,
    ded_op BIGINT NOT NULL,
    ded_ip BIGINT NOT NULL,
    rem_g BIGINT NOT NULL,
    rem_op BIGINT NOT NULL,
    rem_ip BIGINT NOT NULL,
    rem_consult BIGINT NOT NULL,
    rem_surgery BIGINT NOT NULL,
    rem_delivery BIGINT NOT NULL,
    rem_hospitalization BIGINT NOT NULL,
    rem_antenatal BIGINT NOT NULL,
    {version_columns}
);
CREATE UNIQUE INDEX ux_policy_consumption_claim ON policy_consumption (claim_id, policy_id) WHERE validity_to IS NULL;
CREATE INDEX ix_policy_consumption_policy ON policy_consumption (policy_id) WHERE validity_to IS NULL
"#;
