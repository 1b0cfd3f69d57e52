//! The product module's tables (`product_*`), written once for SQLite and PostgreSQL with the
//! placeholders of `imis_core::migrate`.

use imis_core::migrate::Migration;

pub fn migrations() -> Vec<Migration> {
    vec![Migration {
        name: "m20261122_000001_product_tables",
        sql: PRODUCT_TABLES,
    }]
}

/// The covered-lines table of one kind (`product_item`, `product_service`): the same columns
/// but the reference to the item or service (`item_id`, `service_id`).
macro_rules! lines_table {
    ($kind:literal) => {
        concat!(
            r#"CREATE TABLE product_"#,
            $kind,
            r#" (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    product_id BIGINT NOT NULL REFERENCES product_product (id),
    "#,
            $kind,
            r#"_id BIGINT NOT NULL,
    price_origin CHAR(1) NOT NULL,
    limitation_type CHAR(1) NOT NULL,
    limitation_type_r CHAR(1),
    limitation_type_e CHAR(1),
    limit_adult BIGINT,
    limit_child BIGINT,
    limit_adult_r BIGINT,
    limit_child_r BIGINT,
    limit_adult_e BIGINT,
    limit_child_e BIGINT,
    limit_no_adult INTEGER,
    limit_no_child INTEGER,
    waiting_period_adult INTEGER,
    waiting_period_child INTEGER,
    ceiling_exclusion_adult CHAR(1),
    ceiling_exclusion_child CHAR(1),
    {version_columns}
);
CREATE INDEX ix_product_"#,
            $kind,
            r#"_product ON product_"#,
            $kind,
            r#" (product_id, validity_to);
CREATE INDEX ix_product_"#,
            $kind,
            r#"_"#,
            $kind,
            r#" ON product_"#,
            $kind,
            r#" ("#,
            $kind,
            r#"_id, validity_to);
"#
        )
    };
}

const PRODUCT_TABLES: &str = concat!(
    r#"
CREATE TABLE product_product (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    code VARCHAR(8) NOT NULL,
    name VARCHAR(100) NOT NULL,
    name_search VARCHAR(100) NOT NULL,
    location_id BIGINT REFERENCES core_location (id),
    date_from {date} NOT NULL,
    date_to {date} NOT NULL,
    conversion_product_id BIGINT REFERENCES product_product (id),
    insurance_period INTEGER NOT NULL,
    administration_period INTEGER,
    max_members INTEGER NOT NULL,
    max_installments INTEGER,
    threshold INTEGER,
    recurrence INTEGER,
    lump_sum BIGINT NOT NULL,
    premium_adult BIGINT,
    premium_child BIGINT,
    registration_lump_sum BIGINT,
    registration_fee BIGINT,
    general_assembly_lump_sum BIGINT,
    general_assembly_fee BIGINT,
    start_cycle_1 VARCHAR(5),
    start_cycle_2 VARCHAR(5),
    start_cycle_3 VARCHAR(5),
    start_cycle_4 VARCHAR(5),
    grace_period_enrolment INTEGER NOT NULL,
    grace_period_renewal INTEGER,
    grace_period_payment INTEGER,
    enrolment_discount_perc INTEGER,
    enrolment_discount_period INTEGER,
    renewal_discount_perc INTEGER,
    renewal_discount_period INTEGER,
    share_contribution BIGINT,
    acc_code_premiums VARCHAR(25),
    acc_code_remuneration VARCHAR(25),
    ceiling_interpretation CHAR(1),
    ceiling_type CHAR(1),
    ded_insuree BIGINT,
    ded_ip_insuree BIGINT,
    ded_op_insuree BIGINT,
    ded_treatment BIGINT,
    ded_ip_treatment BIGINT,
    ded_op_treatment BIGINT,
    ded_policy BIGINT,
    ded_ip_policy BIGINT,
    ded_op_policy BIGINT,
    max_insuree BIGINT,
    max_ip_insuree BIGINT,
    max_op_insuree BIGINT,
    max_treatment BIGINT,
    max_ip_treatment BIGINT,
    max_op_treatment BIGINT,
    max_policy BIGINT,
    max_ip_policy BIGINT,
    max_op_policy BIGINT,
    max_policy_extra_member BIGINT,
    max_policy_extra_member_ip BIGINT,
    max_policy_extra_member_op BIGINT,
    max_ceiling_policy BIGINT,
    max_ceiling_policy_ip BIGINT,
    max_ceiling_policy_op BIGINT,
    max_no_consultation INTEGER,
    max_no_surgery INTEGER,
    max_no_delivery INTEGER,
    max_no_hospitalization INTEGER,
    max_no_visits INTEGER,
    max_no_antenatal INTEGER,
    max_amount_consultation BIGINT,
    max_amount_surgery BIGINT,
    max_amount_delivery BIGINT,
    max_amount_hospitalization BIGINT,
    max_amount_antenatal BIGINT,
    period_rel_prices CHAR(1),
    period_rel_prices_ip CHAR(1),
    period_rel_prices_op CHAR(1),
    age_minimal INTEGER,
    age_maximal INTEGER,
    {version_columns}
);
CREATE UNIQUE INDEX ux_product_product_code ON product_product (code) WHERE validity_to IS NULL;
CREATE INDEX ix_product_product_name ON product_product (name_search);
CREATE INDEX ix_product_product_location ON product_product (location_id, code);
CREATE INDEX ix_product_product_date_from ON product_product (date_from, date_to);
CREATE INDEX ix_product_product_date_to ON product_product (date_to);
CREATE INDEX ix_product_product_conversion ON product_product (conversion_product_id);
CREATE INDEX ix_product_product_current ON product_product (validity_to, code);
"#,
    lines_table!("item"),
    lines_table!("service"),
    r#"CREATE TABLE product_relative_distribution (
    id {id},
    uuid {uuid} NOT NULL UNIQUE,
    product_id BIGINT NOT NULL REFERENCES product_product (id),
    care_type CHAR(1) NOT NULL,
    distr_type INTEGER NOT NULL,
    period INTEGER NOT NULL,
    percent BIGINT NOT NULL,
    {version_columns}
);
CREATE INDEX ix_product_relative_distribution_product ON product_relative_distribution (product_id, validity_to)
"#
);
