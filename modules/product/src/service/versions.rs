//! The version of a product in force on a date (D12) and sellability (D14): what policies and
//! payments compute with (through `crate::api`).

use super::*;

/// A product as it was in force at some time, with the lines of that version.
#[derive(Debug, Clone)]
pub struct ProductVersion {
    /// The version, with the current row's id (`product.id`), its validity interval and user.
    pub product: product::Model,
    /// Kernel history key of the version; None when it is the product's own row.
    pub history_id: Option<i64>,
    pub items: Vec<ProductLine>,
    pub services: Vec<ProductLine>,
    pub relative_distributions: Vec<relative_distribution::Model>,
}

/// The first instant after the calendar day `date` in the clock's zone.
pub(crate) fn end_of_day(clock: &Clock, date: NaiveDate) -> DateTime<Utc> {
    let next = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    clock
        .tz
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| next.and_utc())
}

/// The version of product `product_id` (a current product id) in force on `date` (D12: "the
/// product version used is the one in force on the enrolment date"). A version is in force on a
/// date when its validity interval contains the end of that day (D7, D11). A date before the
/// product was first recorded gives its first version (as openIMIS, which also accepts
/// `dateFrom ≤ date`); a date after its deletion gives None, as does an unknown id.
pub async fn product_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<Option<ProductVersion>> {
    version_in_force(conn, clock, product_id, date, true).await
}

/// [`product_in_force`] without the lines: the product row of the version in force on `date`.
pub async fn product_model_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
) -> AppResult<Option<product::Model>> {
    Ok(version_in_force(conn, clock, product_id, date, false)
        .await?
        .map(|v| v.product))
}

pub(crate) async fn version_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    date: NaiveDate,
    with_lines: bool,
) -> AppResult<Option<ProductVersion>> {
    let Some(current) = product::Entity::find_by_id(product_id).one(conn).await? else {
        return Ok(None);
    };
    let t = end_of_day(clock, date) - chrono::Duration::microseconds(1);
    // The usual case (the current version is in force) needs no history read.
    let versions = if valid_at(current.validity_from, current.validity_to, Some(t)) {
        vec![]
    } else {
        imis_core::history::versions::<product::Model>(conn, HISTORY_ENTITY, &[product_id]).await?
    };
    let chosen = choose_version(&current, &versions, t);
    let Some((model, history_id)) = chosen else {
        return Ok(None);
    };
    if !with_lines {
        return Ok(Some(ProductVersion {
            product: model,
            history_id,
            items: vec![],
            services: vec![],
            relative_distributions: vec![],
        }));
    }
    let at = Some(model.validity_from);
    let items = lines_of(conn, LineKind::Item, &[product_id], true)
        .await?
        .remove(&product_id)
        .unwrap_or_default();
    let services = lines_of(conn, LineKind::Service, &[product_id], true)
        .await?
        .remove(&product_id)
        .unwrap_or_default();
    let dists = relative_distributions_of(conn, &[product_id], true)
        .await?
        .remove(&product_id)
        .unwrap_or_default();
    Ok(Some(ProductVersion {
        items: lines_valid_at(&items, at),
        services: lines_valid_at(&services, at),
        relative_distributions: dists
            .into_iter()
            .filter(|d| valid_at(d.validity_from, d.validity_to, at))
            .collect(),
        product: model,
        history_id,
    }))
}

/// The version of a product valid at instant `t`, among its current row and its history
/// `versions` (ordered by validity start): see [`product_in_force`].
pub(crate) fn choose_version(
    current: &product::Model,
    versions: &[imis_core::history::Version<product::Model>],
    t: DateTime<Utc>,
) -> Option<(product::Model, Option<i64>)> {
    let restore = |v: &imis_core::history::Version<product::Model>| {
        let mut m = v.data.clone();
        imis_core::history::Versioned::restore(
            &mut m,
            current.id,
            v.validity_from,
            v.validity_to,
            v.audit_user_id,
        );
        (m, Some(v.history_id))
    };
    if valid_at(current.validity_from, current.validity_to, Some(t)) {
        return Some((current.clone(), None));
    }
    if let Some(v) = versions
        .iter()
        .rev()
        .find(|v| valid_at(v.validity_from, Some(v.validity_to), Some(t)))
    {
        return Some(restore(v));
    }
    // Before the first version: the oldest one.
    let first = versions.first();
    let first_from = first
        .map(|v| v.validity_from)
        .unwrap_or(current.validity_from);
    if t < first_from {
        Some(match first {
            Some(v) => restore(v),
            None => (current.clone(), None),
        })
    } else {
        None
    }
}

