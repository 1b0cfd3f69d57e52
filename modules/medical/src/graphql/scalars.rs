//! The openIMIS scalars and enums only the medical module uses.

use async_graphql::{Enum, InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// openIMIS `ServiceCodeInputType`: an item or service code, a string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceCodeInputType(pub String);

#[Scalar(name = "ServiceCodeInputType")]
impl ScalarType for ServiceCodeInputType {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(ServiceCodeInputType(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// openIMIS `TinyInt`: a small integer (also accepted as a numeric string). Other modules with
/// `TinyInt` inputs (claims) should use this type, as a GraphQL name is registered once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TinyInt(pub i32);

#[Scalar(name = "TinyInt")]
impl ScalarType for TinyInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .map(TinyInt)
                .ok_or_else(|| InputValueError::custom("expected a small integer")),
            Value::String(s) => s
                .trim()
                .parse::<i32>()
                .map(TinyInt)
                .map_err(|_| InputValueError::custom("expected a small integer")),
            Value::Boolean(b) => Ok(TinyInt(i32::from(*b))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// openIMIS `PatientCategories`: OR-ed into the patient category mask.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "PatientCategories")]
pub enum PatientCategories {
    #[graphql(name = "ADULT")]
    Adult,
    #[graphql(name = "MINOR")]
    Minor,
    #[graphql(name = "MALE")]
    Male,
    #[graphql(name = "FEMALE")]
    Female,
}

impl PatientCategories {
    /// The bit of the mask: 1 male, 2 female, 4 adult, 8 minor.
    pub fn bit(self) -> i32 {
        match self {
            PatientCategories::Male => 1,
            PatientCategories::Female => 2,
            PatientCategories::Adult => 4,
            PatientCategories::Minor => 8,
        }
    }
}

/// openIMIS `ServicePackagetype`: `S` simple, `P` package, `F` flat-rate package.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "ServicePackagetype")]
pub enum ServicePackagetype {
    P,
    S,
    F,
}

impl ServicePackagetype {
    pub fn code(self) -> &'static str {
        match self {
            ServicePackagetype::P => "P",
            ServicePackagetype::S => "S",
            ServicePackagetype::F => "F",
        }
    }
    pub fn from_code(code: &str) -> ServicePackagetype {
        match code {
            "P" => ServicePackagetype::P,
            "F" => ServicePackagetype::F,
            _ => ServicePackagetype::S,
        }
    }
}
