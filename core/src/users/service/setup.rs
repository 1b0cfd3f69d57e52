//! Users created outside a request: the demo seed and the command line.

use super::*;
use crate::kit::CurrentRows;

/// Inserts a user directly (demo seed and CLI), without rights checks.
#[allow(clippy::too_many_arguments)]
pub async fn insert_user_unchecked(
    conn: &impl ConnectionTrait,
    username: &str,
    password_text: &str,
    last_name: &str,
    other_names: &str,
    kinds: UserKinds,
    role_ids: &[i64],
    districts: &[i64],
    villages: &[i64],
    health_facility_id: Option<i64>,
) -> AppResult<user::Model> {
    let now = Utc::now();
    let u = user::ActiveModel {
        uuid: Set(Uuid::now_v7()),
        username: Set(username.into()),
        last_name: Set(last_name.into()),
        other_names: Set(other_names.into()),
        last_name_search: Set(crate::text::fold(last_name)),
        other_names_search: Set(crate::text::fold(other_names)),
        language: Set("fr".into()),
        password_hash: Set(password::hash_async(password::Pool::Account, password_text).await?),
        is_interactive: Set(kinds.interactive),
        is_officer: Set(kinds.officer),
        is_claim_admin: Set(kinds.claim_admin),
        is_technical: Set(kinds.technical),
        health_facility_id: Set(health_facility_id),
        officer_code: Set(kinds.officer.then(|| username.to_string())),
        officer_location_id: Set(if kinds.officer {
            districts.first().copied()
        } else {
            None
        }),
        tokens_valid_after: Set(0),
        validity_from: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    for (table, column, ids) in [
        ("core_user_role", "role_id", role_ids),
        (
            "core_user_district",
            "location_id",
            if kinds.interactive { districts } else { &[] },
        ),
        ("core_officer_village", "location_id", villages),
    ] {
        for id in ids {
            conn.execute_raw(stmt(
                conn.get_database_backend(),
                &format!("INSERT INTO {table} (user_id, {column}, validity_from) VALUES (?, ?, ?)"),
                vec![u.id.into(), (*id).into(), now.into()],
            ))
            .await?;
        }
    }
    Ok(u)
}

/// `imis user create`: an interactive user, IMIS Administrator with `--admin`.
pub async fn create_user_cli(
    state: &AppState,
    username: &str,
    password_text: &str,
    admin: bool,
) -> AppResult<()> {
    password::check_policy(password_text, &state.config.auth)?;
    let tx = state.db.begin_write().await?;
    seed_system_roles(&*tx).await?;
    if user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .current()
        .one(&*tx)
        .await?
        .is_some()
    {
        return Err(AppError::conflict("user.username_taken").with("username", username));
    }
    let roles = if admin {
        vec![
            system_role(&*tx, crate::auth::IMIS_ADMIN_SYSTEM_FLAG)
                .await?
                .id,
        ]
    } else {
        vec![]
    };
    let kinds = UserKinds {
        interactive: true,
        ..Default::default()
    };
    insert_user_unchecked(
        &*tx,
        username,
        password_text,
        username,
        username,
        kinds,
        &roles,
        &[],
        &[],
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
