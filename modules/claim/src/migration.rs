//! The module's tables (prefix `claim_`), written once for SQLite and PostgreSQL with the
//! placeholders of `imis_core::migrate`. Every filter the `claims` list exposes has an index:
//! the code (unique among current claims, and its folded form for the text filters), the
//! facility and status (a facility's desk), the insuree, each date, the review and feedback
//! statuses, the amounts, visit and care type, pre-authorization, the batch run, the
//! administrator, the restored claim, the main diagnosis with the claim date (review variance),
//! the lines by claim and by medical id (the `items`/`services` filters, frequency and provision
//! counts at submission). `jsonExt` alone has none (no index serves JSON containment on both
//! databases): it narrows what the other conditions select.

use imis_core::migrate::Migration;

pub(crate) fn migrations() -> Vec<Migration> {
    vec![
        Migration {
            name: "m20261208_000001_claim_tables",
            sql: TABLES,
        },
        Migration {
            name: "m20261208_000002_claim_attachments",
            sql: crate::entity::attachment::MIGRATION,
        },
    ]
}

const TABLES: &str = r#"
CREATE TABLE claim_claim (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    code VARCHAR(50) NOT NULL,
    code_search VARCHAR(50) NOT NULL,
    insuree_id BIGINT NOT NULL REFERENCES insuree_insuree (id),
    health_facility_id BIGINT NOT NULL REFERENCES core_health_facility (id),
    admin_id BIGINT REFERENCES core_user (id),
    date_from {date} NOT NULL,
    date_to {date},
    date_claimed {date} NOT NULL,
    date_processed {date},
    icd_id BIGINT NOT NULL REFERENCES medical_diagnosis (id),
    icd1_id BIGINT REFERENCES medical_diagnosis (id),
    icd2_id BIGINT REFERENCES medical_diagnosis (id),
    icd3_id BIGINT REFERENCES medical_diagnosis (id),
    icd4_id BIGINT REFERENCES medical_diagnosis (id),
    visit_type VARCHAR(1) NOT NULL DEFAULT 'O',
    refer_from_id BIGINT REFERENCES core_health_facility (id),
    refer_to_id BIGINT REFERENCES core_health_facility (id),
    referral_code VARCHAR(50),
    care_type VARCHAR(4),
    patient_condition VARCHAR(2),
    pre_authorization BOOLEAN NOT NULL DEFAULT {bool_false},
    guarantee_id VARCHAR(50),
    explanation TEXT,
    adjustment TEXT,
    category VARCHAR(1),
    status INTEGER NOT NULL DEFAULT 2,
    review_status INTEGER NOT NULL DEFAULT 1,
    feedback_status INTEGER NOT NULL DEFAULT 1,
    approval_status INTEGER NOT NULL DEFAULT 1,
    rejection_reason INTEGER NOT NULL DEFAULT 0,
    claimed BIGINT NOT NULL DEFAULT 0,
    approved BIGINT,
    valuated BIGINT,
    remunerated BIGINT,
    feedback_available BOOLEAN NOT NULL DEFAULT {bool_false},
    batch_run_id BIGINT,
    submit_stamp {ts},
    process_stamp {ts},
    audit_user_id_submit BIGINT,
    audit_user_id_review BIGINT,
    audit_user_id_process BIGINT,
    validity_from_review {ts},
    validity_to_review {ts},
    restore_id BIGINT REFERENCES claim_claim (id),
    json_ext {json},
    {version_columns}
);
CREATE UNIQUE INDEX ux_claim_claim_code ON claim_claim (code) WHERE validity_to IS NULL;
CREATE INDEX ix_claim_claim_code_search ON claim_claim (code_search, id);
-- A facility's desk: its current claims newest first, counted and paged from the index alone.
CREATE INDEX ix_claim_claim_facility_claimed ON claim_claim (health_facility_id, date_claimed DESC, id) WHERE validity_to IS NULL;
CREATE INDEX ix_claim_claim_facility_status ON claim_claim (health_facility_id, status, date_claimed DESC, id) WHERE validity_to IS NULL;
CREATE INDEX ix_claim_claim_insuree ON claim_claim (insuree_id, status, date_from);
CREATE INDEX ix_claim_claim_status_claimed ON claim_claim (status, date_claimed, id);
CREATE INDEX ix_claim_claim_icd_claimed ON claim_claim (icd_id, date_claimed);
CREATE INDEX ix_claim_claim_restore ON claim_claim (restore_id);
CREATE INDEX ix_claim_claim_admin ON claim_claim (admin_id);
CREATE INDEX ix_claim_claim_date_claimed ON claim_claim (date_claimed, id);
CREATE INDEX ix_claim_claim_date_from ON claim_claim (date_from);
CREATE INDEX ix_claim_claim_date_to ON claim_claim (date_to);
CREATE INDEX ix_claim_claim_date_processed ON claim_claim (date_processed);
CREATE INDEX ix_claim_claim_review_status ON claim_claim (review_status, status);
CREATE INDEX ix_claim_claim_feedback_status ON claim_claim (feedback_status, status);
CREATE INDEX ix_claim_claim_claimed ON claim_claim (claimed);
CREATE INDEX ix_claim_claim_approved ON claim_claim (approved);
CREATE INDEX ix_claim_claim_visit_type ON claim_claim (visit_type, status);
CREATE INDEX ix_claim_claim_care_type ON claim_claim (care_type, status);
CREATE INDEX ix_claim_claim_pre_authorization ON claim_claim (pre_authorization, status);
CREATE INDEX ix_claim_claim_batch_run ON claim_claim (batch_run_id);
CREATE TABLE claim_detail (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    claim_id BIGINT NOT NULL REFERENCES claim_claim (id),
    kind VARCHAR(1) NOT NULL,
    medical_id BIGINT NOT NULL,
    status INTEGER NOT NULL DEFAULT 1,
    availability BOOLEAN NOT NULL DEFAULT {bool_true},
    qty_provided BIGINT NOT NULL,
    qty_approved BIGINT,
    price_asked BIGINT NOT NULL,
    price_adjusted BIGINT,
    price_approved BIGINT,
    price_valuated BIGINT,
    remunerated_amount BIGINT,
    deductable_amount BIGINT,
    exceed_ceiling_amount BIGINT,
    exceed_ceiling_amount_category BIGINT,
    product_id BIGINT REFERENCES product_product (id),
    policy_id BIGINT REFERENCES policy_policy (id),
    price_origin VARCHAR(1),
    limitation VARCHAR(1),
    limitation_value BIGINT,
    explanation TEXT,
    justification TEXT,
    rejection_reason INTEGER,
    rejection_facts {json},
    validity_from_review {ts},
    validity_to_review {ts},
    audit_user_id_review BIGINT,
    {version_columns}
);
CREATE INDEX ix_claim_detail_claim ON claim_detail (claim_id, kind);
CREATE INDEX ix_claim_detail_medical ON claim_detail (kind, medical_id, claim_id);
CREATE TABLE claim_feedback (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    claim_id BIGINT NOT NULL REFERENCES claim_claim (id),
    care_rendered BOOLEAN,
    payment_asked BOOLEAN,
    drug_prescribed BOOLEAN,
    drug_received BOOLEAN,
    asessment INTEGER,
    officer_id BIGINT REFERENCES core_user (id),
    feedback_date {date},
    {version_columns}
);
CREATE UNIQUE INDEX ux_claim_feedback_claim ON claim_feedback (claim_id) WHERE validity_to IS NULL;
CREATE TABLE claim_feedback_prompt (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    claim_id BIGINT NOT NULL REFERENCES claim_claim (id),
    feedback_prompt_date {date} NOT NULL,
    officer_id BIGINT REFERENCES core_user (id),
    phone_number VARCHAR(50),
    sms_status INTEGER,
    {version_columns}
);
CREATE INDEX ix_claim_feedback_prompt_claim ON claim_feedback_prompt (claim_id);
"#;
