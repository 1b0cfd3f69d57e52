//! GraphQL fields every module's types repeat: the version fields of a versioned row (D7), its
//! global id, and instants and money shown per request (configured zone, currency digits).

use crate::graphql::scalars::DateTime;
use crate::graphql::{global_id, state};
use crate::money::Money;
use async_graphql::{Context, ID, Object};
use rust_decimal::Decimal;

/// An instant shown in the configured time zone (D11).
pub fn date_time(ctx: &Context<'_>, t: chrono::DateTime<chrono::Utc>) -> DateTime {
    DateTime::from_utc(t, state(ctx).clock.tz)
}

/// An amount stored in minor units, shown with the configured currency digits.
pub fn money(ctx: &Context<'_>, minor: i64) -> Decimal {
    Money(minor).to_decimal(state(ctx).config.core.currency_minor_digits)
}

/// The global id of a row, or of one of its history versions (`<Type>History:<history pk>`).
pub fn node_id(type_name: &str, id: i64, history_id: Option<i64>) -> ID {
    match history_id {
        Some(h) => global_id(&format!("{type_name}History"), h),
        None => global_id(type_name, id),
    }
}

/// `validityFrom`, `validityTo` and `legacyId` of a versioned row, as openIMIS types show them.
/// A type includes them with a flattened resolver:
/// `#[graphql(flatten)] async fn version(&self) -> VersionFields { VersionFields::of_row(..) }`.
/// For a history version, `legacyId` is the id of the current row.
#[derive(Debug, Clone, Copy)]
pub struct VersionFields {
    pub id: i64,
    pub history_id: Option<i64>,
    pub validity_from: chrono::DateTime<chrono::Utc>,
    pub validity_to: Option<chrono::DateTime<chrono::Utc>>,
}

impl VersionFields {
    pub fn of(
        id: i64,
        history_id: Option<i64>,
        validity_from: chrono::DateTime<chrono::Utc>,
        validity_to: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Self {
        Self {
            id,
            history_id,
            validity_from,
            validity_to,
        }
    }

    /// The version fields of `row`, a current row (`history_id` `None`) or one of its versions.
    pub fn of_row(row: &impl crate::history::Versioned, history_id: Option<i64>) -> Self {
        Self::of(row.id(), history_id, row.validity_from(), row.validity_to())
    }
}

#[Object(visible = false)]
impl VersionFields {
    #[graphql(flatten)]
    async fn validity(&self) -> Validity {
        Validity::of(self.validity_from, self.validity_to)
    }
    /// For a version: the id of the current row.
    async fn legacy_id(&self) -> Option<i64> {
        self.history_id.map(|_| self.id)
    }
}

/// `validityFrom` and `validityTo` of a row whose openIMIS type shows no `legacyId` (role rights,
/// interactive users, locations): `#[graphql(flatten)] async fn validity(&self) -> Validity`.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

impl Validity {
    pub fn of(
        from: chrono::DateTime<chrono::Utc>,
        to: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Self {
        Self { from, to }
    }
}

#[Object(visible = false)]
impl Validity {
    async fn validity_from(&self, ctx: &Context<'_>) -> DateTime {
        date_time(ctx, self.from)
    }
    async fn validity_to(&self, ctx: &Context<'_>) -> Option<DateTime> {
        self.to.map(|t| date_time(ctx, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{EmptyMutation, EmptySubscription, Schema};

    struct Thing;

    #[Object]
    impl Thing {
        async fn id(&self) -> ID {
            node_id("ThingGQLType", 7, None)
        }
        #[graphql(flatten)]
        async fn version(&self) -> VersionFields {
            VersionFields::of(7, Some(3), chrono::DateTime::UNIX_EPOCH, None)
        }
        async fn name(&self) -> String {
            "x".into()
        }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn thing(&self) -> Thing {
            Thing
        }
    }

    #[test]
    fn flattened_version_fields_appear_on_the_type_and_nowhere_else() {
        let sdl = Schema::new(Query, EmptyMutation, EmptySubscription).sdl();
        assert!(!sdl.contains("VersionFields"), "{sdl}");
        let thing = sdl
            .split("type Thing {")
            .nth(1)
            .and_then(|t| t.split('}').next())
            .unwrap_or_default();
        for field in [
            "id: ID!",
            "validityFrom: DateTime!",
            "validityTo: DateTime",
            "legacyId: Int",
            "name: String!",
        ] {
            assert!(thing.contains(field), "{field} missing from {thing}");
        }
    }
}
