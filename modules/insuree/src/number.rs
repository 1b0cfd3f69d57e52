//! Insurance-number (CHF ID) validation (D18, reference §3.4). Checked in this order: taken by
//! another current insuree (1); then, if a country validator is configured, its result replaces
//! the other checks; empty (2), wrong length (3), modulo check fails or non-digits (4).
//! Country modules register validators with `inventory::submit!`.

use crate::config::InsureeConfig;

/// A country-specific validator; returns `Ok(())` or an openIMIS error code.
pub struct NumberValidator {
    pub name: &'static str,
    pub validate: fn(&str) -> Result<(), i32>,
}

imis_core::inventory::collect!(NumberValidator);

pub fn validators() -> impl Iterator<Item = &'static NumberValidator> {
    imis_core::inventory::iter::<NumberValidator>.into_iter()
}

pub fn find_validator(name: &str) -> Option<&'static NumberValidator> {
    validators().find(|v| v.name == name)
}

/// Moldovan IDNP (13 digits; weights 7, 3, 1 on the first 12; sum mod 10 = the 13th digit;
/// resident numbers start with 2 or 09), shipped as the example of reference §3.4.
fn md_idnp(number: &str) -> Result<(), i32> {
    let digits: Vec<u32> = number
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .ok_or(4)?;
    if digits.len() != 13 {
        return Err(3);
    }
    if !(number.starts_with('2') || number.starts_with("09")) {
        return Err(4);
    }
    let sum: u32 = digits[..12]
        .iter()
        .zip([7, 3, 1].iter().cycle())
        .map(|(d, w)| d * w)
        .sum();
    if sum % 10 == digits[12] {
        Ok(())
    } else {
        Err(4)
    }
}

imis_core::inventory::submit! { NumberValidator { name: "md_idnp", validate: md_idnp } }

/// Format checks (codes 2–4) under the configured rules; uniqueness (code 1) is the service's.
pub fn check_format(number: &str, cfg: &InsureeConfig) -> Result<(), i32> {
    if let Some(v) = cfg.number_validator.as_deref().and_then(find_validator) {
        return (v.validate)(number);
    }
    if number.trim().is_empty() {
        return Err(2);
    }
    if let Some(len) = cfg.number_length
        && number.chars().count() != len
    {
        return Err(3);
    }
    if let Some(root) = cfg.number_modulo_root {
        let digits: Vec<u32> = number
            .chars()
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(4)?;
        let (body, last) = digits.split_at(digits.len() - 1);
        let ok = if root == 10 {
            // Luhn variant: digits at even 0-based positions from the left (last excluded) map
            // d → 2d − 9 if d > 4 else 2d.
            let sum: u32 = body
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    if i % 2 == 0 {
                        if *d > 4 { 2 * d - 9 } else { 2 * d }
                    } else {
                        *d
                    }
                })
                .sum::<u32>()
                + last[0];
            sum % 10 == 0
        } else {
            let value = body.iter().fold(0u128, |acc, d| acc * 10 + *d as u128);
            value % root as u128 == last[0] as u128
        };
        if !ok {
            return Err(4);
        }
    }
    Ok(())
}

/// The message key of an openIMIS validation code.
pub fn error_code_name(code: i32) -> &'static str {
    match code {
        1 => "insuree.number_taken",
        2 => "insuree.number_empty",
        3 => "insuree.number_length",
        4 => "insuree.number_invalid",
        _ => "insuree.number_invalid",
    }
}

/// Appends the check digit of the configured modulo rule to `body` (demo and scale data).
pub fn with_check_digit(body: &str, root: u32) -> String {
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    let check = if root == 10 {
        let sum: u32 = digits
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 0 {
                    if *d > 4 { 2 * d - 9 } else { 2 * d }
                } else {
                    *d
                }
            })
            .sum();
        (10 - sum % 10) % 10
    } else {
        (digits.iter().fold(0u128, |acc, d| acc * 10 + *d as u128) % root as u128) as u32
    };
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(len: Option<usize>, root: Option<u32>) -> InsureeConfig {
        InsureeConfig {
            number_length: len,
            number_modulo_root: root,
            ..Default::default()
        }
    }

    #[test]
    fn reference_examples() {
        // Length 5, root 7: "12342" is valid because 1234 mod 7 = 2.
        assert_eq!(check_format("12342", &cfg(Some(5), Some(7))), Ok(()));
        assert_eq!(check_format("12343", &cfg(Some(5), Some(7))), Err(4));
        assert_eq!(check_format("1234", &cfg(Some(5), Some(7))), Err(3));
        assert_eq!(check_format("", &cfg(Some(5), Some(7))), Err(2));
        assert_eq!(check_format("12a42", &cfg(Some(5), Some(7))), Err(4));
        // Classic openIMIS: 9 digits, modulo 7.
        let n = with_check_digit("12345678", 7);
        assert_eq!(check_format(&n, &cfg(Some(9), Some(7))), Ok(()));
        // Luhn variant (root 10).
        let n = with_check_digit("7992739871", 10);
        assert_eq!(check_format(&n, &cfg(None, Some(10))), Ok(()));
        let mut wrong = n.clone();
        wrong.pop();
        wrong.push(if n.ends_with('0') { '1' } else { '0' });
        assert_eq!(check_format(&wrong, &cfg(None, Some(10))), Err(4));
        // No rules: anything non-empty.
        assert_eq!(check_format("ABC-1", &cfg(None, None)), Ok(()));
    }

    #[test]
    fn the_moldovan_validator_replaces_the_other_rules() {
        let c = InsureeConfig {
            number_validator: Some("md_idnp".into()),
            number_length: Some(9),
            ..Default::default()
        };
        // 2 0 0 2 0 0 0 0 0 0 0 0 → weights 7 3 1 ... : 14 + 2*1... computed: build a valid one.
        let body = "200200000000";
        let sum: u32 = body
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .zip([7, 3, 1].iter().cycle())
            .map(|(d, w)| d * w)
            .sum();
        let valid = format!("{body}{}", sum % 10);
        assert_eq!(check_format(&valid, &c), Ok(()));
        assert_eq!(
            check_format("2002000000009", &c).is_err(),
            valid != "2002000000009"
        );
        assert_eq!(check_format("123", &c), Err(3));
    }
}
