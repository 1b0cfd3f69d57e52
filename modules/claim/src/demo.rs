//! Demo data (D30): claims of the demo facilities, for insurees living in the facility's
//! district, with item and service lines at the facility's price-list prices, entered by the
//! facility's claim administrator (the one with the lowest id: `claimadmin` at `HD0001`).
//! Codes are `<facility code>-<n>`.
//!
//! - Three Entered claims per facility (`-001` to `-003`), for the first heads of families of its
//!   district.
//! - Then the [`SCENARIOS`] (`-004` on): claims entered the same way and taken through the
//!   module's own services, as the GraphQL mutations run them: submitted by the facility's claim
//!   administrator (the submission rules decide Checked or Rejected and each line's reason),
//!   selected for review, reviewed and delivered, or selected for feedback, by `medofficer`; the
//!   feedback delivered by the enrolment officer the prompt went to; processed by `medofficer`.
//!   Nothing is written by hand.
//!
//! Coverage decides what the rules can answer. When this seed runs, the contributions of the
//! current policies are not paid yet (the payment module seeds after this one), so the covered
//! patients are those of the previous-year policies, for care dated in those policies' year
//! (a new policy: its waiting periods apply in its first three months), and the holders of the
//! fee-exemption product's active policies. The uncovered patients are those whose family has no
//! policy spanning the day of care, whatever is paid afterwards. The demo data thus yields these
//! rejection reasons: 3 (no cover, whole claim or a line its product lacks), 4 (patient
//! category), 10 (care type) and 17 (waiting period), and −1 (rejected by the reviewer); every
//! demo item and service is in the facility's price list and none has a frequency, so 2 and 5
//! do not occur, and no demo product line has a relative price, so processing valuates.
//!
//! On an in-memory SQLite database the services cannot run inside the seed's transaction (see
//! [`imis_core::demo::services_may_run`]): the scenarios are left out there.

use crate::entity::{claim, detail};
use crate::service::feedback::{self, FeedbackInput};
use crate::service::review::{self, ClaimSet, Move, Review, ReviewLine, Track};
use crate::service::{
    KIND_ITEM, KIND_SERVICE, LINE_PASSED, LINE_REJECTED, REVIEW_IDLE, STATUS_CHECKED,
    STATUS_ENTERED, processing, submission,
};
use chrono::{Duration, NaiveDate};
use futures::future::BoxFuture;
use imis_core::auth::Principal;
use imis_core::demo::{demo_mutation, demo_principal};
use imis_core::kit::{CurrentRows, insert_version};
use imis_core::money::Money;
use imis_core::{AppError, AppResult, AppState};
use imis_insuree::api::{FamilyRow, InsureeSummary};
use imis_medical::api::MedicalKind;
use imis_policy::api::PolicySummary;
use rust_decimal::Decimal;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One demo claim: main diagnosis, item lines and service lines as (code, quantity), and how
/// many days before today the care started.
struct DemoClaim {
    icd: &'static str,
    items: &'static [(&'static str, i64)],
    services: &'static [(&'static str, i64)],
    days_ago: i64,
}

const CLAIMS: [DemoClaim; 3] = [
    DemoClaim {
        icd: "B54",
        items: &[("PARA5", 10), ("ACT20", 6)],
        services: &[("C0001", 1), ("L0001", 1)],
        days_ago: 9,
    },
    DemoClaim {
        icd: "J18",
        items: &[("AMOX5", 21)],
        services: &[("C0001", 1)],
        days_ago: 5,
    },
    DemoClaim {
        icd: "A09",
        items: &[("PARA5", 6)],
        services: &[("C0002", 1)],
        days_ago: 2,
    },
];

/// When a scenario's care took place, which decides what covers it.
#[derive(Debug, Clone, Copy)]
enum When {
    /// This many days after the start of an expired (previous-year) policy's coverage.
    PastCover(i64),
    /// This many days ago, under a policy active then.
    Covered(i64),
    /// This many days ago, for an insuree whose family has no policy spanning that day.
    Uncovered(i64),
}

/// The patient a scenario needs: an adult on the day of care, of either or of one gender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patient {
    Adult,
    Man,
    Woman,
}

