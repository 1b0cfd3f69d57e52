//! Deterministic data at national scale (`imis seed scale --families N [--seed S]`): families of
//! 4–5 members on average with realistic French-style names, dates and a spread over the villages,
//! inserted set-based in large batches so that 200,000 families take minutes, not hours.

use crate::number::with_check_digit;
use chrono::{Duration, NaiveDate};
use imis_core::AppState;
use imis_core::db::stmt;
use imis_core::error::AppResult;
use sea_orm::ConnectionTrait;

pub const LAST_NAMES: &[&str] = &[
    "Ngono",
    "Mbarga",
    "Fotso",
    "Tchoupo",
    "Essomba",
    "Moukoko",
    "Bassogog",
    "Nkoulou",
    "Ekwalla",
    "Etoundi",
    "Manga",
    "Biya",
    "Atangana",
    "Ndzana",
    "Onana",
    "Mvondo",
    "Kamga",
    "Tchinda",
    "Djoumessi",
    "Nguemo",
    "Mballa",
    "Abena",
    "Owona",
    "Eto'o",
    "Ngassa",
    "Kengne",
    "Tagne",
    "Fouda",
    "Bilé",
    "Ébodé",
    "Ndongo",
    "Mbida",
    "Ayissi",
    "Zang",
    "Ekambi",
    "Nyobè",
    "Mbappé",
    "Song",
    "Kameni",
    "Womé",
];
pub const MALE_NAMES: &[&str] = &[
    "Jean",
    "Pierre",
    "Paul",
    "Joseph",
    "Emmanuel",
    "Gérard",
    "André",
    "François",
    "Noël",
    "Aimé",
    "Thierry",
    "Hervé",
    "Rigobert",
    "Samuel",
    "Désiré",
    "Achille",
    "Blaise",
    "Cédric",
    "Landry",
    "Patrice",
];
pub const FEMALE_NAMES: &[&str] = &[
    "Marie",
    "Élodie",
    "Béatrice",
    "Thérèse",
    "Hélène",
    "Françoise",
    "Angèle",
    "Christelle",
    "Brigitte",
    "Josiane",
    "Odette",
    "Pélagie",
    "Rosine",
    "Sidonie",
    "Yvette",
    "Clarisse",
    "Estelle",
    "Géraldine",
    "Mireille",
    "Nadège",
];

/// A small deterministic generator (xorshift64*), so the same seed gives the same data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pick<'a>(&mut self, list: &'a [&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }
}

/// One generated member: (chf id, last, other, gender, dob, head, relationship, marital).
pub struct Person {
    pub chf_id: String,
    pub last_name: String,
    pub other_names: String,
    pub gender: &'static str,
    pub dob: NaiveDate,
    pub head: bool,
    pub relationship: Option<i32>,
    pub marital: &'static str,
}

/// Generates the members of one family (1–8, about 4.5 on average).
pub fn family_members(rng: &mut Rng, number_base: &mut u64, today: NaiveDate) -> Vec<Person> {
    let size = match rng.below(100) {
        0..=7 => 1,
        8..=17 => 2,
        18..=32 => 3,
        33..=52 => 4,
        53..=70 => 5,
        71..=83 => 6,
        84..=93 => 7,
        _ => 8,
    };
    let last = rng.pick(LAST_NAMES).to_string();
    let mut out = Vec::with_capacity(size);
    for i in 0..size {
        let female = if i == 1 { true } else { rng.below(2) == 0 };
        let (gender, first) = if female {
            ("F", rng.pick(FEMALE_NAMES))
        } else {
            ("M", rng.pick(MALE_NAMES))
        };
        let age_days = match i {
            0 | 1 => 18 * 365 + rng.below(50 * 365) as i64,
            _ => rng.below(18 * 365) as i64,
        };
        *number_base += 1;
        out.push(Person {
            chf_id: with_check_digit(&format!("{:08}", *number_base % 100_000_000), 7),
            last_name: last.clone(),
            other_names: first.to_string(),
            gender,
            dob: today - Duration::days(age_days + 1),
            head: i == 0,
            relationship: match i {
                0 => None,
                1 => Some(8),
                _ if rng.below(10) == 0 => Some(7),
                _ => Some(4),
            },
            marital: if i < 2 && size > 1 { "M" } else { "S" },
        });
    }
    out
}

