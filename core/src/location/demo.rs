//! Demo locations and health facilities (D30): the region Littoral with two districts, their
//! wards and villages, and three facilities with catchments. Inserted directly, no rights check.

use crate::error::AppResult;
use crate::kit::insert_version;
use crate::location::service::{
    CatchmentInput, HealthFacilityInput, LocationInput, insert_catchments, new_hf_row,
    new_location_row,
};
use crate::state::AppState;
use sea_orm::DatabaseTransaction;

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
    tx: &DatabaseTransaction,
    code: &str,
    name: &str,
    t: &str,
    parent: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
    actor: Option<i64>,
) -> AppResult<i64> {
    let village = t == "V";
    let input = LocationInput {
        code: code.into(),
        name: name.into(),
        location_type: t.into(),
        male_population: village.then_some(420),
        female_population: village.then_some(450),
        other_population: village.then_some(5),
        families: village.then_some(160),
        ..Default::default()
    };
    let m = insert_version(tx, new_location_row(&input, parent), now, actor).await?;
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
    tx: &DatabaseTransaction,
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
        let input = HealthFacilityInput {
            code: code.into(),
            name: name.into(),
            legal_form: legal.into(),
            level: level.into(),
            sub_level: Some("N".into()),
            location_id: out.districts[district],
            care_type: care.into(),
            ..Default::default()
        };
        let hf = insert_version(tx, new_hf_row(&input), now, actor).await?;
        let catchments: Vec<CatchmentInput> = catchments
            .iter()
            .map(|(vcode, pct)| CatchmentInput {
                location_id: by_code[vcode],
                catchment: Some(*pct),
            })
            .collect();
        insert_catchments(tx, hf.id, &catchments, now, actor).await?;
        out.health_facilities.push(hf.id);
    }
    Ok(out)
}