/// The medical officer's decision on one line: (kind, code, approved quantity, rejected,
/// justification).
type ReviewedLine = (&'static str, &'static str, Option<i64>, bool, &'static str);

/// What happens to a scenario claim once it is Checked, in order.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Selected for review by the medical officer.
    SelectForReview,
    /// The medical officer's review of these lines, delivered.
    Review(&'static [ReviewedLine]),
    /// Selected for feedback: the enrolment officer of the patient's village is prompted.
    SelectForFeedback,
    /// The prompted officer's feedback, delivered.
    DeliverFeedback,
    /// Processed (valuated).
    Process,
}

/// A claim taken through the services.
struct Scenario {
    facility: &'static str,
    icd: &'static str,
    when: When,
    /// Days the stay lasts after its first (0: a one-day visit).
    stay: i64,
    patient: Patient,
    items: &'static [(&'static str, i64)],
    services: &'static [(&'static str, i64)],
    steps: &'static [Step],
}

/// The scenarios, by facility. What the rules answer, with the demo data: `HD0001` is a
/// hospital for in- and outpatients, `CS0001` and `DS0001` serve outpatients only; the
/// previous-year product (`MUT01`) covers every demo item and service, with three months'
/// waiting on maternity and surgery; the fee-exemption product (`VIH01`) covers a few.
const SCENARIOS: &[Scenario] = &[
    // Checked: the appendectomy within the waiting period (17) and the outpatient consultation
    // of a 3-day stay (10) rejected; reviewed (one dose fewer), then valuated.
    Scenario {
        facility: "HD0001",
        icd: "K35",
        when: When::PastCover(20),
        stay: 2,
        patient: Patient::Adult,
        items: &[("CEFTR1", 3), ("PARA5", 12)],
        services: &[("H0001", 2), ("S0002", 1), ("C0001", 1)],
        steps: &[
            Step::SelectForReview,
            Step::Review(&[(
                KIND_ITEM,
                "CEFTR1",
                Some(2),
                false,
                "Deux doses de ceftriaxone suffisaient avant l'intervention.",
            )]),
            Step::Process,
        ],
    },
    // Checked, then valuated.
    Scenario {
        facility: "HD0001",
        icd: "B50",
        when: When::PastCover(150),
        stay: 0,
        patient: Patient::Adult,
        items: &[("ACT20", 6), ("PARA5", 10)],
        services: &[("C0001", 1), ("L0002", 1)],
        steps: &[Step::Process],
    },
    // Checked (fee exemption); reviewed: the blood count rejected (−1), fewer tablets approved;
    // awaiting processing.
    Scenario {
        facility: "HD0001",
        icd: "B20",
        when: When::Covered(6),
        stay: 0,
        patient: Patient::Adult,
        items: &[("CTX480", 60)],
        services: &[("C0001", 1), ("L0006", 1), ("L0003", 1)],
        steps: &[
            Step::SelectForReview,
            Step::Review(&[
                (
                    KIND_SERVICE,
                    "L0003",
                    None,
                    true,
                    "Numération non justifiée lors de ce suivi.",
                ),
                (
                    KIND_ITEM,
                    "CTX480",
                    Some(30),
                    false,
                    "Un mois de traitement par délivrance.",
                ),
            ]),
        ],
    },
    // Rejected, every line for a reason of its own: a prenatal consultation for a man (4), an
    // inpatient drug on a one-day visit (10), a drug the fee exemption does not cover (3).
    Scenario {
        facility: "HD0001",
        icd: "B50",
        when: When::Covered(4),
        stay: 0,
        patient: Patient::Man,
        items: &[("ARTI60", 2), ("ACT20", 6)],
        services: &[("C0003", 1)],
        steps: &[],
    },
    // Rejected: no policy covers the day of care (3).
    Scenario {
        facility: "HD0001",
        icd: "J06",
        when: When::Uncovered(3),
        stay: 0,
        patient: Patient::Adult,
        items: &[("PARA5", 10)],
        services: &[("C0001", 1)],
        steps: &[],
    },
    // Checked (fee exemption); awaiting review or processing.
    Scenario {
        facility: "CS0001",
        icd: "J02",
        when: When::Covered(3),
        stay: 0,
        patient: Patient::Adult,
        items: &[("PARA5", 10), ("AMOX5", 15)],
        services: &[("C0001", 1), ("L0002", 1)],
        steps: &[],
    },
    // Checked: the obstetric ultrasound within the waiting period (17) rejected.
    Scenario {
        facility: "CS0001",
        icd: "Z34",
        when: When::PastCover(30),
        stay: 0,
        patient: Patient::Woman,
        items: &[("FEFOL", 30)],
        services: &[("C0003", 1), ("R0002", 1)],
        steps: &[],
    },
    // Checked: a day of hospitalisation at an outpatient centre (10) rejected; selected for
    // review, awaiting the medical officer.
    Scenario {
        facility: "CS0001",
        icd: "B50",
        when: When::PastCover(200),
        stay: 0,
        patient: Patient::Adult,
        items: &[("ACT20", 6), ("PARA5", 10)],
        services: &[("C0001", 1), ("L0001", 1), ("H0001", 1)],
        steps: &[Step::SelectForReview],
    },
    // Checked: a prenatal consultation for a man (4) rejected; valuated.
    Scenario {
        facility: "CS0001",
        icd: "J20",
        when: When::PastCover(240),
        stay: 0,
        patient: Patient::Man,
        items: &[("IBU400", 10)],
        services: &[("C0001", 1), ("C0003", 1)],
        steps: &[Step::Process],
    },
    // Rejected: no policy covers the day of care (3).
    Scenario {
        facility: "CS0001",
        icd: "L02",
        when: When::Uncovered(2),
        stay: 0,
        patient: Patient::Adult,
        items: &[("AMOX5", 15)],
        services: &[("C0001", 1), ("S0001", 1)],
        steps: &[],
    },
    // Checked; selected for feedback, the officer's feedback delivered; valuated.
    Scenario {
        facility: "DS0001",
        icd: "B50",
        when: When::PastCover(120),
        stay: 0,
        patient: Patient::Adult,
        items: &[("ACT20", 6), ("PARA5", 10)],
        services: &[("C0001", 1), ("L0002", 1)],
        steps: &[
            Step::SelectForFeedback,
            Step::DeliverFeedback,
            Step::Process,
        ],
    },
    // Checked; selected for feedback, the officer prompted.
    Scenario {
        facility: "DS0001",
        icd: "J03",
        when: When::PastCover(180),
        stay: 0,
        patient: Patient::Adult,
        items: &[("AMOX5", 15)],
        services: &[("C0001", 1)],
        steps: &[Step::SelectForFeedback],
    },
    // Rejected: no policy covers the day of care (3).
    Scenario {
        facility: "DS0001",
        icd: "R50",
        when: When::Uncovered(5),
        stay: 0,
        patient: Patient::Adult,
        items: &[("PARA5", 10)],
        services: &[("C0001", 1), ("L0002", 1)],
        steps: &[],
    },
];

