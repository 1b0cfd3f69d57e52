//! Output types of renewal reminders (`policyRenewals`).

use super::*;

/// Loaded references of a page of renewal reminders.
#[derive(Default)]
pub struct RenewalPageData {
    pub officers: HashMap<i64, imis_core::registers::Officer>,
    pub insurees: HashMap<i64, InsureeGQLType>,
    pub policies: HashMap<i64, PolicyGQLType>,
    pub products: HashMap<i64, ProductGQLType>,
}

/// Builds reminder nodes with their officers, insurees, policies and products (one query each),
/// shown as the root lists would show them to `caller` (D9): an officer sees their own reminders,
/// but a policy, insuree, officer or product outside their locations is null.
pub async fn renewal_nodes(
    state: &AppState,
    caller: &Principal,
    rows: Vec<renewal::Model>,
    policy_wants: PolicyWants,
) -> AppResult<Vec<PolicyRenewalGQLType>> {
    let conn = &state.db.conn;
    let mut data = RenewalPageData::default();
    let officer_ids: Vec<i64> = rows.iter().filter_map(|r| r.new_officer_id).collect();
    data.officers = officers_by_ids(state, caller, &officer_ids).await?;
    let insuree_ids: Vec<i64> = rows.iter().map(|r| r.insuree_id).collect();
    data.insurees = imis_insuree::api::insuree_nodes(state, caller, &insuree_ids).await?;
    let policy_ids: Vec<i64> = rows.iter().map(|r| r.policy_id).collect();
    let mut policies = service::policies_by_ids(conn, &policy_ids).await?;
    if !caller.scope.unrestricted {
        // A policy is in scope through its family (as `policies` decides).
        let family_ids: Vec<i64> = policies.values().map(|p| p.family_id).collect();
        let families = imis_insuree::api::families_by_ids(conn, &family_ids).await?;
        let mut seen = std::collections::HashSet::new();
        for f in families.values() {
            if sees_family(state, caller, f.location_id).await? {
                seen.insert(f.id);
            }
        }
        policies.retain(|_, p| seen.contains(&p.family_id));
    }
    for n in policy_nodes(
        state,
        caller,
        policies.into_values().map(|p| (p, None)).collect(),
        policy_wants,
    )
    .await?
    {
        data.policies.insert(n.model.id, n);
    }
    let product_ids: Vec<i64> = rows.iter().map(|r| r.new_product_id).collect();
    data.products =
        imis_product::api::product_nodes_by_ids(state, caller, &product_ids, false).await?;
    let data = Arc::new(data);
    Ok(rows
        .into_iter()
        .map(|model| PolicyRenewalGQLType {
            model,
            data: data.clone(),
        })
        .collect())
}

#[derive(Clone)]
pub struct PolicyRenewalGQLType {
    pub model: renewal::Model,
    pub data: Arc<RenewalPageData>,
}

#[Object(name = "PolicyRenewalGQLType")]
impl PolicyRenewalGQLType {
    async fn id(&self) -> ID {
        global_id("PolicyRenewalGQLType", self.model.id)
    }
    async fn uuid(&self) -> String {
        self.model.uuid.to_string()
    }
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.model.validity_from, self.model.validity_to)
    }
    async fn new_officer(&self) -> Option<OfficerGQLType> {
        self.model
            .new_officer_id
            .and_then(|o| self.data.officers.get(&o))
            .cloned()
            .map(OfficerGQLType::from)
    }
    async fn insuree(&self) -> Option<&InsureeGQLType> {
        self.data.insurees.get(&self.model.insuree_id)
    }
    async fn policy(&self) -> Option<&PolicyGQLType> {
        self.data.policies.get(&self.model.policy_id)
    }
    async fn new_product(&self) -> Option<&ProductGQLType> {
        self.data.products.get(&self.model.new_product_id)
    }
    async fn renewal_prompt_date(&self) -> Date {
        Date(self.model.renewal_prompt_date)
    }
    async fn renewal_date(&self) -> Date {
        Date(self.model.renewal_date)
    }
    async fn phone_number(&self) -> Option<&str> {
        self.model.phone_number.as_deref()
    }
    async fn sms_status(&self) -> i32 {
        self.model.sms_status
    }
    /// 1 no valid product, 2 no officer, 4 officer not working on the renewal date.
    async fn renewal_warnings(&self) -> i32 {
        self.model.renewal_warnings
    }
    async fn response_status(&self) -> Option<i32> {
        self.model.response_status
    }
    async fn response_date(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.model.response_date.map(|t| date_time(ctx, t))
    }
    async fn audit_user_id(&self) -> Option<i64> {
        self.model.audit_user_id
    }
}
