//! The programme's formats.
//!
//! - **Site code**: 3 to 10 characters, upper-case letters, digits and hyphens, beginning with a
//!   letter and ending with a letter or digit, e.g. `LT-DLA01` (region `LT`, site `DLA01`).
//! - **ART number**: `<site code>/<YYYY>/<NNNNN>`: the code of the treatment site that opened the
//!   patient's ART file, the year treatment started (1990 to the current year) and a five-digit
//!   sequence within the site and year (not `00000`), e.g. `LT-DLA01/2024/00042`.
//!
//! Both are compared and stored normalised: trimmed and in upper case.

use imis_core::{AppError, AppResult};

/// The first year an ART file can carry (the programme's register began after it).
pub(crate) const FIRST_ART_YEAR: i32 = 1990;

/// Trimmed and upper case.
pub(crate) fn normalise(code: &str) -> String {
    code.trim().to_uppercase()
}

fn site_code_ok(code: &str) -> bool {
    let bytes = code.as_bytes();
    (3..=10).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
}

/// The normalised site code, or `cm_hiv.site_code_invalid`.
pub(crate) fn check_site_code(code: &str) -> AppResult<String> {
    let code = normalise(code);
    if site_code_ok(&code) {
        Ok(code)
    } else {
        Err(AppError::validation("cm_hiv.site_code_invalid").with("siteCode", code))
    }
}

/// An ART number's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArtNumber {
    /// The normalised number.
    pub(crate) number: String,
    pub(crate) site_code: String,
}

/// The normalised ART number and its site code, or `cm_hiv.art_number_invalid`; `this_year` is
/// the current year in the configured time zone.
pub(crate) fn parse_art_number(raw: &str, this_year: i32) -> AppResult<ArtNumber> {
    let number = normalise(raw);
    let invalid = || AppError::validation("cm_hiv.art_number_invalid").with("artNumber", &number);
    let parts: Vec<&str> = number.split('/').collect();
    let [site, year, sequence] = parts.as_slice() else {
        return Err(invalid());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !site_code_ok(site) || !digits(year, 4) || !digits(sequence, 5) || *sequence == "00000" {
        return Err(invalid());
    }
    let year: i32 = year.parse().map_err(|_| invalid())?;
    if !(FIRST_ART_YEAR..=this_year).contains(&year) {
        return Err(invalid());
    }
    Ok(ArtNumber {
        site_code: site.to_string(),
        number: number.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_codes() {
        assert_eq!(check_site_code(" lt-dla01 ").unwrap(), "LT-DLA01");
        for bad in [
            "",
            "LT",
            "1LT",
            "LT-",
            "LT DLA",
            "LT/DLA",
            "ABCDEFGHIJK",
            "LT_DLA",
        ] {
            assert_eq!(
                check_site_code(bad).unwrap_err().code,
                "cm_hiv.site_code_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn art_numbers() {
        let n = parse_art_number(" lt-dla01/2024/00042", 2026).unwrap();
        assert_eq!(n.number, "LT-DLA01/2024/00042");
        assert_eq!(n.site_code, "LT-DLA01");
        assert!(parse_art_number("LT-DLA01/1990/00001", 2026).is_ok());
        assert!(parse_art_number("LT-DLA01/2026/99999", 2026).is_ok());
        for bad in [
            "",
            "LT-DLA01/2024",
            "LT-DLA01/2024/00042/1",
            "LT-DLA01/24/00042",
            "LT-DLA01/2024/0042",
            "LT-DLA01/2024/00000",
            "LT-DLA01/1989/00001",
            "LT-DLA01/2027/00001",
            "LT-DLA01/2O24/00001",
            "-DLA/2024/00001",
            "LT-DLA01//2024/00001",
        ] {
            assert_eq!(
                parse_art_number(bad, 2026).unwrap_err().code,
                "cm_hiv.art_number_invalid",
                "{bad}"
            );
        }
    }
}