/// Inserts `families` families with their members; returns (families, insurees) written.
/// Numbers continue after the highest generated one, so it can be run again to add more.
pub async fn seed_scale(state: &AppState, families: usize, seed: u64) -> AppResult<(usize, usize)> {
    let backend = state.db.backend();
    let villages = imis_core::registers::location_ids_of_type(&state.db.conn, "V").await?;
    if villages.is_empty() {
        return Err(imis_core::AppError::not_found("village"));
    }
    let today = state.clock.today();
    let now = state.clock.now();
    let mut rng = Rng::new(seed);
    let start = state
        .db
        .conn
        .query_one_raw(stmt(
            backend,
            "SELECT COUNT(*) AS n FROM insuree_insuree",
            vec![],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64;
    let mut number_base = 50_000_000 + start;
    let mut written = (0, 0);
    const BATCH: usize = 500;
    let mut done = 0;
    while done < families {
        let n = BATCH.min(families - done);
        let tx = state.db.begin_write().await?;
        // Heads first (family unknown yet), then the families, then the other members.
        let mut generated = Vec::with_capacity(n);
        for _ in 0..n {
            let village = villages[rng.below(villages.len() as u64) as usize];
            generated.push((village, family_members(&mut rng, &mut number_base, today)));
        }
        let mut family_ids = Vec::with_capacity(n);
        for (village, members) in &generated {
            let head = &members[0];
            let head_id: i64 = tx
                .query_one_raw(insert_person(backend, head, None, now))
                .await?
                .ok_or_else(imis_core::AppError::internal)?
                .try_get("", "id")?;
            let fam_id: i64 = tx
                .query_one_raw(stmt(
                    backend,
                    "INSERT INTO insuree_family (uuid, head_insuree_id, location_id, poverty, family_type, is_offline, validity_from) VALUES (?, ?, ?, ?, 'H', ?, ?) RETURNING id",
                    vec![uuid::Uuid::now_v7().into(), head_id.into(), (*village).into(), false.into(), false.into(), now.into()],
                ))
                .await?
                .ok_or_else(imis_core::AppError::internal)?
                .try_get("", "id")?;
            tx.execute_raw(stmt(
                backend,
                "UPDATE insuree_insuree SET family_id = ? WHERE id = ?",
                vec![fam_id.into(), head_id.into()],
            ))
            .await?;
            family_ids.push(fam_id);
        }
        // Other members in multi-row inserts.
        let mut rows: Vec<(&Person, i64)> = vec![];
        for ((_, members), fam) in generated.iter().zip(&family_ids) {
            rows.extend(members.iter().skip(1).map(|p| (p, *fam)));
        }
        for chunk in rows.chunks(200) {
            let mut sql = String::from(
                "INSERT INTO insuree_insuree (uuid, family_id, chf_id, last_name, other_names, last_name_search, other_names_search, gender, dob, head, marital, relationship, card_issued, offline, status, validity_from) VALUES ",
            );
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 16);
            for (i, (p, fam)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'AC', ?)");
                values.extend([
                    uuid::Uuid::now_v7().into(),
                    (*fam).into(),
                    p.chf_id.clone().into(),
                    p.last_name.clone().into(),
                    p.other_names.clone().into(),
                    imis_core::text::fold(&p.last_name).into(),
                    imis_core::text::fold(&p.other_names).into(),
                    p.gender.into(),
                    p.dob.into(),
                    false.into(),
                    p.marital.into(),
                    p.relationship.into(),
                    false.into(),
                    false.into(),
                    now.into(),
                ]);
            }
            tx.execute_raw(stmt(backend, &sql, values)).await?;
        }
        tx.commit().await?;
        written.0 += n;
        written.1 += n + rows.len();
        done += n;
        if done % 10_000 < BATCH {
            tracing::info!(families = done, "scale data");
        }
    }
    // Fresh statistics so the planner uses the indexes at once after a bulk load.
    let analyze = if state.db.is_sqlite() {
        "ANALYZE"
    } else {
        "ANALYZE insuree_insuree; ANALYZE insuree_family"
    };
    sea_orm::ConnectionTrait::execute_unprepared(&state.db.conn, analyze).await?;
    Ok(written)
}

fn insert_person(
    backend: sea_orm::DbBackend,
    p: &Person,
    family: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> sea_orm::Statement {
    stmt(
        backend,
        "INSERT INTO insuree_insuree (uuid, family_id, chf_id, last_name, other_names, last_name_search, other_names_search, gender, dob, head, marital, relationship, card_issued, offline, status, validity_from) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'AC', ?) RETURNING id",
        vec![
            uuid::Uuid::now_v7().into(),
            family.into(),
            p.chf_id.clone().into(),
            p.last_name.clone().into(),
            p.other_names.clone().into(),
            imis_core::text::fold(&p.last_name).into(),
            imis_core::text::fold(&p.other_names).into(),
            p.gender.into(),
            p.dob.into(),
            p.head.into(),
            p.marital.into(),
            p.relationship.into(),
            false.into(),
            false.into(),
            now.into(),
        ],
    )
}

/// Inserts one generated family (demo data).
pub async fn insert_family(
    conn: &impl ConnectionTrait,
    village: i64,
    members: &[Person],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<i64> {
    let backend = conn.get_database_backend();
    let head_id: i64 = conn
        .query_one_raw(insert_person(backend, &members[0], None, now))
        .await?
        .ok_or_else(imis_core::AppError::internal)?
        .try_get("", "id")?;
    let fam_id: i64 = conn
        .query_one_raw(stmt(
            backend,
            "INSERT INTO insuree_family (uuid, head_insuree_id, location_id, poverty, family_type, is_offline, validity_from) VALUES (?, ?, ?, ?, 'H', ?, ?) RETURNING id",
            vec![uuid::Uuid::now_v7().into(), head_id.into(), village.into(), false.into(), false.into(), now.into()],
        ))
        .await?
        .ok_or_else(imis_core::AppError::internal)?
        .try_get("", "id")?;
    conn.execute_raw(stmt(
        backend,
        "UPDATE insuree_insuree SET family_id = ? WHERE id = ?",
        vec![fam_id.into(), head_id.into()],
    ))
    .await?;
    for p in &members[1..] {
        conn.query_one_raw(insert_person(backend, p, Some(fam_id), now))
            .await?;
    }
    Ok(fam_id)
}

/// The descriptor's scale seeder: `args.families` families with their members (none asked,
/// nothing written).
pub(crate) fn scale_seed(
    state: AppState,
    args: imis_core::registry::ScaleArgs,
) -> futures::future::BoxFuture<'static, AppResult<Vec<String>>> {
    Box::pin(async move {
        if args.families == 0 {
            return Ok(vec![]);
        }
        let (families, insurees) = seed_scale(&state, args.families, args.seed).await?;
        Ok(vec![
            format!("{families} families"),
            format!("{insurees} insurees"),
        ])
    })
}
