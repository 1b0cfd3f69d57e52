//! GraphQL enums of products, with openIMIS names and values.

use super::*;

/// `CeilingTypeEnum`: `I` insuree, `T` treatment, `P` policy.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CeilingTypeEnum")]
pub enum CeilingTypeEnum {
    Treatment,
    Policy,
    Insuree,
}

impl CeilingTypeEnum {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Treatment => "T",
            Self::Policy => "P",
            Self::Insuree => "I",
        }
    }
    pub(crate) fn of(code: &str) -> Option<Self> {
        match code {
            "T" => Some(Self::Treatment),
            "P" => Some(Self::Policy),
            "I" => Some(Self::Insuree),
            _ => None,
        }
    }
}

/// `CeilingInterpretationEnum`: `I` by claim type, `H` by health-facility type.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CeilingInterpretationEnum")]
pub enum CeilingInterpretationEnum {
    ClaimType,
    HealthFacilityType,
}

impl CeilingInterpretationEnum {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::ClaimType => "I",
            Self::HealthFacilityType => "H",
        }
    }
    pub(crate) fn of(code: &str) -> Option<Self> {
        match code {
            "I" => Some(Self::ClaimType),
            "H" => Some(Self::HealthFacilityType),
            _ => None,
        }
    }
}

/// `CareTypeEnum`: `I`, `O`, `B`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CareTypeEnum")]
pub enum CareTypeEnum {
    InPatient,
    OutPatient,
    Both,
}

impl CareTypeEnum {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::InPatient => "I",
            Self::OutPatient => "O",
            Self::Both => "B",
        }
    }
    pub(crate) fn of(code: &str) -> Self {
        match code {
            "I" => Self::InPatient,
            "O" => Self::OutPatient,
            _ => Self::Both,
        }
    }
}

/// `PriceOriginEnum`: `P` price list, `O` provider, `R` relative.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "PriceOriginEnum")]
pub enum PriceOriginEnum {
    Pricelist,
    Provider,
    Relative,
}

impl PriceOriginEnum {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Pricelist => "P",
            Self::Provider => "O",
            Self::Relative => "R",
        }
    }
    pub(crate) fn of(code: &str) -> Option<Self> {
        match code {
            "P" => Some(Self::Pricelist),
            "O" => Some(Self::Provider),
            "R" => Some(Self::Relative),
            _ => None,
        }
    }
}

/// `LimitTypeEnum`: `C` co-insurance, `F` fixed amount.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "LimitTypeEnum")]
pub enum LimitTypeEnum {
    CoInsurance,
    FixedAmount,
}

impl LimitTypeEnum {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::CoInsurance => "C",
            Self::FixedAmount => "F",
        }
    }
    pub(crate) fn of(code: &str) -> Option<Self> {
        match code {
            "C" => Some(Self::CoInsurance),
            "F" => Some(Self::FixedAmount),
            _ => None,
        }
    }
}

/// `CeilingExclusionEnum`: `H` hospital, `N` non-hospital, `B` both.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[graphql(name = "CeilingExclusionEnum")]
pub enum CeilingExclusionEnum {
    Hospital,
    NonHospital,
    Both,
}

impl CeilingExclusionEnum {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Hospital => "H",
            Self::NonHospital => "N",
            Self::Both => "B",
        }
    }
    pub(crate) fn of(code: &str) -> Option<Self> {
        match code {
            "H" => Some(Self::Hospital),
            "N" => Some(Self::NonHospital),
            "B" => Some(Self::Both),
            _ => None,
        }
    }
}