pub(crate) fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        let entered_for = seed_claims(&state, &tx).await?;
        let scenarios = if imis_core::demo::services_may_run(&state) {
            enter_scenarios(&state, &tx, &entered_for).await?
        } else {
            vec![]
        };
        tx.commit().await?;
        run_scenarios(&state, &scenarios).await
    })
}

/// The villages of a district (its wards' children).
async fn villages_of(tx: &DatabaseTransaction, district: i64) -> AppResult<HashSet<i64>> {
    let mut villages = HashSet::new();
    for ward in imis_core::registers::child_location_ids(tx, district).await? {
        villages.extend(imis_core::registers::child_location_ids(tx, ward).await?);
    }
    Ok(villages)
}

/// The current families, by id.
async fn families(tx: &DatabaseTransaction) -> AppResult<Vec<FamilyRow>> {
    let mut families = vec![];
    let mut after = 0;
    loop {
        let page = imis_insuree::api::families_page(tx, after, 1000, None).await?;
        let Some(last) = page.last() else {
            return Ok(families);
        };
        after = last.id;
        families.extend(page);
    }
}

/// Seeds the Entered claims; returns the insurees they are for.
async fn seed_claims(state: &AppState, tx: &DatabaseTransaction) -> AppResult<HashSet<i64>> {
    let digits = state.config.core.currency_minor_digits;
    let today = state.clock.today();
    let now = state.clock.now();
    let item_codes: Vec<&str> = CLAIMS
        .iter()
        .flat_map(|c| c.items.iter().map(|i| i.0))
        .collect();
    let service_codes: Vec<&str> = CLAIMS
        .iter()
        .flat_map(|c| c.services.iter().map(|s| s.0))
        .collect();
    let items = imis_medical::api::current_items_by_code(tx, &item_codes).await?;
    let services = imis_medical::api::current_services_by_code(tx, &service_codes).await?;
    let icd_codes: Vec<&str> = CLAIMS.iter().map(|c| c.icd).collect();
    let diagnoses = imis_medical::api::current_diagnosis_ids_by_code(tx, &icd_codes).await?;
    let heads: Vec<(i64, i64)> = families(tx)
        .await?
        .iter()
        .map(|f| (f.head_insuree_id, f.location_id))
        .collect();
    let facilities = imis_core::registers::health_facility_ids(tx).await?;
    let admins = imis_core::registers::claim_admins_of_facilities(tx, &facilities).await?;
    let mut entered_for = HashSet::new();
    for facility_id in facilities {
        let Some(facility) = imis_core::registers::health_facility_by_id(tx, facility_id).await?
        else {
            continue;
        };
        let villages = villages_of(tx, facility.location_id).await?;
        let patients: Vec<i64> = heads
            .iter()
            .filter(|(_, village)| villages.contains(village))
            .map(|(head, _)| *head)
            .collect();
        if patients.is_empty() {
            continue;
        }
        let item_ids: Vec<i64> = items.values().map(|i| i.id).collect();
        let service_ids: Vec<i64> = services.values().map(|s| s.id).collect();
        let claim_date = today;
        let item_prices = imis_medical::api::claimable_prices(
            state,
            tx,
            facility_id,
            MedicalKind::Item,
            &item_ids,
            claim_date,
        )
        .await?;
        let service_prices = imis_medical::api::claimable_prices(
            state,
            tx,
            facility_id,
            MedicalKind::Service,
            &service_ids,
            claim_date,
        )
        .await?;
        for (n, demo) in CLAIMS.iter().enumerate() {
            let Some(&icd_id) = diagnoses.get(demo.icd) else {
                continue;
            };
            // (kind, medical id, quantity in hundredths, price in minor units)
            let mut lines: Vec<(&str, i64, i64, i64)> = vec![];
            for (code, qty) in demo.items {
                if let Some(item) = items.get(*code)
                    && let Some(price) = item_prices.get(&item.id)
                {
                    lines.push((KIND_ITEM, item.id, qty * 100, minor(*price, digits)?));
                }
            }
            for (code, qty) in demo.services {
                if let Some(service) = services.get(*code)
                    && let Some(price) = service_prices.get(&service.id)
                {
                    lines.push((KIND_SERVICE, service.id, qty * 100, minor(*price, digits)?));
                }
            }
            if lines.is_empty() {
                continue;
            }
            let claimed: i64 = lines.iter().map(|(_, _, q, p)| q * p / 100).sum();
            let date_from = today - Duration::days(demo.days_ago);
            let code = format!("{}-{:03}", facility.code, n + 1);
            let insuree_id = patients[n % patients.len()];
            entered_for.insert(insuree_id);
            let header = DemoHeader {
                code,
                insuree_id,
                facility_id,
                admin_id: admins.get(&facility_id).map(|a| a.id),
                icd_id,
                date_from,
                date_to: None,
                claimed,
            };
            insert_claim(tx, header, &lines, now).await?;
        }
    }
    Ok(entered_for)
}

