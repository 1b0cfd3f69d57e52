//! Demo data (D30): `imis serve --demo` and `imis seed demo` seed an empty database with the
//! demo data of every enabled module, in module order. The core adds a region with two districts,
//! wards and villages with French-style names, three health facilities, the user `Admin`
//! (password `admin123`, IMIS Administrator), one user per main system role, and a claim
//! administrator for each demo facility: `ca_<facility code in lower case>`, password
//! `claims-<facility code in lower case>` (`claimadmin`, of `HD0001`, is kept for the tests).
//!
//! The enrolment officer of Edéa (`eo_edea`) has a phone number, so that the claims of his
//! villages selected for feedback prompt him; the one of Douala (`eo_douala`) has none, so that
//! the refusal of a prompt without a phone can be tried there.

use crate::auth::{Principal, UserKinds};
use crate::db::stmt;
use crate::entity::user;
use crate::error::{AppError, AppResult};
use crate::kit::CurrentRows;
use crate::mutation::MutationCtx;
use crate::state::AppState;
use crate::users::service::{
    insert_user_unchecked, load_principal, seed_system_roles, system_role,
};
use futures::future::BoxFuture;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The demo health facilities (the location demo's), each with its own claim administrator.
const DEMO_FACILITIES: [&str; 3] = ["HD0001", "CS0001", "DS0001"];

/// (username, password, system role flag, kinds: i = interactive, o = officer, c = claim admin,
/// location: "all", "d1", "d2", or the code of the facility a claim administrator is attached to).
const DEMO_USERS: &[(&str, &str, i64, &str, &str)] = &[
    ("Admin", "admin123", 64, "i", "all"),
    ("clerk", "clerk1234", 8, "i", "d1"),
    ("manager", "manager123", 2, "i", "all"),
    ("accountant", "account123", 4, "i", "all"),
    ("medofficer", "medical123", 16, "i", "all"),
    ("schemeadmin", "scheme123", 32, "i", "all"),
    ("reception", "reception123", 128, "i", "d1"),
    ("claimadmin", "claimadm123", 256, "ic", "HD0001"),
    ("eo_douala", "officer123", 1, "io", "d1"),
    ("eo_edea", "officer123", 1, "io", "d2"),
];

/// Demo officers' phone numbers (feedback prompts are sent to a phone).
const OFFICER_PHONES: &[(&str, &str)] = &[("eo_edea", "+237 699 45 12 30")];

/// Every demo login as (username, password, system role flag, kinds, location), in creation
/// order: the fixed ones (which keep the ids they always had), then each facility's claim
/// administrator.
fn demo_users() -> Vec<(String, String, i64, &'static str, &'static str)> {
    let fixed = DEMO_USERS
        .iter()
        .map(|(u, p, flag, kinds, place)| (u.to_string(), p.to_string(), *flag, *kinds, *place));
    let per_facility = DEMO_FACILITIES.into_iter().map(|code| {
        let (username, password) = facility_claim_admin(code);
        (username, password, 256, "ic", code)
    });
    fixed.chain(per_facility).collect()
}

/// The login of the claim administrator of the facility `code`: (username, password).
pub fn facility_claim_admin(code: &str) -> (String, String) {
    let code = code.to_lowercase();
    (format!("ca_{code}"), format!("claims-{code}"))
}

/// The demo logins: (username, password, role name).
pub fn demo_credentials() -> Vec<(String, String, String)> {
    demo_users()
        .into_iter()
        .map(|(username, password, flag, _, _)| {
            let role = crate::rights::SYSTEM_ROLES
                .iter()
                .find(|r| r.flag == flag)
                .map(|r| r.name)
                .unwrap_or("");
            (username, password, role.to_string())
        })
        .collect()
}

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        seed_system_roles(&*tx).await?;
        let places = crate::location::demo::seed(&state, &tx, None).await?;
        let mut facilities = std::collections::HashMap::new();
        for id in &places.health_facilities {
            if let Some(hf) = crate::registers::health_facility_by_id(&*tx, *id).await? {
                facilities.insert(hf.code, *id);
            }
        }
        for (username, password, flag, kinds, place) in demo_users() {
            let role = system_role(&*tx, flag).await?;
            let k = UserKinds {
                interactive: kinds.contains('i'),
                officer: kinds.contains('o'),
                claim_admin: kinds.contains('c'),
                technical: false,
            };
            let districts: Vec<i64> = match place {
                "all" => places.districts.clone(),
                "d1" => places.districts.iter().take(1).copied().collect(),
                "d2" => places.districts.iter().skip(1).take(1).copied().collect(),
                // A claim administrator: its facility, no district.
                _ => vec![],
            };
            let villages: Vec<i64> = if k.officer {
                villages_of(&*tx, &districts).await?
            } else {
                vec![]
            };
            let hf = if k.claim_admin {
                facilities.get(place).copied()
            } else {
                None
            };
            let (last, other) = demo_name(&username);
            let created = insert_user_unchecked(
                &*tx,
                &username,
                &password,
                last,
                other,
                k,
                &[role.id],
                &districts,
                &villages,
                hf,
            )
            .await?;
            if let Some((_, phone)) = OFFICER_PHONES.iter().find(|(u, _)| *u == username) {
                tx.execute_raw(stmt(
                    tx.get_database_backend(),
                    "UPDATE core_user SET phone = ? WHERE id = ?",
                    vec![(*phone).into(), created.id.into()],
                ))
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
}

fn demo_name(username: &str) -> (&'static str, &'static str) {
    match username {
        "Admin" => ("Administrateur", "Système"),
        "clerk" => ("Ngono", "Élodie"),
        "manager" => ("Mbarga", "Jean-Pierre"),
        "accountant" => ("Fotso", "Béatrice"),
        "medofficer" => ("Ekwalla", "Dr Aimé"),
        "schemeadmin" => ("Tchoupo", "Hélène"),
        "reception" => ("Nkoulou", "Françoise"),
        "claimadmin" => ("Essomba", "Gérard"),
        "eo_douala" => ("Moukoko", "Thérèse"),
        "ca_hd0001" => ("Ebongue", "Marthe"),
        "ca_cs0001" => ("Ndjock", "Samuel"),
        "ca_ds0001" => ("Manga", "Odile"),
        _ => ("Bassogog", "Noël"),
    }
}

/// The principal of the current user `username`, as a bearer token of theirs would give it, or
/// `None` when there is none: module demo seeds act through their own services as the demo
/// users would. Reads committed users, outside any transaction.
pub async fn demo_principal(state: &AppState, username: &str) -> AppResult<Option<Principal>> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .current()
        .one(&state.db.conn)
        .await?;
    match found {
        Some(u) => load_principal(state, u.uuid).await,
        None => Ok(None),
    }
}

/// The context a service of a mutation runs in, for a demo seed that calls the service itself
/// inside its transaction `tx`, as `principal`: the demo data is nobody's request, so no
/// mutation log row is written (`log_id` 0) and the objects and warnings it would record are
/// dropped with the context.
pub fn demo_mutation<'a>(
    state: &'a AppState,
    principal: &'a Principal,
    tx: &'a crate::db::WriteTx,
) -> MutationCtx<'a> {
    MutationCtx {
        state,
        principal: Some(principal),
        tx,
        log_id: 0,
        log_uuid: Uuid::nil(),
        warnings: vec![],
        links: vec![],
        autogenerated_code: None,
        staged_files: vec![],
    }
}

