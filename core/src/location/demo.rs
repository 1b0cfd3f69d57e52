//! Demo locations and health facilities (D30): the region Littoral with two districts, their
//! wards and villages, and three facilities with catchments. Inserted directly, no rights check.

use crate::entity::{health_facility, hf_catchment, location};
use crate::error::AppResult;
use crate::state::AppState;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

/// Ids of what [`seed`] inserted.
#[derive(Debug, Clone, Default)]
pub struct DemoLocations {
    pub region: i64,
    pub districts: Vec<i64>,
    pub wards: Vec<i64>,
    pub villages: Vec<i64>,
    pub health_facilities: Vec<i64>,
}

/// (district code, name, [(ward code, name, [(village code, name)])])
type Tree = &'static [(
    &'static str,
    &'static str,
    &'static [(
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    )],
)];

const TREE: Tree = &[
    (
        "D0001",
        "Douala",
        &[
            (
                "W0001",
                "Douala Ier",
                &[("V0001", "Akwa"), ("V0002", "Déïdo"), ("V0003", "Bonanjo")],
            ),
            (
                "W0002",
                "Douala IVe",
                &[
                    ("V0004", "Bonabéri"),
                    ("V0005", "Bonassama"),
                    ("V0006", "Bépanda"),
                ],
            ),
        ],
    ),
    (
        "D0002",
        "Edéa",
        &[
            (
                "W0003",
                "Edéa Ier",
                &[("V0007", "Ndogpassi"), ("V0008", "Logbaba")],
            ),
            (
                "W0004",
                "Edéa IIe",
                &[("V0009", "Sanaga"), ("V0010", "Pongo"), ("V0011", "Mbanda")],
            ),
        ],
    ),
];

async fn insert_location(
    tx: &impl ConnectionTrait,
    code: &str,
    name: &str,
    t: &str,
    parent: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
    actor: Option<i64>,
) -> AppResult<i64> {
    let village = t == "V";
    let m = location::ActiveModel {
        uuid: Set(Uuid::now_v7()),
        code: Set(code.into()),
        name: Set(name.into()),
        name_search: Set(crate::text::fold(name)),
        parent_id: Set(parent),
        location_type: Set(t.into()),
        male_population: Set(village.then_some(420)),
        female_population: Set(village.then_some(450)),
        other_population: Set(village.then_some(5)),
        families: Set(village.then_some(160)),
        json_ext: Set(None),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(actor),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(m.id)
}

/// (code, name, legal form, level, care type, district index, [(village code, %)])
type Facility = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static [(&'static str, i32)],
);

/// Inserts the demo tree and facilities.
pub async fn seed(
    state: &AppState,
    tx: &impl ConnectionTrait,
    actor: Option<i64>,
) -> AppResult<DemoLocations> {
    let now = state.clock.now();
    let mut out = DemoLocations {
        region: insert_location(tx, "R0001", "Littoral", "R", None, now, actor).await?,
        ..Default::default()
    };
    let mut by_code = std::collections::HashMap::new();
    for (dcode, dname, wards) in TREE {
        let d = insert_location(tx, dcode, dname, "D", Some(out.region), now, actor).await?;
        out.districts.push(d);
        for (wcode, wname, villages) in *wards {
            let w = insert_location(tx, wcode, wname, "W", Some(d), now, actor).await?;
            out.wards.push(w);
            for (vcode, vname) in *villages {
                let v = insert_location(tx, vcode, vname, "V", Some(w), now, actor).await?;
                by_code.insert(*vcode, v);
                out.villages.push(v);
            }
        }
    }
    // (code, name, legal form, level, care type, district index, [(village code, %)])
    let facilities: [Facility; 3] = [
        (
            "HD0001",
            "Hôpital de District de Bonassama",
            "G",
            "H",
            "B",
            0,
            &[("V0004", 60), ("V0005", 100), ("V0006", 40)],
        ),
        (
            "CS0001",
            "Centre de Santé de Déïdo",
            "C",
            "C",
            "O",
            0,
            &[("V0001", 50), ("V0002", 100), ("V0003", 50)],
        ),
        (
            "DS0001",
            "Dispensaire de Pongo",
            "P",
            "D",
            "O",
            1,
            &[("V0009", 50), ("V0010", 100), ("V0011", 80)],
        ),
    ];
    for (code, name, legal, level, care, district, catchments) in facilities {
        let hf = health_facility::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            code: Set(code.into()),
            name: Set(name.into()),
            name_search: Set(crate::text::fold(name)),
            acc_code: Set(None),
            legal_form: Set(legal.into()),
            level: Set(level.into()),
            sub_level: Set(Some("N".into())),
            location_id: Set(out.districts[district]),
            address: Set(None),
            phone: Set(None),
            fax: Set(None),
            email: Set(None),
            care_type: Set(care.into()),
            offline: Set(false),
            contract_start_date: Set(None),
            contract_end_date: Set(None),
            status: Set("AC".into()),
            json_ext: Set(None),
            validity_from: Set(now),
            validity_to: Set(None),
            audit_user_id: Set(actor),
            ..Default::default()
        }
        .insert(tx)
        .await?;
        for (vcode, pct) in catchments {
            hf_catchment::ActiveModel {
                health_facility_id: Set(hf.id),
                location_id: Set(by_code[vcode]),
                catchment: Set(*pct),
                validity_from: Set(now),
                validity_to: Set(None),
                audit_user_id: Set(actor),
                ..Default::default()
            }
            .insert(tx)
            .await?;
        }
        out.health_facilities.push(hf.id);
    }
    Ok(out)
}