/// [`product_model_in_force`] for many (product, date) pairs in two queries (current rows, then
/// the history of those whose current version is not in force on its date).
pub async fn product_models_in_force(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    wanted: &[(i64, NaiveDate)],
) -> AppResult<HashMap<(i64, NaiveDate), product::Model>> {
    let mut ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let current = products_by_ids(conn, &ids).await?;
    let at = |d: NaiveDate| end_of_day(clock, d) - chrono::Duration::microseconds(1);
    let mut need_history: Vec<i64> = wanted
        .iter()
        .filter(|(id, d)| {
            current
                .get(id)
                .is_some_and(|c| !valid_at(c.validity_from, c.validity_to, Some(at(*d))))
        })
        .map(|w| w.0)
        .collect();
    need_history.sort_unstable();
    need_history.dedup();
    let mut versions: HashMap<i64, Vec<imis_core::history::Version<product::Model>>> =
        HashMap::new();
    for v in
        imis_core::history::versions::<product::Model>(conn, HISTORY_ENTITY, &need_history).await?
    {
        versions.entry(v.entity_id).or_default().push(v);
    }
    let mut out = HashMap::new();
    for (id, d) in wanted {
        let Some(c) = current.get(id) else { continue };
        let vs = versions.get(id).map(Vec::as_slice).unwrap_or(&[]);
        if let Some((m, _)) = choose_version(c, vs, at(*d)) {
            out.insert((*id, *d), m);
        }
    }
    Ok(out)
}

/// Whether `product` may be sold to a family whose district and its ancestors are
/// `family_locations`, on `date` (D14): national or located at one of those locations, and
/// `dateFrom ≤ date ≤ dateTo`.
pub fn sellable(product: &product::Model, family_locations: &[i64], date: NaiveDate) -> bool {
    sellable_at(
        product.location_id,
        product.date_from,
        product.date_to,
        family_locations,
        date,
    )
}

/// [`sellable`] on the fields it reads (shared with the API's `ProductTerms`).
pub(crate) fn sellable_at(
    location_id: Option<i64>,
    date_from: NaiveDate,
    date_to: NaiveDate,
    family_locations: &[i64],
    date: NaiveDate,
) -> bool {
    let located = location_id.is_none_or(|l| family_locations.contains(&l));
    located && date_from <= date && date <= date_to
}

/// [`sellable`] for the version of `product_id` in force on `date` ([`product_in_force`]).
/// `family_locations` = the family's district and all its ancestors.
pub async fn is_sellable(
    conn: &impl ConnectionTrait,
    clock: &Clock,
    product_id: i64,
    family_locations: &[i64],
    date: NaiveDate,
) -> AppResult<bool> {
    Ok(product_in_force(conn, clock, product_id, date)
        .await?
        .is_some_and(|v| sellable(&v.product, family_locations, date)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_cycles() {
        assert_eq!(parse_start_cycle("1-1").as_deref(), Some("01-01"));
        assert_eq!(parse_start_cycle("01-07").as_deref(), Some("01-07"));
        assert_eq!(parse_start_cycle("31-12").as_deref(), Some("31-12"));
        assert_eq!(parse_start_cycle("28-2").as_deref(), Some("28-02"));
        for bad in [
            "29-02",
            "30-02",
            "31-04",
            "0-1",
            "1-13",
            "1/1",
            "01-01-2020",
            "a-b",
            "",
            "-1",
            "001-01",
        ] {
            assert_eq!(parse_start_cycle(bad), None, "{bad}");
        }
    }

    #[test]
    fn limits_scale_with_their_type() {
        assert_eq!(limit_decimal(Some("C"), 10000, 0).to_string(), "100.00");
        assert_eq!(limit_decimal(None, 1250, 0).to_string(), "12.50");
        assert_eq!(limit_decimal(Some("F"), 1500, 0).to_string(), "1500");
        assert_eq!(limit_decimal(Some("F"), 1500, 2).to_string(), "15.00");
    }

    #[test]
    fn sellable_by_location_and_dates() {
        let p = product::Model {
            location_id: Some(5),
            date_from: "2026-01-01".parse().unwrap(),
            date_to: "2026-12-31".parse().unwrap(),
            ..Default::default()
        };
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(sellable(&p, &[7, 5, 1], d("2026-06-01")));
        assert!(!sellable(&p, &[7, 1], d("2026-06-01")));
        assert!(!sellable(&p, &[5], d("2027-01-01")));
        let national = product::Model {
            location_id: None,
            ..p.clone()
        };
        assert!(sellable(&national, &[], d("2026-01-01")));
    }
}
