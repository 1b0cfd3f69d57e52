//! The register facts of many claims at once, for bulk submission and processing: each claim's
//! items and services as in force on its target date, and the prices its facility's price lists
//! allow then ([`claimable_prices`]'s rule). A fixed number of queries per call, whatever the
//! number of claims: the facilities' assignments, their price lists, the lists' lines and the
//! register rows, each read once for all claims; only a version no longer current is looked up
//! in history, once per date.

use super::*;
use crate::api::ClaimableAct;
use crate::entity::{hf_pricelist, item, pricelist, pricelist_detail, service};
use sea_orm::{EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashSet};

/// One claim's look-up: its facility, its target date and the items and services of its lines.
#[derive(Debug, Clone)]
pub struct ClaimRegisterQuery {
    pub health_facility_id: i64,
    pub date: NaiveDate,
    pub items: Vec<i64>,
    pub services: Vec<i64>,
}

/// What the register says about one claim's lines, per kind (items, services).
#[derive(Debug, Clone, Default)]
pub struct ClaimRegisterFacts {
    /// The acts valid on the date (absent: not valid, rejection reason 1).
    pub items: HashMap<i64, ClaimableAct>,
    pub services: HashMap<i64, ClaimableAct>,
    /// The prices the facility may claim on the date (absent: not on its price list).
    pub item_prices: HashMap<i64, Decimal>,
    pub service_prices: HashMap<i64, Decimal>,
    /// The names of the facility's price lists (what the price check consulted).
    pub item_price_list: Option<String>,
    pub service_price_list: Option<String>,
}

/// A register row of either kind.
trait Act: Versioned + Clone {
    fn act(&self) -> ClaimableAct;
    fn own_price(&self) -> i64;
}

impl Act for item::Model {
    fn act(&self) -> ClaimableAct {
        ClaimableAct {
            id: self.id,
            code: self.code.clone(),
            care_type: self.care_type.clone(),
            patient_category: self.patient_category,
            frequency: self.frequency,
            category: None,
        }
    }
    fn own_price(&self) -> i64 {
        self.price
    }
}

impl Act for service::Model {
    fn act(&self) -> ClaimableAct {
        ClaimableAct {
            id: self.id,
            code: self.code.clone(),
            care_type: self.care_type.clone(),
            patient_category: self.patient_category,
            frequency: self.frequency,
            category: self.category.clone(),
        }
    }
    fn own_price(&self) -> i64 {
        self.price
    }
}

/// The register facts of each query, in the order given.
pub async fn claim_register_facts(
    state: &AppState,
    conn: &impl ConnectionTrait,
    queries: &[ClaimRegisterQuery],
) -> AppResult<Vec<ClaimRegisterFacts>> {
    let mut out: Vec<ClaimRegisterFacts> = vec![ClaimRegisterFacts::default(); queries.len()];
    if queries.is_empty() {
        return Ok(out);
    }
    let facilities: HashSet<i64> = queries.iter().map(|q| q.health_facility_id).collect();
    let assigned: HashMap<i64, hf_pricelist::Model> = hf_pricelist::Entity::find()
        .filter(hf_pricelist::Column::HealthFacilityId.is_in(facilities))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.health_facility_id, a))
        .collect();
    let list_of = |q: &ClaimRegisterQuery, kind: MedicalKind| {
        assigned
            .get(&q.health_facility_id)
            .and_then(|a| match kind {
                MedicalKind::Item => a.items_pricelist_id,
                MedicalKind::Service => a.services_pricelist_id,
            })
    };
    let list_ids: HashSet<i64> = queries
        .iter()
        .flat_map(|q| {
            [
                list_of(q, MedicalKind::Item),
                list_of(q, MedicalKind::Service),
            ]
        })
        .flatten()
        .collect();
    let lists: HashMap<i64, pricelist::Model> = rows_in::<pricelist::Entity, _>(
        conn,
        pricelist::Column::Id,
        list_ids.iter().copied(),
        false,
    )
    .await?
    .into_iter()
    .map(|l| (l.id, l))
    .collect();
    let lists = PriceLists {
        lists: &lists,
        list_of: &list_of,
    };
    let ids = |kind: MedicalKind| -> HashSet<i64> {
        queries
            .iter()
            .flat_map(|q| match kind {
                MedicalKind::Item => q.items.iter(),
                MedicalKind::Service => q.services.iter(),
            })
            .copied()
            .collect()
    };
    let items =
        rows_in::<item::Entity, _>(conn, item::Column::Id, ids(MedicalKind::Item), false).await?;
    kind_facts(
        state,
        conn,
        MedicalKind::Item,
        ENTITY_ITEM,
        items,
        queries,
        &lists,
        &mut out,
    )
    .await?;
    let services =
        rows_in::<service::Entity, _>(conn, service::Column::Id, ids(MedicalKind::Service), false)
            .await?;
    kind_facts(
        state,
        conn,
        MedicalKind::Service,
        ENTITY_SERVICE,
        services,
        queries,
        &lists,
        &mut out,
    )
    .await?;
    Ok(out)
}

/// The facilities' price lists read for a call.
struct PriceLists<'a, F: Fn(&ClaimRegisterQuery, MedicalKind) -> Option<i64>> {
    lists: &'a HashMap<i64, pricelist::Model>,
    list_of: &'a F,
}