fn minor(price: Decimal, digits: u32) -> AppResult<i64> {
    Ok(Money::round_from_decimal(price, digits)?.0)
}

/// The order patients are chosen in, lowest first: (not an uncovered patient of a family without
/// any policy, family with an Entered claim, family id, insuree id).
type Preference = (bool, bool, i64, i64);

/// What the scenarios choose their patients from.
struct People {
    families: Vec<FamilyRow>,
    /// Active members of each family, by insuree id.
    members: HashMap<i64, Vec<InsureeSummary>>,
    /// The current policies of each family.
    policies: HashMap<i64, Vec<PolicySummary>>,
    /// Families with an Entered claim: their members come last.
    entered: HashSet<i64>,
    /// Insurees who have a claim already.
    taken: HashSet<i64>,
}

impl People {
    async fn read(tx: &DatabaseTransaction, entered_for: &HashSet<i64>) -> AppResult<People> {
        let families = families(tx).await?;
        let ids: Vec<i64> = families.iter().map(|f| f.id).collect();
        let members = imis_insuree::api::members_by_family(tx, &ids, true).await?;
        let mut policies: HashMap<i64, Vec<PolicySummary>> = HashMap::new();
        for status in [
            imis_policy::api::STATUS_IDLE,
            imis_policy::api::STATUS_ACTIVE,
            imis_policy::api::STATUS_SUSPENDED,
            imis_policy::api::STATUS_EXPIRED,
            imis_policy::api::STATUS_READY,
        ] {
            for p in imis_policy::api::current_policies_with_status(tx, status).await? {
                policies.entry(p.family_id).or_default().push(p);
            }
        }
        let entered = families
            .iter()
            .filter(|f| entered_for.contains(&f.head_insuree_id))
            .map(|f| f.id)
            .collect();
        Ok(People {
            families,
            members,
            policies,
            entered,
            taken: entered_for.clone(),
        })
    }

