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

    /// The one checked conversion of an amount received from a client: `field` names the input
    /// in the error. More decimals than the currency has, or a value beyond what storage holds
    /// (±9.2e18 minor units), answer `input.invalid` with the field name; never a panic.
    pub fn parse(field: &str, d: Decimal, minor_digits: u32) -> AppResult<Money> {
        Self::from_decimal(d, minor_digits).map_err(|e| {
            let reason = e
                .params
                .get("reason")
                .cloned()
                .unwrap_or_else(|| "invalid amount".into());
            AppError::invalid(field, &reason)
        })
    }

    /// Like [`Money::parse`] for amounts that may not be negative.
    pub fn parse_non_negative(field: &str, d: Decimal, minor_digits: u32) -> AppResult<Money> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(AppError::invalid(field, "must not be negative"));
        }
        Self::parse(field, d, minor_digits)
    }

    /// Converts an amount, refusing more decimals than the currency has (the server never rounds
    /// an amount a user typed) and values beyond the storable range.
    pub fn from_decimal(d: Decimal, minor_digits: u32) -> AppResult<Money> {
        let out_of_range = || AppError::invalid("amount", "out of range");
        let factor = 10i64
            .checked_pow(minor_digits)
            .map(Decimal::from)
            .ok_or_else(out_of_range)?;
        // Decimal's `*` panics on overflow (values near 7.9e28): multiply checked.
        let scaled = d.checked_mul(factor).ok_or_else(out_of_range)?;
        if scaled.fract() != Decimal::ZERO {
            return Err(AppError::invalid("amount", "too many decimal places"));
        }
        scaled.to_i64().map(Money).ok_or_else(out_of_range)
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

    #[test]
    fn values_beyond_storage_are_refused_with_the_field_name() {
        for text in [
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "792281625142643375935439503.35",
            "92233720368547758.08",
        ] {
            let e = Money::parse("lumpSum", Decimal::from_str(text).unwrap(), 2).unwrap_err();
            assert_eq!(e.code, "input.invalid");
            assert_eq!(e.params.get("field").map(String::as_str), Some("lumpSum"));
        }
        assert_eq!(
            Money::parse("x", Decimal::from_str("92233720368547758.07").unwrap(), 2).unwrap(),
            Money(i64::MAX)
        );
        assert!(Money::parse_non_negative("x", Decimal::from_str("-0.01").unwrap(), 2).is_err());
    }
}
