//! Demo data (D30): `imis serve --demo` and `imis seed demo` seed an empty database with the
//! demo data of every enabled module, in module order. The core adds a region with two districts,
//! wards and villages with French-style names, three health facilities, the user `Admin`
//! (password `admin123`, IMIS Administrator) and one user per main system role.

use crate::auth::UserKinds;
use crate::db::stmt;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::users::service::{insert_user_unchecked, seed_system_roles, system_role};
use futures::future::BoxFuture;
use sea_orm::ConnectionTrait;

/// (username, password, system role flag, kinds: i = interactive, o = officer, c = claim admin,
/// location: "all", "d1", "d2").
const DEMO_USERS: &[(&str, &str, i64, &str, &str)] = &[
    ("Admin", "admin123", 64, "i", "all"),
    ("clerk", "clerk1234", 8, "i", "d1"),
    ("manager", "manager123", 2, "i", "all"),
    ("accountant", "account123", 4, "i", "all"),
    ("medofficer", "medical123", 16, "i", "all"),
    ("schemeadmin", "scheme123", 32, "i", "all"),
    ("reception", "reception123", 128, "i", "d1"),
    ("claimadmin", "claimadm123", 256, "ic", "hf"),
    ("eo_douala", "officer123", 1, "io", "d1"),
    ("eo_edea", "officer123", 1, "io", "d2"),
];

/// The demo logins: (username, password, role name).
pub fn demo_credentials() -> Vec<(String, String, String)> {
    DEMO_USERS
        .iter()
        .map(|(u, p, flag, _, _)| {
            let role = crate::rights::SYSTEM_ROLES
                .iter()
                .find(|r| r.flag == *flag)
                .map(|r| r.name)
                .unwrap_or("");
            (u.to_string(), p.to_string(), role.to_string())
        })
        .collect()
}

pub fn seed(state: AppState) -> BoxFuture<'static, AppResult<()>> {
    Box::pin(async move {
        let tx = state.db.begin_write().await?;
        seed_system_roles(&*tx).await?;
        let places = crate::location::demo::seed(&state, &*tx, None).await?;
        let districts_all = places.districts.clone();
        for (username, password, flag, kinds, scope) in DEMO_USERS {
            let role = system_role(&*tx, *flag).await?;
            let k = UserKinds {
                interactive: kinds.contains('i'),
                officer: kinds.contains('o'),
                claim_admin: kinds.contains('c'),
                technical: false,
            };
            let districts: Vec<i64> = match *scope {
                "d1" => places.districts.iter().take(1).copied().collect(),
                "d2" => places.districts.iter().skip(1).take(1).copied().collect(),
                _ => districts_all.clone(),
            };
            let villages: Vec<i64> = if k.officer {
                villages_of(&*tx, &districts).await?
            } else {
                vec![]
            };
            let hf = if k.claim_admin {
                places.health_facilities.first().copied()
            } else {
                None
            };
            let (last, other) = demo_name(username);
            insert_user_unchecked(
                &*tx,
                username,
                password,
                last,
                other,
                k,
                &[role.id],
                if *scope == "hf" { &[] } else { &districts },
                &villages,
                hf,
            )
            .await?;
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
        _ => ("Bassogog", "Noël"),
    }
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