/// Fills one kind's acts, prices and list names of every query.
#[allow(clippy::too_many_arguments)]
async fn kind_facts<M: Act, F: Fn(&ClaimRegisterQuery, MedicalKind) -> Option<i64>>(
    state: &AppState,
    conn: &impl ConnectionTrait,
    kind: MedicalKind,
    entity: &str,
    rows: Vec<M>,
    queries: &[ClaimRegisterQuery],
    lists: &PriceLists<'_, F>,
    out: &mut [ClaimRegisterFacts],
) -> AppResult<()> {
    if rows.is_empty() && queries.iter().all(|q| (lists.list_of)(q, kind).is_none()) {
        return Ok(());
    }
    let ids_of = |q: &ClaimRegisterQuery| match kind {
        MedicalKind::Item => q.items.clone(),
        MedicalKind::Service => q.services.clone(),
    };
    let used_lists: HashSet<i64> = queries
        .iter()
        .filter_map(|q| (lists.list_of)(q, kind))
        .collect();
    let all_ids: HashSet<i64> = rows.iter().map(|r| r.id()).collect();
    let details: Vec<pricelist_detail::Model> = if used_lists.is_empty() || all_ids.is_empty() {
        vec![]
    } else {
        pricelist_detail::Entity::find()
            .filter(pricelist_detail::Column::PricelistId.is_in(used_lists))
            .filter(pricelist_detail::Column::MedicalId.is_in(all_ids))
            .all(conn)
            .await?
    };
    let digits = digits(state);
    let mut by_date: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, q) in queries.iter().enumerate() {
        by_date.entry(q.date).or_default().push(i);
    }
    for (date, members) in by_date {
        let wanted: HashSet<i64> = members.iter().flat_map(|i| ids_of(&queries[*i])).collect();
        let in_force: HashMap<i64, M> = versions_on(
            conn,
            &state.clock,
            entity,
            rows.iter()
                .filter(|r| wanted.contains(&r.id()))
                .cloned()
                .collect(),
            date,
        )
        .await?
        .into_iter()
        .map(|m| (m.id(), m))
        .collect();
        // Each list's lines in force on the date: medical id → the price it overrules with.
        let mut list_lines: HashMap<i64, Option<HashMap<i64, Option<i64>>>> = HashMap::new();
        for i in members {
            let q = &queries[i];
            let facts = &mut out[i];
            let list_id = (lists.list_of)(q, kind);
            let list_name = list_id
                .and_then(|id| lists.lists.get(&id))
                .map(|l| l.name.clone());
            let mut acts = HashMap::new();
            for id in ids_of(q) {
                if let Some(m) = in_force.get(&id) {
                    acts.insert(id, m.act());
                }
            }
            let mut prices = HashMap::new();
            if let Some(list_id) = list_id {
                if !list_lines.contains_key(&list_id) {
                    let lines = lines_in_force(
                        state,
                        conn,
                        lists.lists.get(&list_id),
                        kind,
                        &details,
                        date,
                    )
                    .await?;
                    list_lines.insert(list_id, lines);
                }
                if let Some(Some(lines)) = list_lines.get(&list_id) {
                    for id in ids_of(q) {
                        if let (Some(overrule), Some(m)) = (lines.get(&id), in_force.get(&id)) {
                            let minor = overrule.unwrap_or_else(|| m.own_price());
                            prices.insert(id, money_out(minor, digits));
                        }
                    }
                }
            }
            match kind {
                MedicalKind::Item => {
                    facts.items = acts;
                    facts.item_prices = prices;
                    facts.item_price_list = list_name;
                }
                MedicalKind::Service => {
                    facts.services = acts;
                    facts.service_prices = prices;
                    facts.service_price_list = list_name;
                }
            }
        }
    }
    Ok(())
}

/// The lines of `list` in force on `date` (medical id → price overrule), or `None` when the list
/// is not of `kind`, not in force then or dated later ([`claimable_prices`]'s rule). Several
/// lines of one act valid that day (removed and added again): the latest wins.
async fn lines_in_force(
    state: &AppState,
    conn: &impl ConnectionTrait,
    list: Option<&pricelist::Model>,
    kind: MedicalKind,
    details: &[pricelist_detail::Model],
    date: NaiveDate,
) -> AppResult<Option<HashMap<i64, Option<i64>>>> {
    let Some(list) = list else {
        return Ok(None);
    };
    let Some(in_force) = versions_on(
        conn,
        &state.clock,
        ENTITY_PRICELIST,
        vec![list.clone()],
        date,
    )
    .await?
    .pop() else {
        return Ok(None);
    };
    if in_force.kind != kind.code() || in_force.pricelist_date > date {
        return Ok(None);
    }
    let rows: Vec<pricelist_detail::Model> = details
        .iter()
        .filter(|d| d.pricelist_id == list.id)
        .cloned()
        .collect();
    let mut latest: HashMap<i64, (i64, Option<i64>)> = HashMap::new();
    for d in versions_on(conn, &state.clock, ENTITY_PRICELIST_DETAIL, rows, date).await? {
        match latest.get(&d.medical_id) {
            Some((id, _)) if *id > d.id => {}
            _ => {
                latest.insert(d.medical_id, (d.id, d.price_overrule));
            }
        }
    }
    Ok(Some(
        latest
            .into_iter()
            .map(|(medical_id, (_, overrule))| (medical_id, overrule))
            .collect(),
    ))
}
