//! The openIMIS scalars: `Date` (`YYYY-MM-DD`), `DateTime` (ISO without zone, in the configured
//! zone), `Decimal` (a string), `JSONString`. Date inputs also accept a DateTime, truncated (D3, D11).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, NaiveDateTime};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date(s).map(Date).ok_or_else(|| {
                InputValueError::custom(format!("invalid date `{s}`, expected YYYY-MM-DD"))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Accepts `YYYY-MM-DD` and ISO date-times (the date part is kept).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| parse_datetime(s).map(|d| d.date()))
}

/// The configured time zone (D11), set when the application state is built: a date-time sent
/// with an offset is converted to it before its date is taken.
static INPUT_ZONE: std::sync::RwLock<chrono_tz::Tz> = std::sync::RwLock::new(chrono_tz::UTC);

pub fn set_input_zone(tz: chrono_tz::Tz) {
    if let Ok(mut z) = INPUT_ZONE.write() {
        *z = tz;
    }
}

pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        let zone = INPUT_ZONE.read().map(|z| *z).unwrap_or(chrono_tz::UTC);
        return Some(d.with_timezone(&zone).naive_local());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
}

/// A local date-time in the configured zone, printed without zone as openIMIS does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateTime(pub NaiveDateTime);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_datetime(s)
                .map(DateTime)
                .ok_or_else(|| InputValueError::custom(format!("invalid date-time `{s}`"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%dT%H:%M:%S%.6f").to_string())
    }
}

impl DateTime {
    /// An instant shown in the configured zone.
    pub fn from_utc(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> Self {
        DateTime(t.with_timezone(&tz).naive_local())
    }
}

/// openIMIS `JSONString`: JSON carried as a string.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JsonString(pub serde_json::Value);

#[Scalar(name = "JSONString")]
impl ScalarType for JsonString {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => serde_json::from_str(&s)
                .map(JsonString)
                .map_err(|e| InputValueError::custom(format!("invalid JSON: {e}"))),
            other => Ok(JsonString(
                other
                    .into_json()
                    .map_err(|e| InputValueError::custom(e.to_string()))?,
            )),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// graphene's `GenericScalar`: any JSON value, as is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GenericScalar(pub serde_json::Value);

#[Scalar(name = "GenericScalar")]
impl ScalarType for GenericScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        Ok(GenericScalar(
            value
                .into_json()
                .map_err(|e| InputValueError::custom(e.to_string()))?,
        ))
    }
    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}
