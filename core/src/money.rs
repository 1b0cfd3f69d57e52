//! Money: `i64` minor units in storage (SQLite has no exact decimal), `Decimal` in code and at the
//! API. The number of minor digits is the configured `core.currency_minor_digits` (default 2).

use crate::error::{AppError, AppResult};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// Converts an amount, refusing more decimals than the currency has (the server never rounds
    /// an amount a user typed).
    pub fn from_decimal(d: Decimal, minor_digits: u32) -> AppResult<Money> {
        let scaled = d * Decimal::from(10i64.pow(minor_digits));
        if scaled.fract() != Decimal::ZERO {
            return Err(AppError::invalid("amount", "too many decimal places"));
        }
        scaled
            .to_i64()
            .map(Money)
            .ok_or_else(|| AppError::invalid("amount", "out of range"))
    }

    /// Rounds half away from zero to the currency's digits, for computed amounts.
    pub fn round_from_decimal(d: Decimal, minor_digits: u32) -> AppResult<Money> {
        let r = d.round_dp_with_strategy(
            minor_digits,
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        );
        Self::from_decimal(r, minor_digits)
    }

    pub fn to_decimal(self, minor_digits: u32) -> Decimal {
        Decimal::new(self.0, minor_digits)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_exactly() {
        let d = Decimal::from_str("9999999999999999.99").unwrap();
        let m = Money::from_decimal(d, 2).unwrap();
        assert_eq!(m.0, 999_999_999_999_999_999);
        assert_eq!(m.to_decimal(2), d);
    }

    #[test]
    fn refuses_extra_decimals_and_rounds_computed_values() {
        assert!(Money::from_decimal(Decimal::from_str("1.005").unwrap(), 2).is_err());
        assert_eq!(
            Money::round_from_decimal(Decimal::from_str("1.005").unwrap(), 2).unwrap(),
            Money(101)
        );
        assert_eq!(
            Money::round_from_decimal(Decimal::from_str("-1.005").unwrap(), 2).unwrap(),
            Money(-101)
        );
        assert_eq!(
            Money::from_decimal(Decimal::from(1500), 0).unwrap(),
            Money(1500)
        );
    }
}
