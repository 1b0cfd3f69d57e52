//! What the web front end reads about the compiled modules: rights by module and module configurations.

use super::*;

#[derive(SimpleObject)]
#[graphql(name = "ModuleConfigurationGQLType")]
pub struct ModuleConfigurationGQLType {
    pub id: String,
    pub module: String,
    pub layer: String,
    pub version: String,
    /// JSON-encoded configuration.
    pub config: String,
    pub is_exposed: bool,
    pub controls: Vec<FieldControlGQLType>,
}

#[derive(SimpleObject)]
#[graphql(name = "FieldControlGQLType")]
pub struct FieldControlGQLType {
    pub field: String,
    pub usage: Option<i32>,
}

#[derive(SimpleObject)]
#[graphql(name = "ModulePermissionsListGQLType")]
pub struct ModulePermissionsList {
    pub module_perms_list: Vec<ModulePermission>,
}

#[derive(SimpleObject)]
#[graphql(name = "ModulePermissionGQLType")]
pub struct ModulePermission {
    pub module_name: String,
    pub permissions: Vec<PermissionOpenImis>,
}

#[derive(SimpleObject)]
#[graphql(name = "PermissionOpenImisGQLType")]
pub struct PermissionOpenImis {
    pub perms_name: String,
    pub perms_value: i32,
}

/// Rights by module and module configurations.
#[derive(Default)]
pub struct ModulesQuery;

#[Object]
impl ModulesQuery {
    /// Every right of every compiled module, by module (right 122001).
    async fn modules_permissions(&self, ctx: &Context<'_>) -> Result<ModulePermissionsList> {
        require(
            principal(ctx),
            Requirement::AnyOf(&[service::RIGHT_ROLE_SEARCH]),
        )
        .gql(ctx)?;
        let fr = lang(ctx) == "fr";
        let list = state(ctx)
            .modules
            .iter()
            .map(|m| ModulePermission {
                module_name: m.name.to_string(),
                permissions: m
                    .rights
                    .iter()
                    .map(|r| PermissionOpenImis {
                        perms_name: if fr { r.fr } else { r.en }.to_string(),
                        perms_value: r.code,
                    })
                    .collect(),
            })
            .collect();
        Ok(ModulePermissionsList {
            module_perms_list: list,
        })
    }

    /// Exposed module configurations; answers anonymous callers (the web front end boots with it).
    async fn module_configurations(
        &self,
        ctx: &Context<'_>,
        validity: Option<String>,
        layer: Option<String>,
    ) -> Result<Vec<ModuleConfigurationGQLType>> {
        let _ = validity;
        let st = state(ctx);
        if layer
            .as_deref()
            .is_some_and(|l| !l.eq_ignore_ascii_case("fe"))
        {
            return Ok(vec![]);
        }
        let core = serde_json::json!({
            "ageOfMajority": st.config.core.age_of_majority,
            "currency": st.config.core.currency,
            "languages": service::LANGUAGES.iter().map(|(c, _, _)| c).collect::<Vec<_>>(),
            "usernameMaxLength": st.config.auth.username_max_length,
        });
        Ok(vec![ModuleConfigurationGQLType {
            id: uuid::Uuid::nil().to_string(),
            module: "core".into(),
            layer: "FE".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            config: core.to_string(),
            is_exposed: true,
            controls: vec![],
        }])
    }
}