/// Whether a demo seed may run services inside a write transaction: not on an in-memory SQLite
/// database, whose single connection the transaction holds while services read some registers
/// outside it (as they do under a GraphQL mutation), which would wait for it in vain.
pub fn services_may_run(state: &AppState) -> bool {
    !state.config.database.url.contains(":memory:")
}

async fn villages_of(conn: &impl ConnectionTrait, districts: &[i64]) -> AppResult<Vec<i64>> {
    if districts.is_empty() {
        return Ok(vec![]);
    }
    let ids = districts
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT v.id FROM core_location v JOIN core_location w ON w.id = v.parent_id WHERE v.type = 'V' AND w.parent_id IN ({ids}) ORDER BY v.id"),
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(Into::into))
        .collect()
}

/// Whether the database holds no business data yet.
pub async fn is_empty(state: &AppState) -> AppResult<bool> {
    let row = state
        .db
        .conn
        .query_one_raw(stmt(
            state.db.backend(),
            "SELECT (SELECT COUNT(*) FROM core_user) + (SELECT COUNT(*) FROM core_location) AS n",
            vec![],
        ))
        .await?
        .ok_or_else(AppError::internal)?;
    Ok(row.try_get::<i64>("", "n")? == 0)
}

/// Seeds every enabled module's demo data when the database is empty (D30). Returns the demo
/// logins when it seeded, `None` when the database already had data. Refused in production.
pub async fn seed_all(state: &AppState) -> AppResult<Option<Vec<(String, String, String)>>> {
    if state.config.environment == "production" {
        return Err(AppError::validation("demo.refused_in_production"));
    }
    if !is_empty(state).await? {
        return Ok(None);
    }
    for m in state.modules.iter() {
        if let Some(seed) = m.demo_seed {
            seed(state.clone()).await?;
            tracing::info!(module = m.name, "demo data seeded");
        }
    }
    Ok(Some(demo_credentials()))
}
