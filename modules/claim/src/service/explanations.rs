//! Why a claim or its lines were rejected, in the caller's language: one sentence per rejected
//! line (`claim.rejection.<reason>`) and one for the claim-level reason
//! (`claim.rejection.claim.<reason>`), filled with the facts the submission rules recorded on the
//! line (`rejection_facts`: the waiting period's end, the limit and the quantity already used,
//! the price list consulted, …). What it reads is loaded for a whole page of claims at once
//! ([`load`]): the rejected lines, their codes, and the insurees' numbers for reason 7.

use super::rules::{Facts, LineKind};
use super::*;
use crate::entity::{claim, detail};
use imis_core::kit::CurrentRows;
use imis_medical::api::MedicalKind;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// One explained rejection: a line's (with its uuid, kind and medical code) or the claim's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Explanation {
    pub line_uuid: Option<Uuid>,
    pub kind: Option<LineKind>,
    pub code: Option<String>,
    pub rejection_reason: i32,
    pub text: String,
}

/// The message code of a line rejected with `reason`.
pub(crate) fn line_message(reason: i32) -> String {
    match reason {
        -1 => "claim.rejection.reviewer".into(),
        1..=19 => format!("claim.rejection.{reason}"),
        _ => "claim.rejection.other".into(),
    }
}

/// The message code of a claim rejected with the claim-level `reason`.
pub(crate) fn claim_message(reason: i32) -> String {
    match reason {
        1 | 3 | 7 | 9 | 11..=15 | 19 => format!("claim.rejection.claim.{reason}"),
        _ => "claim.rejection.claim.other".into(),
    }
}

fn text(code: &str, lang: &str, params: &Facts) -> String {
    imis_core::i18n::message(code, lang, params)
}

/// What explaining the rejections of a set of claims reads, loaded for all of them at once.
#[derive(Debug, Default)]
pub(crate) struct Rejections {
    /// The current rejected lines of each claim, in line order.
    lines: HashMap<i64, Vec<detail::Model>>,
    /// The codes of the lines' items and services.
    codes: HashMap<(LineKind, i64), String>,
    /// The insurance numbers of the insurees of claims rejected for reason 7.
    chf_ids: HashMap<i64, String>,
}

/// The claim-level reason whose explanation names the insuree's number.
const REASON_NO_INSUREE: i32 = 7;