    /// The patient and first day of care of `s` among the families of `villages`: the first
    /// that fits, members of families without an Entered claim first (and, for an uncovered
    /// patient, of families without any policy first). Coverage is checked as submission will.
    async fn choose(
        &mut self,
        state: &AppState,
        tx: &DatabaseTransaction,
        s: &Scenario,
        villages: &HashSet<i64>,
    ) -> AppResult<Option<(i64, NaiveDate)>> {
        let today = state.clock.today();
        let majority = state.config.core.age_of_majority;
        let no_policies = vec![];
        // (preference order, insuree, first day of care)
        let mut candidates: Vec<(Preference, i64, NaiveDate)> = vec![];
        for f in self
            .families
            .iter()
            .filter(|f| villages.contains(&f.location_id))
        {
            let policies = self.policies.get(&f.id).unwrap_or(&no_policies);
            let spans = |p: &PolicySummary, from: NaiveDate| {
                p.start_date <= from + Duration::days(s.stay) && from <= p.expiry_date
            };
            let from = match s.when {
                When::PastCover(days) => {
                    let previous = policies
                        .iter()
                        .filter(|p| p.status == imis_policy::api::STATUS_EXPIRED)
                        .filter_map(|p| Some((p.id, p.effective_date?, p.expiry_date)))
                        .min();
                    let Some((_, effective, expiry)) = previous else {
                        continue;
                    };
                    let from = effective + Duration::days(days);
                    let to = from + Duration::days(s.stay);
                    if to >= today || to > expiry {
                        continue;
                    }
                    from
                }
                When::Covered(days) => {
                    let from = today - Duration::days(days);
                    let active = policies.iter().any(|p| {
                        p.status == imis_policy::api::STATUS_ACTIVE
                            && p.effective_date.is_some_and(|e| e <= from)
                            && spans(p, from)
                    });
                    if !active {
                        continue;
                    }
                    from
                }
                When::Uncovered(days) => {
                    let from = today - Duration::days(days);
                    if policies.iter().any(|p| spans(p, from)) {
                        continue;
                    }
                    from
                }
            };
            let without_policy = matches!(s.when, When::Uncovered(_)) && policies.is_empty();
            let entered = self.entered.contains(&f.id);
            for m in self.members.get(&f.id).into_iter().flatten() {
                let fits = match s.patient {
                    Patient::Adult => true,
                    Patient::Man => m.gender == "M",
                    Patient::Woman => m.gender == "F",
                };
                if fits
                    && !self.taken.contains(&m.id)
                    && imis_policy::api::is_adult(m.dob, from, majority)
                {
                    candidates.push(((!without_policy, entered, f.id, m.id), m.id, from));
                }
            }
        }
        candidates.sort();
        for (_, insuree_id, from) in candidates {
            let target = from + Duration::days(s.stay);
            let covered = !imis_policy::api::covering(tx, insuree_id, target)
                .await?
                .is_empty();
            if covered != matches!(s.when, When::Uncovered(_)) {
                self.taken.insert(insuree_id);
                return Ok(Some((insuree_id, from)));
            }
        }
        Ok(None)
    }
}

/// A scenario claim entered, to be taken through the services.
struct Entered {
    uuid: Uuid,
    facility_id: i64,
    date_claimed: NaiveDate,
    id: i64,
    steps: &'static [Step],
}

