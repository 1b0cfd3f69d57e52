//! `familyMembers`: the members of one family the caller may see, filtered and ordered in memory
//! (a family has a handful of members) with openIMIS's Django-style lookups.

use super::*;
use chrono::NaiveDateTime;
use imis_core::graphql::connection::{normalise_order_name, requested_order};
use imis_core::text::fold;

/// Django lookups on one text column: `exact`, `_Iexact`, `_Istartswith`, `_Icontains`,
/// `_Isnull`. A row whose column is null matches none of the text lookups.
#[derive(Debug, Clone, Default)]
pub struct TextLookup {
    pub exact: Option<String>,
    pub iexact: Option<String>,
    pub istartswith: Option<String>,
    pub icontains: Option<String>,
    pub isnull: Option<bool>,
}

impl TextLookup {
    /// `exact` is case-sensitive, the `I…` lookups ignore case (Django's meaning).
    fn matches(&self, value: Option<&str>) -> bool {
        self.matches_with(value, |s| s.to_lowercase(), |s| s.to_string())
    }

    /// Names (D19): every lookup, `exact` included, ignores case and accents, as the `insurees`
    /// list does; `folded` is the stored folded column.
    fn matches_name(&self, folded: &str) -> bool {
        self.matches_with(Some(folded), fold, fold)
    }

    fn matches_with(
        &self,
        value: Option<&str>,
        insensitive: impl Fn(&str) -> String,
        exact: impl Fn(&str) -> String,
    ) -> bool {
        if let Some(null) = self.isnull
            && value.is_none() != null
        {
            return false;
        }
        let wanted = [
            &self.exact,
            &self.iexact,
            &self.istartswith,
            &self.icontains,
        ];
        if wanted.iter().all(|w| w.is_none()) {
            return true;
        }
        let Some(value) = value else {
            return false;
        };
        let folded = insensitive(value);
        fn arg(w: &Option<String>) -> Option<&str> {
            w.as_deref().map(str::trim)
        }
        arg(&self.exact).is_none_or(|w| exact(value) == exact(w))
            && arg(&self.iexact).is_none_or(|w| folded == insensitive(w))
            && arg(&self.istartswith).is_none_or(|w| folded.starts_with(&insensitive(w)))
            && arg(&self.icontains).is_none_or(|w| folded.contains(&insensitive(w)))
    }
}

/// Django comparisons of one ordered column: `exact`, `_Lt`, `_Lte`, `_Gt`, `_Gte`, `_Isnull`.
/// A null column matches no comparison.
#[derive(Debug, Clone)]
pub struct RangeLookup<T> {
    pub exact: Option<T>,
    pub lt: Option<T>,
    pub lte: Option<T>,
    pub gt: Option<T>,
    pub gte: Option<T>,
    pub isnull: Option<bool>,
}

impl<T> Default for RangeLookup<T> {
    fn default() -> Self {
        Self {
            exact: None,
            lt: None,
            lte: None,
            gt: None,
            gte: None,
            isnull: None,
        }
    }
}

impl<T: PartialOrd + Copy> RangeLookup<T> {
    fn matches(&self, value: Option<T>) -> bool {
        if let Some(null) = self.isnull
            && value.is_none() != null
        {
            return false;
        }
        let compared = [self.exact, self.lt, self.lte, self.gt, self.gte];
        if compared.iter().all(Option::is_none) {
            return true;
        }
        let Some(v) = value else {
            return false;
        };
        self.exact.is_none_or(|w| v == w)
            && self.lt.is_none_or(|w| v < w)
            && self.lte.is_none_or(|w| v <= w)
            && self.gt.is_none_or(|w| v > w)
            && self.gte.is_none_or(|w| v >= w)
    }
}

/// The filters of `familyMembers` (openIMIS's insuree filter set). Every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// `uuid` and `uuid_Iexact`: the member must have each of them.
    pub uuids: Vec<Uuid>,
    pub chf_id: TextLookup,
    pub last_name: TextLookup,
    pub other_names: TextLookup,
    pub email: TextLookup,
    pub phone: TextLookup,
    pub passport: TextLookup,
    /// `marital` (exact) and `marital_Isnull`.
    pub marital: TextLookup,
    pub dob: RangeLookup<NaiveDate>,
    pub head: Option<bool>,
    /// `gender_Code`.
    pub gender: Option<String>,
    /// `AC`, `IN` or `DE`.
    pub status: Option<String>,
    /// Instants in the configured zone, as the `DateTime` scalar reads and shows them.
    pub validity_from: RangeLookup<NaiveDateTime>,
    pub validity_to: RangeLookup<NaiveDateTime>,
    /// `photo_Id`: the photo's primary key.
    pub photo_id: Option<i64>,
    pub photo_isnull: Option<bool>,
    pub family_isnull: Option<bool>,
}

impl MemberFilter {
    /// Whether member `m` passes every filter; `tz` is the configured zone of the `DateTime`s.
    pub fn matches(&self, m: &insuree::Model, tz: chrono_tz::Tz) -> bool {
        let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).naive_local();
        self.uuids.iter().all(|u| *u == m.uuid)
            && self.chf_id.matches(Some(&m.chf_id))
            && self.last_name.matches_name(&m.last_name_search)
            && self.other_names.matches_name(&m.other_names_search)
            && self.email.matches(m.email.as_deref())
            && self.phone.matches(m.phone.as_deref())
            && self.passport.matches(m.passport.as_deref())
            && self.marital.matches(m.marital.as_deref())
            && self.dob.matches(Some(m.dob))
            && self.head.is_none_or(|h| h == m.head)
            && self.gender.as_deref().is_none_or(|g| g.trim() == m.gender)
            && self.status.as_deref().is_none_or(|s| s == m.status)
            && self.validity_from.matches(Some(local(m.validity_from)))
            && self.validity_to.matches(m.validity_to.map(local))
            && self.photo_id.is_none_or(|p| Some(p) == m.photo_id)
            && self.photo_isnull.is_none_or(|n| n == m.photo_id.is_none())
            && self
                .family_isnull
                .is_none_or(|n| n == m.family_id.is_none())
    }
}

