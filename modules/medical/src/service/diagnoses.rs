//! Diagnoses (ICD codes, openIMIS `tblICDCodes`): reads are open to every logged-in user, writes
//! need 131001 (D8). [`import_diagnoses_csv`] loads a `code,name` file in one transaction.

use super::*;
use crate::entity::diagnosis;
use imis_core::auth::{Principal, Requirement, require_user};
use imis_core::mutation::MutationCtx;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use std::collections::HashSet;
use uuid::Uuid;

/// The current diagnoses matching `f` (`diagnoses` / `diagnosesStr`, any logged-in user).
pub fn diagnoses_select(
    principal: Option<&Principal>,
    f: &CodeNameFilter,
) -> AppResult<Select<diagnosis::Entity>> {
    use diagnosis::Column as C;
    code_name_select(principal, f, [C::Id, C::Uuid, C::Code, C::NameSearch])
}

/// `validateDiagnosisCode`: true when no current diagnosis has this code.
pub async fn validate_diagnosis_code(
    state: &AppState,
    principal: Option<&Principal>,
    code: &str,
) -> AppResult<bool> {
    require_user(principal, Requirement::Authenticated)?;
    Ok(!diagnosis_code_taken(&state.db.conn, code, None).await?)
}

async fn diagnosis_code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    imis_core::kit::taken::<diagnosis::Entity>(
        conn,
        diagnosis::Column::Code,
        code.trim(),
        diagnosis::Column::Id,
        except,
    )
    .await
}

/// The current diagnoses with these codes, by code (the claim module reads ICD codes).
pub async fn current_diagnoses_by_code(
    conn: &impl ConnectionTrait,
    codes: &[String],
) -> AppResult<HashMap<String, diagnosis::Model>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let wanted: HashSet<String> = chunk.iter().map(|c| c.trim().to_string()).collect();
        for m in diagnosis::Entity::find()
            .filter(diagnosis::Column::Code.is_in(wanted))
            .current()
            .all(conn)
            .await?
        {
            out.insert(m.code.clone(), m);
        }
    }
    Ok(out)
}

/// Input of `createDiagnosis` / `updateDiagnosis`.
#[derive(Debug, Clone, Default)]
pub struct DiagnosisInput {
    pub uuid: Option<Uuid>,
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
}

fn diagnosis_values(i: &DiagnosisInput) -> AppResult<(String, String)> {
    check_len("code", &i.code, 6)?;
    check_len("name", &i.name, 255)?;
    Ok((i.code.trim().to_string(), i.name.trim().to_string()))
}

async fn insert_diagnosis(
    tx: &DatabaseTransaction,
    uuid: Option<Uuid>,
    code: String,
    name: String,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<diagnosis::Model> {
    let taken = code_taken(&code);
    diagnosis::ActiveModel {
        uuid: Set(uuid.unwrap_or_else(Uuid::now_v7)),
        name_search: Set(imis_core::text::fold(&name)),
        code: Set(code),
        name: Set(name),
        validity_from: Set(now),
        validity_to: Set(None),
        audit_user_id: Set(actor),
        ..Default::default()
    }
    .insert(tx)
    .await
    .map_err(|e| imis_core::error::unique_or(e, &["code"], uuid, || taken))
}

fn code_taken(code: &str) -> AppError {
    AppError::validation("medical.diagnosis_code_taken").with("diagnosisCode", code)
}

async fn rewrite_diagnosis(
    tx: &DatabaseTransaction,
    old: diagnosis::Model,
    code: String,
    name: String,
    now: DateTime<Utc>,
    actor: Option<i64>,
) -> AppResult<diagnosis::Model> {
    let taken = code_taken(&code);
    let mut am: diagnosis::ActiveModel = new_version(tx, ENTITY_DIAGNOSIS, old, now, actor).await?;
    am.name_search = Set(imis_core::text::fold(&name));
    am.code = Set(code);
    am.name = Set(name);
    am.update(tx)
        .await
        .map_err(|e| imis_core::error::unique_or(e, &["code"], None, || taken))
}

/// `createDiagnosis` (131001). A known `uuid` returns the existing diagnosis when it matches (D4).
pub async fn create_diagnosis(
    m: &MutationCtx<'_>,
    input: DiagnosisInput,
) -> AppResult<diagnosis::Model> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_DIAGNOSIS_WRITE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let (code, name) = diagnosis_values(&input)?;
    let same = async |e: &diagnosis::Model| Ok(e.code == code && e.name == name);
    let uuid_col = diagnosis::Column::Uuid;
    if let Some(existing) = replayed::<diagnosis::Entity>(tx, uuid_col, input.uuid, same).await? {
        return Ok(existing);
    }
    if diagnosis_code_taken(tx, &code, None).await? {
        return Err(code_taken(&code));
    }
    insert_diagnosis(tx, input.uuid, code, name, m.state.clock.now(), m.actor()).await
}