/// Enters the scenario claims (patients chosen for the gendered scenarios first, so that the
/// others do not take the only man or woman that fits).
async fn enter_scenarios(
    state: &AppState,
    tx: &DatabaseTransaction,
    entered_for: &HashSet<i64>,
) -> AppResult<Vec<Entered>> {
    let digits = state.config.core.currency_minor_digits;
    let now = state.clock.now();
    let mut people = People::read(tx, entered_for).await?;
    let item_codes: Vec<&str> = SCENARIOS
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.0))
        .collect();
    let service_codes: Vec<&str> = SCENARIOS
        .iter()
        .flat_map(|s| s.services.iter().map(|i| i.0))
        .collect();
    let items = imis_medical::api::current_items_by_code(tx, &item_codes).await?;
    let services = imis_medical::api::current_services_by_code(tx, &service_codes).await?;
    let icd_codes: Vec<&str> = SCENARIOS.iter().map(|s| s.icd).collect();
    let diagnoses = imis_medical::api::current_diagnosis_ids_by_code(tx, &icd_codes).await?;
    let facility_ids = imis_core::registers::health_facility_ids(tx).await?;
    let admins = imis_core::registers::claim_admins_of_facilities(tx, &facility_ids).await?;
    let mut facilities = HashMap::new();
    for id in facility_ids {
        if let Some(f) = imis_core::registers::health_facility_by_id(tx, id).await? {
            let villages = villages_of(tx, f.location_id).await?;
            facilities.insert(f.code.clone(), (id, villages));
        }
    }
    let mut order: Vec<usize> = (0..SCENARIOS.len()).collect();
    order.sort_by_key(|i| SCENARIOS[*i].patient == Patient::Adult);
    let mut chosen: HashMap<usize, (i64, NaiveDate)> = HashMap::new();
    for i in order {
        let s = &SCENARIOS[i];
        let Some((_, villages)) = facilities.get(s.facility) else {
            continue;
        };
        if let Some(found) = people.choose(state, tx, s, villages).await? {
            chosen.insert(i, found);
        }
    }
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut out = vec![];
    for (i, s) in SCENARIOS.iter().enumerate() {
        let (Some(&(insuree_id, from)), Some((facility_id, _)), Some(&icd_id)) = (
            chosen.get(&i),
            facilities.get(s.facility),
            diagnoses.get(s.icd),
        ) else {
            continue;
        };
        let to = from + Duration::days(s.stay);
        let mut lines: Vec<(&str, i64, i64, i64)> = vec![];
        for (kind, medical, codes) in [
            (
                MedicalKind::Item,
                KIND_ITEM,
                s.items
                    .iter()
                    .filter_map(|(c, q)| Some((items.get(*c)?.id, *q)))
                    .collect::<Vec<_>>(),
            ),
            (
                MedicalKind::Service,
                KIND_SERVICE,
                s.services
                    .iter()
                    .filter_map(|(c, q)| Some((services.get(*c)?.id, *q)))
                    .collect::<Vec<_>>(),
            ),
        ] {
            let ids: Vec<i64> = codes.iter().map(|(id, _)| *id).collect();
            let prices =
                imis_medical::api::claimable_prices(state, tx, *facility_id, kind, &ids, to)
                    .await?;
            for (id, qty) in codes {
                if let Some(price) = prices.get(&id) {
                    lines.push((medical, id, qty * 100, minor(*price, digits)?));
                }
            }
        }
        if lines.is_empty() {
            continue;
        }
        let n = numbers.entry(s.facility).or_insert(CLAIMS.len());
        *n += 1;
        let header = DemoHeader {
            code: format!("{}-{:03}", s.facility, n),
            insuree_id,
            facility_id: *facility_id,
            admin_id: admins.get(facility_id).map(|a| a.id),
            icd_id,
            date_from: from,
            date_to: (s.stay > 0).then_some(to),
            claimed: lines.iter().map(|(_, _, q, p)| q * p / 100).sum(),
        };
        let c = insert_claim(tx, header, &lines, now).await?;
        out.push(Entered {
            uuid: c.uuid,
            facility_id: c.health_facility_id,
            date_claimed: c.date_claimed,
            id: c.id,
            steps: s.steps,
        });
    }
    Ok(out)
}

/// The demo user `username`'s principal (`internal` when the core's demo lacks it).
async fn principal(state: &AppState, username: &str) -> AppResult<Principal> {
    demo_principal(state, username).await?.ok_or_else(|| {
        tracing::error!(username, "demo user missing");
        AppError::internal()
    })
}