/// The sort keys `familyMembers` accepts in `orderBy` (a leading `-` sorts descending).
const MEMBER_SORT_KEYS: &[&str] = &[
    "id",
    "chfId",
    "lastName",
    "otherNames",
    "dob",
    "head",
    "gender",
    "cardIssued",
    "validityFrom",
];

/// openIMIS's order of a family's members: head first, then by date of birth.
const MEMBER_DEFAULT_ORDER: &[&str] = &["-head", "dob"];

fn member_key_order(key: &str, a: &insuree::Model, b: &insuree::Model) -> std::cmp::Ordering {
    match key {
        "chfId" => a.chf_id.cmp(&b.chf_id),
        "lastName" => a.last_name_search.cmp(&b.last_name_search),
        "otherNames" => a.other_names_search.cmp(&b.other_names_search),
        "dob" => a.dob.cmp(&b.dob),
        "head" => a.head.cmp(&b.head),
        "gender" => a.gender.cmp(&b.gender),
        "cardIssued" => a.card_issued.cmp(&b.card_issued),
        "validityFrom" => a.validity_from.cmp(&b.validity_from),
        _ => a.id.cmp(&b.id),
    }
}

/// Sorts `members` by `order_by` (openIMIS names, case and `_` ignored, `-` for descending),
/// else head first then by date of birth; the id ends every order so that pages are stable.
/// An unknown name is `input.invalid_order`.
pub fn sort_members(members: &mut [insuree::Model], order_by: Option<&[String]>) -> AppResult<()> {
    let mut keys: Vec<(&str, bool)> = Vec::new();
    for (desc, name) in requested_order(order_by, MEMBER_DEFAULT_ORDER) {
        let wanted = normalise_order_name(&name);
        let key = MEMBER_SORT_KEYS
            .iter()
            .find(|k| normalise_order_name(k) == wanted)
            .ok_or_else(|| AppError::validation("input.invalid_order").with("field", &name))?;
        keys.push((key, desc));
    }
    keys.push(("id", false));
    members.sort_by(|a, b| {
        keys.iter()
            .map(|(key, desc)| {
                let o = member_key_order(key, a, b);
                if *desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(())
}

/// The current family `family_uuid` (refused outside the caller's locations) and those of its
/// members the caller may see (D9: a member living in a village outside the caller's locations
/// is left out, as in `insurees`) that pass `filter`, in `order_by`'s order.
pub async fn family_members(
    state: &AppState,
    p: &Principal,
    family_uuid: Uuid,
    filter: &MemberFilter,
    order_by: Option<&[String]>,
) -> AppResult<(family::Model, Vec<insuree::Model>)> {
    let conn = &state.db.conn;
    let fam = find_family(conn, family_uuid).await?;
    check_family_scope(conn, p, &fam).await?;
    let allowed = p.scope.allowed_locations(conn).await?;
    let tz = state.clock.tz;
    let mut members: Vec<insuree::Model> = members_of(conn, fam.id)
        .await?
        .into_iter()
        .filter(|m| match &allowed {
            None => true,
            Some(a) => insuree_location(m, Some(&fam)).is_some_and(|l| a.contains(&l)),
        })
        .filter(|m| filter.matches(m, tz))
        .collect();
    sort_members(&mut members, order_by)?;
    Ok((fam, members))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(exact: Option<&str>, iexact: Option<&str>, start: Option<&str>) -> TextLookup {
        TextLookup {
            exact: exact.map(str::to_string),
            iexact: iexact.map(str::to_string),
            istartswith: start.map(str::to_string),
            icontains: None,
            isnull: None,
        }
    }

    #[test]
    fn exact_keeps_case_and_i_lookups_ignore_it() {
        assert!(lookup(Some("Ab"), None, None).matches(Some("Ab")));
        assert!(!lookup(Some("ab"), None, None).matches(Some("Ab")));
        assert!(lookup(None, Some("ab"), None).matches(Some("Ab")));
        assert!(lookup(None, None, Some("a")).matches(Some("Ab")));
        assert!(!lookup(None, None, Some("b")).matches(Some("Ab")));
        // A null column matches no text lookup, and only `_Isnull: true`.
        assert!(!lookup(None, Some("ab"), None).matches(None));
        let null = TextLookup {
            isnull: Some(true),
            ..Default::default()
        };
        assert!(null.matches(None));
        assert!(!null.matches(Some("x")));
    }

    #[test]
    fn names_ignore_case_and_accents_even_when_exact() {
        let folded = fold("Élodie");
        assert!(lookup(Some("ELODIE"), None, None).matches_name(&folded));
        assert!(lookup(None, None, Some("élo")).matches_name(&folded));
        assert!(!lookup(None, None, Some("lod")).matches_name(&folded));
    }

    #[test]
    fn ranges_compare_and_null_matches_no_comparison() {
        let r = RangeLookup {
            gte: Some(2),
            lt: Some(5),
            ..Default::default()
        };
        assert!(r.matches(Some(2)));
        assert!(!r.matches(Some(5)));
        assert!(!r.matches(None));
        let null = RangeLookup::<i32> {
            isnull: Some(false),
            ..Default::default()
        };
        assert!(null.matches(Some(1)));
        assert!(!null.matches(None));
    }
}