/// Loads what explaining `claims` needs in a fixed number of queries, whatever their number:
/// the rejected lines, their items' and services' codes, and the insurees' numbers of the claims
/// rejected for reason 7 (each read 500 keys at a time). The caller has already reached the claims.
pub(crate) async fn load(
    conn: &impl ConnectionTrait,
    claims: &[&claim::Model],
) -> AppResult<Rejections> {
    let mut out = Rejections::default();
    let ids: Vec<i64> = claims.iter().map(|c| c.id).collect();
    for chunk in ids.chunks(500) {
        for line in detail::Entity::find()
            .filter(detail::Column::ClaimId.is_in(chunk.iter().copied()))
            .filter(detail::Column::Status.eq(LINE_REJECTED))
            .current()
            .order_by_asc(detail::Column::ClaimId)
            .order_by_asc(detail::Column::Id)
            .all(conn)
            .await?
        {
            out.lines.entry(line.claim_id).or_default().push(line);
        }
    }
    for (kind, medical_kind) in [
        (LineKind::Item, MedicalKind::Item),
        (LineKind::Service, MedicalKind::Service),
    ] {
        let mut ids: Vec<i64> = out
            .lines
            .values()
            .flatten()
            .filter(|l| LineKind::of(&l.kind) == kind)
            .map(|l| l.medical_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(500) {
            for (id, code) in imis_medical::api::act_codes(conn, medical_kind, chunk).await? {
                out.codes.insert((kind, id), code);
            }
        }
    }
    let mut insurees: Vec<i64> = claims
        .iter()
        .filter(|c| c.status == STATUS_REJECTED && c.rejection_reason == REASON_NO_INSUREE)
        .map(|c| c.insuree_id)
        .collect();
    insurees.sort_unstable();
    insurees.dedup();
    if !insurees.is_empty() {
        out.chf_ids = imis_insuree::api::insurees_by_ids(conn, &insurees)
            .await?
            .into_iter()
            .map(|(id, i)| (id, i.chf_id))
            .collect();
    }
    Ok(out)
}

/// The rejections of `claim` explained in `lang`: the claim-level reason first (a Rejected
/// claim), then each current rejected line in line order.
pub(crate) async fn explain(
    conn: &impl ConnectionTrait,
    claim: &claim::Model,
    lang: &str,
) -> AppResult<Vec<Explanation>> {
    Ok(load(conn, &[claim]).await?.explain(claim, lang))
}

impl Rejections {
    /// The rejections of `claim` (one of the claims loaded) explained in `lang`: the
    /// claim-level reason first (a Rejected claim), then each current rejected line in line
    /// order.
    pub(crate) fn explain(&self, claim: &claim::Model, lang: &str) -> Vec<Explanation> {
        let lines: &[detail::Model] = self.lines.get(&claim.id).map_or(&[], Vec::as_slice);
        let facts_of = |l: &detail::Model| -> Facts {
            l.rejection_facts
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .unwrap_or_default()
        };
        let mut out = vec![];
        if claim.status == STATUS_REJECTED && claim.rejection_reason > 0 {
            let reason = claim.rejection_reason;
            let target = claim.date_to.unwrap_or(claim.date_from);
            let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
            let mut params: Facts = match reason {
                3 => [("date".to_string(), date(target))].into(),
                9 => [
                    ("dateClaimed".to_string(), date(claim.date_claimed)),
                    ("dateFrom".to_string(), date(claim.date_from)),
                    ("dateTo".to_string(), date(target)),
                ]
                .into(),
                REASON_NO_INSUREE => {
                    let chf_id = self
                        .chf_ids
                        .get(&claim.insuree_id)
                        .cloned()
                        .unwrap_or_default();
                    [("chfId".to_string(), chf_id)].into()
                }
                // A category maximum: the facts of a line it rejected.
                _ => lines
                    .iter()
                    .find(|l| l.rejection_reason == Some(reason))
                    .map(facts_of)
                    .unwrap_or_default(),
            };
            params.insert("reason".into(), reason.to_string());
            out.push(Explanation {
                line_uuid: None,
                kind: None,
                code: None,
                rejection_reason: reason,
                text: text(&claim_message(reason), lang, &params),
            });
        }
        for l in lines {
            let kind = LineKind::of(&l.kind);
            let reason = l.rejection_reason.unwrap_or(0);
            let code = self
                .codes
                .get(&(kind, l.medical_id))
                .cloned()
                .unwrap_or_default();
            let mut params = facts_of(l);
            params.insert("code".into(), code.clone());
            params.insert("reason".into(), reason.to_string());
            out.push(Explanation {
                line_uuid: Some(l.uuid),
                kind: Some(kind),
                code: Some(code),
                rejection_reason: reason,
                text: text(&line_message(reason), lang, &params),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_texts(code: &str) -> bool {
        crate::messages::MESSAGES
            .iter()
            .any(|(c, en, fr)| *c == code && !en.is_empty() && !fr.is_empty())
    }

    #[test]
    fn every_reason_has_its_sentence() {
        for reason in (1..=19).chain([-1, 0, 20]) {
            let code = line_message(reason);
            assert!(has_texts(&code), "{code}");
        }
        for reason in [1, 3, 7, 9, 11, 12, 13, 14, 15, 19, 2] {
            let code = claim_message(reason);
            assert!(has_texts(&code), "{code}");
        }
        assert_eq!(line_message(17), "claim.rejection.17");
        assert_eq!(line_message(-1), "claim.rejection.reviewer");
        assert_eq!(claim_message(2), "claim.rejection.claim.other");
    }

    #[test]
    fn sentences_carry_the_facts_in_the_callers_language() {
        let facts: Facts = [
            ("code", "AMOX5"),
            ("product", "MUT01"),
            ("limit", "3"),
            ("used", "2.5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            text(&line_message(16), "en", &facts),
            "AMOX5: product MUT01 allows 3 per coverage period and 2.5 were already provided."
        );
        assert_eq!(
            text(&line_message(16), "fr", &facts),
            "AMOX5 : le produit MUT01 en autorise 3 par période de couverture et 2.5 ont déjà été fournis."
        );
    }
}
