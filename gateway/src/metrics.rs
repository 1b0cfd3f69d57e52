//! A small in-house Prometheus registry: request counters, a latency histogram, the GraphQL error
//! counter and database pool gauges, rendered in the Prometheus text format on `GET /metrics`.

use imis_core::AppState;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the request duration histogram.
pub const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Sum of durations in microseconds.
    sum_micros: AtomicU64,
    graphql_errors: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((seconds * 1_000_000.0) as u64, Ordering::Relaxed);
    }

    pub fn graphql_errors(&self, n: u64) {
        if n > 0 {
            self.graphql_errors.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub fn render(&self, state: &AppState) -> String {
        let mut s = String::new();
        s.push_str("# HELP imis_http_requests_total HTTP requests by method, route and status.\n");
        s.push_str("# TYPE imis_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    s,
                    "imis_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        s.push_str("# HELP imis_http_request_duration_seconds HTTP request duration.\n");
        s.push_str("# TYPE imis_http_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "imis_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "imis_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            s,
            "imis_http_request_duration_seconds_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1_000_000.0
        );
        let _ = writeln!(s, "imis_http_request_duration_seconds_count {count}");
        s.push_str("# HELP imis_graphql_errors_total Errors returned in GraphQL responses.\n");
        s.push_str("# TYPE imis_graphql_errors_total counter\n");
        let _ = writeln!(
            s,
            "imis_graphql_errors_total {}",
            self.graphql_errors.load(Ordering::Relaxed)
        );
        let (size, idle) = pool_stats(state);
        s.push_str("# HELP imis_db_pool_connections Open database connections.\n");
        s.push_str("# TYPE imis_db_pool_connections gauge\n");
        let _ = writeln!(s, "imis_db_pool_connections {size}");
        s.push_str("# HELP imis_db_pool_idle_connections Idle database connections.\n");
        s.push_str("# TYPE imis_db_pool_idle_connections gauge\n");
        let _ = writeln!(s, "imis_db_pool_idle_connections {idle}");
        s
    }
}

fn pool_stats(state: &AppState) -> (u64, u64) {
    use sea_orm::DbBackend;
    match state.db.conn.get_database_backend() {
        DbBackend::Sqlite => {
            let p = state.db.conn.get_sqlite_connection_pool();
            (p.size() as u64, p.num_idle() as u64)
        }
        DbBackend::Postgres => {
            let p = state.db.conn.get_postgres_connection_pool();
            (p.size() as u64, p.num_idle() as u64)
        }
        _ => (0, 0),
    }
}
