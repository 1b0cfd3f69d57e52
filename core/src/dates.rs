//! Dates in the configured time zone (D11): "today", conversion of DateTime inputs, and month
//! arithmetic that keeps the day of month clamped to the end of the target month.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// The clock used by services; tests pin it.
#[derive(Clone, Debug)]
pub struct Clock {
    pub tz: Tz,
    pub fixed: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn new(tz: Tz) -> Self {
        Self { tz, fixed: None }
    }
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }
    /// Today's calendar date in the configured zone.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.tz).date_naive()
    }
    /// The calendar date of an instant in the configured zone.
    pub fn date_of(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }
}

/// Full years of age on `day` for someone born on `dob`.
pub fn age_on(dob: NaiveDate, day: NaiveDate) -> i32 {
    let mut years = day.year() - dob.year();
    if (day.month(), day.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// Adds (or subtracts) months, clamping the day to the last day of the target month.
/// Saturates at the calendar's limits instead of failing (a month count comes from data).
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let total = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let Ok(year) = i32::try_from(year) else {
        return if months > 0 {
            NaiveDate::MAX
        } else {
            NaiveDate::MIN
        };
    };
    if year > NaiveDate::MAX.year() || year < NaiveDate::MIN.year() {
        return if months > 0 {
            NaiveDate::MAX
        } else {
            NaiveDate::MIN
        };
    }
    let last = last_day_of_month(year, month0 + 1);
    NaiveDate::from_ymd_opt(year, month0 + 1, date.day().min(last)).unwrap_or(if months > 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

pub fn last_day_of_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_months_saturates() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        assert_eq!(add_months(d, i32::MAX), NaiveDate::MAX);
        assert_eq!(add_months(d, i32::MIN), NaiveDate::MIN);
        assert_eq!(
            add_months(d, 1),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(add_months(d("2021-01-31"), 1), d("2021-02-28"));
        assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(add_months(d("2021-03-31"), -1), d("2021-02-28"));
        assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
        assert_eq!(add_months(d("2024-11-15"), 3), d("2025-02-15"));
    }

    #[test]
    fn pinned_expiry_examples_of_d11() {
        // Expiry = start + months − 1 day, always from the start date.
        let expiry = |start: &str, months| add_months(d(start), months).pred_opt().unwrap();
        assert_eq!(expiry("2021-01-31", 1), d("2021-02-27"));
        assert_eq!(expiry("2024-02-29", 12), d("2025-02-27"));
    }

    #[test]
    fn today_follows_the_configured_zone() {
        let t: DateTime<Utc> = "2026-11-22T23:30:00Z".parse().unwrap();
        let clock = Clock {
            tz: "Africa/Douala".parse().unwrap(),
            fixed: Some(t),
        };
        assert_eq!(clock.today(), d("2026-11-23"));
        let clock = Clock {
            tz: "America/Lima".parse().unwrap(),
            fixed: Some(t),
        };
        assert_eq!(clock.today(), d("2026-11-22"));
    }
}