/// Takes the scenario claims through the services, each step as its mutation would: one
/// transaction submits them all (by date claimed, as `submitClaims` orders them), a second one
/// runs the steps of those that were Checked. The principals, and the feedback officers that
/// selecting reads outside its transaction, are read between the two.
async fn run_scenarios(state: &AppState, scenarios: &[Entered]) -> AppResult<()> {
    if scenarios.is_empty() {
        return Ok(());
    }
    let facility_ids: Vec<i64> = scenarios.iter().map(|s| s.facility_id).collect();
    let admins =
        imis_core::registers::claim_admins_of_facilities(&state.db.conn, &facility_ids).await?;
    let mut submitters = HashMap::new();
    for (facility_id, admin) in &admins {
        submitters.insert(*facility_id, principal(state, &admin.code).await?);
    }
    let mut order: Vec<&Entered> = scenarios.iter().collect();
    order.sort_by_key(|s| (s.date_claimed, s.id));
    let tx = state.db.begin_write().await?;
    let mut checked = HashSet::new();
    for s in order {
        let Some(p) = submitters.get(&s.facility_id) else {
            continue;
        };
        let outcome = submission::submit_claim(&mut demo_mutation(state, p, &tx), s.uuid).await?;
        if outcome.status == STATUS_CHECKED {
            checked.insert(s.uuid);
        }
    }
    tx.commit().await?;

    let medofficer = principal(state, "medofficer").await?;
    let to_prompt: Vec<Uuid> = scenarios
        .iter()
        .filter(|s| checked.contains(&s.uuid))
        .filter(|s| s.steps.iter().any(|t| matches!(t, Step::SelectForFeedback)))
        .map(|s| s.uuid)
        .collect();
    let feedback_plan = review::plan(
        state,
        Some(&medofficer),
        Track::Feedback,
        Move::Select,
        ClaimSet::Uuids(to_prompt.clone()),
        None,
    )
    .await?;
    let officers = feedback_officers(state, &to_prompt).await?;
    let review_plan = review::plan(
        state,
        Some(&medofficer),
        Track::Review,
        Move::Select,
        ClaimSet::Uuids(checked.iter().copied().collect()),
        None,
    )
    .await?;

    let tx = state.db.begin_write().await?;
    for s in scenarios.iter().filter(|s| checked.contains(&s.uuid)) {
        for step in s.steps {
            let mut m = demo_mutation(state, &medofficer, &tx);
            match step {
                Step::SelectForReview => {
                    review::move_claim(&mut m, Track::Review, &review_plan, s.uuid).await?;
                }
                Step::Review(lines) => {
                    let review = reviewed(&tx, s.id, lines).await?;
                    review::save_claim_review(&mut m, s.uuid, &review).await?;
                }
                Step::SelectForFeedback => {
                    review::move_claim(&mut m, Track::Feedback, &feedback_plan, s.uuid).await?;
                }
                Step::DeliverFeedback => {
                    let Some(officer) = officers.get(&s.uuid) else {
                        continue;
                    };
                    let input = collected_feedback(state);
                    let mut m = demo_mutation(state, officer, &tx);
                    feedback::deliver_claim_feedback(&mut m, s.uuid, &input).await?;
                }
                Step::Process => {
                    processing::process_claim(&mut m, s.uuid).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The principal of the enrolment officer each claim's feedback prompt will go to.
async fn feedback_officers(
    state: &AppState,
    uuids: &[Uuid],
) -> AppResult<HashMap<Uuid, Principal>> {
    let claims = claim::Entity::find()
        .filter(claim::Column::Uuid.is_in(uuids.iter().copied()))
        .current()
        .all(&state.db.conn)
        .await?;
    let refs: Vec<&claim::Model> = claims.iter().collect();
    let prompts = feedback::prompt_officers(state, &refs).await?;
    let mut out = HashMap::new();
    for c in &claims {
        let Some(Ok(prompt)) = prompts.get(&c.id) else {
            continue;
        };
        if let Some(officer) =
            imis_core::registers::officer_by_id(&state.db.conn, prompt.officer_id).await?
        {
            out.insert(c.uuid, principal(state, &officer.username).await?);
        }
    }
    Ok(out)
}

/// The medical officer's review of claim `claim_id`, delivered with it.
async fn reviewed(
    tx: &DatabaseTransaction,
    claim_id: i64,
    lines: &[ReviewedLine],
) -> AppResult<Review> {
    let items: Vec<&str> = lines
        .iter()
        .filter(|l| l.0 == KIND_ITEM)
        .map(|l| l.1)
        .collect();
    let services: Vec<&str> = lines
        .iter()
        .filter(|l| l.0 == KIND_SERVICE)
        .map(|l| l.1)
        .collect();
    let items = imis_medical::api::current_items_by_code(tx, &items).await?;
    let services = imis_medical::api::current_services_by_code(tx, &services).await?;
    let mut out = Review {
        adjustment: None,
        lines: vec![],
        deliver: true,
    };
    for (kind, code, qty, rejected, justification) in lines {
        let medical_id = if *kind == KIND_ITEM {
            items.get(*code).map(|i| i.id)
        } else {
            services.get(*code).map(|s| s.id)
        };
        let Some(medical_id) = medical_id else {
            continue;
        };
        out.lines.push(ReviewLine {
            id: None,
            kind,
            medical_id,
            status: if *rejected {
                LINE_REJECTED
            } else {
                LINE_PASSED
            },
            qty_approved: qty.map(|q| q * 100),
            price_approved: None,
            justification: Some(justification.to_string()),
        });
    }
    if out.lines.len() < lines.len() {
        tracing::warn!(
            claim_id,
            "a reviewed line of the demo is not in the register"
        );
    }
    Ok(out)
}

/// What the prompted officer collected today: care rendered, nothing asked to pay, the drugs
/// prescribed and received, a good assessment.
fn collected_feedback(state: &AppState) -> FeedbackInput {
    FeedbackInput {
        feedback_date: Some(state.clock.today()),
        officer_id: None,
        care_rendered: Some(true),
        payment_asked: Some(false),
        drug_prescribed: Some(true),
        drug_received: Some(true),
        asessment: Some(4),
    }
}

struct DemoHeader {
    code: String,
    insuree_id: i64,
    facility_id: i64,
    admin_id: Option<i64>,
    icd_id: i64,
    date_from: NaiveDate,
    /// A stay's last day; `None` for a one-day visit.
    date_to: Option<NaiveDate>,
    claimed: i64,
}

async fn insert_claim(
    tx: &DatabaseTransaction,
    h: DemoHeader,
    lines: &[(&str, i64, i64, i64)],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<claim::Model> {
    let care_type = if h.date_to.is_some() { "IPD" } else { "OPD" };
    let c = insert_version(
        tx,
        claim::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            code_search: Set(imis_core::text::fold(&h.code)),
            code: Set(h.code),
            insuree_id: Set(h.insuree_id),
            health_facility_id: Set(h.facility_id),
            admin_id: Set(h.admin_id),
            date_from: Set(h.date_from),
            date_to: Set(h.date_to),
            date_claimed: Set(h.date_to.unwrap_or(h.date_from) + Duration::days(1)),
            date_processed: Set(None),
            icd_id: Set(h.icd_id),
            icd1_id: Set(None),
            icd2_id: Set(None),
            icd3_id: Set(None),
            icd4_id: Set(None),
            visit_type: Set("O".into()),
            refer_from_id: Set(None),
            refer_to_id: Set(None),
            referral_code: Set(None),
            care_type: Set(Some(care_type.into())),
            patient_condition: Set(None),
            pre_authorization: Set(false),
            guarantee_id: Set(None),
            explanation: Set(None),
            adjustment: Set(None),
            category: Set(None),
            status: Set(STATUS_ENTERED),
            review_status: Set(REVIEW_IDLE),
            feedback_status: Set(REVIEW_IDLE),
            approval_status: Set(1),
            rejection_reason: Set(0),
            claimed: Set(h.claimed),
            approved: Set(None),
            valuated: Set(None),
            remunerated: Set(None),
            feedback_available: Set(false),
            batch_run_id: Set(None),
            submit_stamp: Set(None),
            process_stamp: Set(None),
            audit_user_id_submit: Set(None),
            audit_user_id_review: Set(None),
            audit_user_id_process: Set(None),
            validity_from_review: Set(None),
            validity_to_review: Set(None),
            restore_id: Set(None),
            json_ext: Set(None),
            ..Default::default()
        },
        now,
        h.admin_id,
    )
    .await?;
    for (kind, medical_id, qty, price) in lines {
        insert_version(
            tx,
            detail::ActiveModel {
                uuid: Set(Uuid::now_v7()),
                claim_id: Set(c.id),
                kind: Set(kind.to_string()),
                medical_id: Set(*medical_id),
                status: Set(LINE_PASSED),
                availability: Set(true),
                qty_provided: Set(*qty),
                price_asked: Set(*price),
                ..Default::default()
            },
            now,
            h.admin_id,
        )
        .await?;
    }
    Ok(c)
}