/// `updateDiagnosis` (131001): the previous version goes to history.
pub async fn update_diagnosis(
    m: &MutationCtx<'_>,
    input: DiagnosisInput,
) -> AppResult<diagnosis::Model> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_DIAGNOSIS_WRITE]))?;
    let tx: &DatabaseTransaction = m.tx;
    let (code, name) = diagnosis_values(&input)?;
    let old = lock_target::<diagnosis::Entity>(
        tx,
        [diagnosis::Column::Uuid, diagnosis::Column::Id],
        input.uuid,
        input.id,
        "diagnosis",
    )
    .await?;
    if old.code == code && old.name == name {
        return Ok(old);
    }
    if diagnosis_code_taken(tx, &code, Some(old.id)).await? {
        return Err(code_taken(&code));
    }
    rewrite_diagnosis(tx, old, code, name, m.state.clock.now(), m.actor()).await
}

/// `deleteDiagnosis` (131001): soft delete with a history row.
pub async fn delete_diagnoses(m: &MutationCtx<'_>, uuids: &[Uuid]) -> AppResult<Vec<i64>> {
    require_user(m.principal, Requirement::AnyOf(&[RIGHT_DIAGNOSIS_WRITE]))?;
    close_each::<diagnosis::ActiveModel>(
        m,
        ENTITY_DIAGNOSIS,
        "diagnosis",
        uuids,
        [diagnosis::Column::Uuid, diagnosis::Column::Id],
        |m| m.uuid,
        |_, _| Box::pin(async { Ok(()) }),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// CSV import
// ---------------------------------------------------------------------------------------------

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Data lines read (the header and blank lines excluded).
    pub lines: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A refused line of an import file (1-based physical line number where the record starts).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportLineError {
    pub line: usize,
    pub reason: String,
}

/// One valid record of a diagnoses file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosisRow {
    pub line: usize,
    pub code: String,
    pub name: String,
}

/// Splits CSV text into records of fields with the line number where each record starts.
/// Fields may be quoted with `"` (a doubled `""` is a quote; quoted fields may hold commas and
/// line breaks). Blank lines are skipped. Err = (line, reason) for an unterminated quote.
type Records = Vec<(usize, Vec<String>)>;

fn csv_records(text: &str) -> Result<Records, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = vec![];
    let mut line = 1;
    let mut start = 1;
    let mut field = String::new();
    let mut fields: Vec<String> = vec![];
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    let finish = |fields: &mut Vec<String>, field: &mut String, was_quoted: &mut bool| {
        let f = std::mem::take(field);
        fields.push(if *was_quoted { f } else { f.trim().to_string() });
        *was_quoted = false;
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            ',' => finish(&mut fields, &mut field, &mut was_quoted),
            '\r' => {}
            '\n' => {
                finish(&mut fields, &mut field, &mut was_quoted);
                let record = std::mem::take(&mut fields);
                if !(record.len() == 1 && record[0].is_empty()) {
                    out.push((start, record));
                }
                line += 1;
                start = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err((start, "a quoted field is not closed".into()));
    }
    finish(&mut fields, &mut field, &mut was_quoted);
    if !(fields.len() == 1 && fields[0].is_empty()) {
        out.push((start, fields));
    }
    Ok(out)
}

/// Reads a diagnoses file: a header naming the columns `code` and `name` (any order, other
/// columns ignored), then one diagnosis per record. Returns the records, or every refused line.
pub fn parse_diagnoses_csv(text: &str) -> Result<Vec<DiagnosisRow>, Vec<ImportLineError>> {
    let records =
        csv_records(text).map_err(|(line, reason)| vec![ImportLineError { line, reason }])?;
    let mut it = records.into_iter();
    let Some((hline, header)) = it.next() else {
        return Err(vec![ImportLineError {
            line: 1,
            reason: "the file is empty; expected a header `code,name`".into(),
        }]);
    };
    let col = |n: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n));
    let (Some(ci), Some(ni)) = (col("code"), col("name")) else {
        return Err(vec![ImportLineError {
            line: hline,
            reason: "the header must name the columns `code` and `name`".into(),
        }]);
    };
    let mut rows = vec![];
    let mut errors = vec![];
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, fields) in it {
        let bad = |reason: String| ImportLineError { line, reason };
        if fields.len() != header.len() {
            errors.push(bad(format!(
                "{} fields, expected {}",
                fields.len(),
                header.len()
            )));
            continue;
        }
        let code = fields[ci].trim().to_string();
        let name = fields[ni].trim().to_string();
        if code.is_empty() {
            errors.push(bad("the code is empty".into()));
        } else if code.chars().count() > 6 {
            errors.push(bad(format!("code `{code}` is longer than 6 characters")));
        } else if name.is_empty() {
            errors.push(bad(format!("the name of `{code}` is empty")));
        } else if name.chars().count() > 255 {
            errors.push(bad(format!(
                "the name of `{code}` is longer than 255 characters"
            )));
        } else if let Some(first) = seen.get(&code) {
            errors.push(bad(format!(
                "code `{code}` already appears on line {first}"
            )));
        } else {
            seen.insert(code.clone(), line);
            rows.push(DiagnosisRow { line, code, name });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Imports diagnoses from CSV text (`code,name` with a header line) in one transaction, upserting
/// by code: a new code is inserted, a changed name updates the diagnosis (its previous version
/// goes to history), the same name is left alone. A file with bad lines is refused as a whole
/// with `medical.import_invalid`, whose `lines` parameter lists them. No rights are checked: the
/// caller (the `imis import diagnoses` command) runs with the server's authority; `actor` is
/// recorded as the acting user.
pub async fn import_diagnoses_csv(
    state: &AppState,
    actor: Option<i64>,
    csv_text: &str,
) -> AppResult<ImportReport> {
    let rows = parse_diagnoses_csv(csv_text).map_err(|errors| {
        let listed = errors
            .iter()
            .map(|e| format!("line {}: {}", e.line, e.reason))
            .collect::<Vec<_>>()
            .join("; ");
        AppError::validation("medical.import_invalid")
            .with("count", errors.len())
            .with("lines", listed)
    })?;
    let tx = state.db.begin_write().await?;
    let now = state.clock.now();
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut existing = lock_diagnoses(&tx, current_diagnoses_by_code(&*tx, &codes).await?).await?;
    let mut report = ImportReport {
        lines: rows.len(),
        ..Default::default()
    };
    for row in rows {
        match existing.remove(&row.code) {
            None => {
                insert_diagnosis(&tx, None, row.code, row.name, now, actor).await?;
                report.inserted += 1;
            }
            Some(old) if old.name == row.name => report.unchanged += 1,
            Some(old) => {
                rewrite_diagnosis(&tx, old, row.code, row.name, now, actor).await?;
                report.updated += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// The given current diagnoses read again under their row locks, in id order (500 a statement),
/// by code; those closed or recoded meanwhile are left out.
async fn lock_diagnoses(
    tx: &DatabaseTransaction,
    found: HashMap<String, diagnosis::Model>,
) -> AppResult<HashMap<String, diagnosis::Model>> {
    let mut ids: Vec<i64> = found.values().map(|d| d.id).collect();
    ids.sort_unstable();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for d in diagnosis::Entity::find()
            .filter(diagnosis::Column::Id.is_in(chunk.iter().copied()))
            .current()
            .order_by_asc(diagnosis::Column::Id)
            .lock_exclusive()
            .all(tx)
            .await?
        {
            if found.get(&d.code).is_some_and(|f| f.id == d.id) {
                out.insert(d.code.clone(), d);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_fields_and_reports_bad_lines() {
        let text = "code,name\r\nA09,\"Diarrhée et gastro-entérite, d'origine présumée infectieuse\"\n\nB50,Paludisme à \"\"falciparum\"\"\nJ18,\"Pneumopathie\nnon précisée\"\n";
        let rows = parse_diagnoses_csv(text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].name,
            "Diarrhée et gastro-entérite, d'origine présumée infectieuse"
        );
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].name, "Paludisme à \"\"falciparum\"\"");
        assert_eq!(rows[2].name, "Pneumopathie\nnon précisée");
        let errs =
            parse_diagnoses_csv("name,code\nX,A01\n,A02\nY\nZ,A01\nW,TOOLONG1\n").unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(parse_diagnoses_csv("").is_err());
        assert!(parse_diagnoses_csv("id,label\n1,x\n").is_err());
        assert_eq!(
            parse_diagnoses_csv("code,name\nA,\"open\n").unwrap_err()[0].line,
            2
        );
    }
}
