//! Claim attachments (reference §1.1 `ClaimAttachment`, D29): documents and links supporting a
//! claim. Writes need right 111010 (111002 too for the attachments of a new claim,
//! [`add_attachments`]) and reach the claim through [`lock_claim`], so the claim's scope (D9)
//! applies; attachments change only while their claim is Entered or Checked. Reads need 111001
//! and see the attachments of the current claims the caller may see.
//!
//! A `FILE` attachment's content goes to the core file store under a temporary name, renamed
//! when the transaction commits (D29). Its type is read from its first bytes, never taken from
//! the client: PDF, JPEG, PNG or plain UTF-8 text, at most the store's `files.max_file_bytes`. A
//! `URL` attachment holds an http or https address. A document is never changed: an update
//! sending a new one writes a new file, and the version kept in history points to the old file.
//! Deleting a claim closes its attachments ([`close_claim_attachments`]); their files stay.

use super::*;
use crate::entity::attachment::{self, attachment_type};
use crate::entity::claim;
use crate::rights::{RIGHT_CLAIM_ADD, RIGHT_CLAIM_SEARCH, RIGHT_CLAIM_UPDATE};
use chrono::NaiveDate;
use imis_core::AppError;
use imis_core::kit::{self, CurrentRows};
use imis_core::mutation::MutationCtx;
use imis_core::text::fold;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, QueryFilter, QueryOrder,
};
use std::fmt;
use uuid::Uuid;

mod content;
mod lists;

use content::*;
pub(crate) use lists::*;

/// History entity name of attachments (`imis_core::history`).
pub(crate) const ENTITY_ATTACHMENT: &str = "claim_attachment";
/// openIMIS's general types.
pub(crate) const GENERAL_URL: &str = "URL";
pub(crate) const GENERAL_FILE: &str = "FILE";

/// The longest `title`, `type` and `filename` accepted, in characters.
const TEXT_MAX: usize = 1000;
const MIME_MAX: usize = 100;
const URL_MAX: usize = 2048;

/// Claim statuses whose attachments may change: those in which openIMIS edits a claim.
const OPEN_STATUSES: [i32; 2] = [STATUS_ENTERED, STATUS_CHECKED];

/// An attachment as a client sends it (openIMIS `ClaimAttachmentInputType`,
/// `CreateAttachmentMutationInput`, `UpdateAttachmentMutationInput`). On update an absent field
/// keeps its value and a blank one clears it.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttachmentInput {
    /// The new attachment's uuid (create only): a retry with the same uuid and content answers
    /// the attachment already created (D4).
    pub(crate) uuid: Option<Uuid>,
    /// `URL` or `FILE`; on create, `URL` when absent and a `url` is given, else `FILE`.
    pub(crate) general_type: Option<String>,
    pub(crate) attachment_type: Option<String>,
    pub(crate) title: Option<String>,
    /// Today when absent on create.
    pub(crate) date: Option<NaiveDate>,
    pub(crate) filename: Option<String>,
    pub(crate) mime: Option<String>,
    /// The name of a predefined type of the same general type.
    pub(crate) predefined_type: Option<String>,
    pub(crate) url: Option<String>,
    /// A `FILE` attachment's content in base64 (a `data:` URL prefix is accepted). Ignored for a
    /// `URL` attachment, where the front end repeats the address.
    pub(crate) document: Option<String>,
}

/// How a client names an attachment: its key (what the front end decodes from the global id)
/// or its uuid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttachmentKey {
    Id(i64),
    Uuid(Uuid),
}

impl AttachmentKey {
    fn condition(&self) -> SimpleExpr {
        match self {
            AttachmentKey::Id(id) => attachment::Column::Id.eq(*id),
            AttachmentKey::Uuid(u) => attachment::Column::Uuid.eq(*u),
        }
    }
}

impl fmt::Display for AttachmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentKey::Id(id) => write!(f, "{id}"),
            AttachmentKey::Uuid(u) => write!(f, "{u}"),
        }
    }
}

/// An attachment's content once checked: a kept file, a new one, or none (a link).
enum Document {
    None,
    Keep(String),
    New(Vec<u8>, DocumentKind),
}

/// An attachment's columns once the input is checked and merged with the current version.
struct Fields {
    general_type: &'static str,
    attachment_type: Option<String>,
    title: Option<String>,
    date: NaiveDate,
    filename: Option<String>,
    mime: Option<String>,
    url: Option<String>,
    predefined_type_id: Option<i64>,
    document: Document,
}

/// What names an attachment in messages: its file name, title or address, else `fallback` (the
/// input field).
fn attachment_label(
    input: &AttachmentInput,
    old: Option<&attachment::Model>,
    fallback: &str,
) -> String {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    given(&input.filename)
        .or_else(|| given(&input.title))
        .or_else(|| old.and_then(|o| given(&o.filename).or_else(|| given(&o.title))))
        .or_else(|| given(&input.url))
        .unwrap_or_else(|| fallback.to_string())
}

/// A text field as entered: absent keeps `old` (none on create), blank clears, else trimmed and
/// at most `max` characters.
fn text_field(
    value: &Option<String>,
    old: Option<&Option<String>>,
    field: &str,
    max: usize,
    label: &str,
) -> AppResult<Option<String>> {
    let Some(v) = value else {
        return Ok(old.cloned().flatten());
    };
    let v = v.trim();
    if v.chars().count() > max {
        return Err(AppError::validation("claim.attachment_text_too_long")
            .with("attachment", label)
            .with("field", field)
            .with("max", max));
    }
    Ok((!v.is_empty()).then(|| v.to_string()))
}

/// Checks `input` and merges it with `old` (the current version on update, `None` on create).
async fn prepare(
    m: &MutationCtx<'_>,
    old: Option<&attachment::Model>,
    input: &AttachmentInput,
    label: &str,
) -> AppResult<Fields> {
    let err = |code: &str| AppError::validation(code).with("attachment", label);
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let general_type = match given(&input.general_type) {
        Some(g) if g.eq_ignore_ascii_case(GENERAL_URL) => GENERAL_URL,
        Some(g) if g.eq_ignore_ascii_case(GENERAL_FILE) => GENERAL_FILE,
        Some(g) => return Err(err("claim.attachment_general_type_invalid").with("generalType", g)),
        None => match old {
            Some(o) if o.general_type == GENERAL_URL => GENERAL_URL,
            Some(_) => GENERAL_FILE,
            None if given(&input.url).is_some() => GENERAL_URL,
            None => GENERAL_FILE,
        },
    };
    // The address, MIME type and predefined type belong to the general type they were given for.
    let same_kind = old.filter(|o| o.general_type == general_type);
    let predefined_type_id = match input.predefined_type.as_deref().map(str::trim) {
        Some("") => None,
        Some(name) => Some(
            attachment_type::Entity::find()
                .filter(attachment_type::Column::ClaimGeneralType.eq(general_type))
                .filter(attachment_type::Column::ClaimAttachmentType.eq(name))
                .current()
                .one(&**m.tx)
                .await?
                .ok_or_else(|| {
                    err("claim.attachment_predefined_type_unknown")
                        .with("predefinedType", name)
                        .with("generalType", general_type)
                })?
                .id,
        ),
        None => same_kind.and_then(|o| o.predefined_type_id),
    };
    let attachment_type = text_field(
        &input.attachment_type,
        old.map(|o| &o.attachment_type),
        "type",
        TEXT_MAX,
        label,
    )?;
    let title = text_field(
        &input.title,
        old.map(|o| &o.title),
        "title",
        TEXT_MAX,
        label,
    )?;
    let filename = text_field(
        &input.filename,
        old.map(|o| &o.filename),
        "filename",
        TEXT_MAX,
        label,
    )?;
    let new_document = input
        .document
        .as_deref()
        .map(strip_data_url)
        .filter(|d| !d.is_empty() && general_type == GENERAL_FILE);
    // A new document is described by its own MIME type (sent, or read from its content).
    let old_mime = same_kind
        .filter(|_| new_document.is_none())
        .map(|o| &o.mime);
    let mime = text_field(&input.mime, old_mime, "mime", MIME_MAX, label)?;
    let date = input
        .date
        .or(old.map(|o| o.date))
        .unwrap_or_else(|| m.state.clock.today());
    let mut fields = Fields {
        general_type,
        attachment_type,
        title,
        date,
        filename,
        mime,
        url: None,
        predefined_type_id,
        document: Document::None,
    };
    if general_type == GENERAL_URL {
        let url = text_field(&input.url, same_kind.map(|o| &o.url), "url", URL_MAX, label)?
            .ok_or_else(|| err("claim.attachment_url_required"))?;
        if !is_web_url(&url) {
            return Err(err("claim.attachment_url_invalid").with("url", url));
        }
        fields.url = Some(url);
        return Ok(fields);
    }
    let declared = fields.mime.as_deref().map(normalized_mime);
    if let Some(d) = &declared
        && DocumentKind::of_mime(d).is_none()
    {
        return Err(err("claim.attachment_type_not_allowed").with("mime", d));
    }
    fields.document = match new_document {
        Some(text) => {
            let bytes =
                decode_base64(text).ok_or_else(|| err("claim.attachment_document_invalid"))?;
            if bytes.is_empty() {
                return Err(err("claim.attachment_document_required"));
            }
            let max = m.state.config.files.max_file_bytes;
            if bytes.len() > max {
                return Err(err("claim.attachment_too_large")
                    .with("size", bytes.len())
                    .with("max", max));
            }
            let kind = DocumentKind::detect(&bytes)
                .ok_or_else(|| err("claim.attachment_content_not_allowed"))?;
            Document::New(bytes, kind)
        }
        None => match same_kind.and_then(|o| o.document_key.clone()) {
            Some(key) => Document::Keep(key),
            None => return Err(err("claim.attachment_document_required")),
        },
    };
    let kind = match &fields.document {
        Document::New(_, kind) => Some(*kind),
        Document::Keep(key) => DocumentKind::of_key(key),
        Document::None => None,
    };
    if let (Some(d), Some(kind)) = (&declared, kind)
        && DocumentKind::of_mime(d) != Some(kind)
    {
        return Err(err("claim.attachment_type_mismatch")
            .with("mime", d)
            .with("detected", kind.mime()));
    }
    fields.mime = declared.or_else(|| kind.map(|k| k.mime().to_string()));
    Ok(fields)
}

/// Refuses a change to the attachments of a claim that is no longer Entered or Checked.
fn ensure_open(claim: &claim::Model) -> AppResult<()> {
    if OPEN_STATUSES.contains(&claim.status) {
        Ok(())
    } else {
        Err(AppError::domain("claim.attachment_claim_closed").with("code", &claim.code))
    }
}

/// Stages a new document in the file store (renamed when the transaction commits, deleted if it
/// rolls back) and answers the key the row keeps.
async fn store(m: &mut MutationCtx<'_>, document: Document) -> AppResult<Option<String>> {
    match document {
        Document::None => Ok(None),
        Document::Keep(key) => Ok(Some(key)),
        Document::New(bytes, kind) => {
            let folder = format!(
                "claim/attachments/{}",
                m.state.clock.today().format("%Y/%m")
            );
            let staged = m
                .state
                .files
                .stage(&folder, kind.extension(), &bytes)
                .await?;
            let key = staged.key.clone();
            m.stage_file(staged);
            Ok(Some(key))
        }
    }
}

/// Sets an attachment's own columns (and their folded search forms) from `f`.
fn apply(am: &mut attachment::ActiveModel, f: &Fields, document_key: Option<String>) {
    let folded = |v: &Option<String>| v.as_deref().map(fold);
    am.general_type = Set(f.general_type.to_string());
    am.attachment_type = Set(f.attachment_type.clone());
    am.type_search = Set(folded(&f.attachment_type));
    am.predefined_type_id = Set(f.predefined_type_id);
    am.title = Set(f.title.clone());
    am.title_search = Set(folded(&f.title));
    am.date = Set(f.date);
    am.filename = Set(f.filename.clone());
    am.filename_search = Set(folded(&f.filename));
    am.mime = Set(f.mime.clone());
    am.url = Set(f.url.clone());
    am.document_key = Set(document_key);
}

/// Whether `existing` holds what `f` describes (a retried create, D4); the date counts only when
/// the client sent one, since the default is the day of the request.
async fn same_content(
    state: &AppState,
    existing: &attachment::Model,
    f: &Fields,
    date_given: bool,
) -> AppResult<bool> {
    let same_fields = existing.general_type == f.general_type
        && existing.attachment_type == f.attachment_type
        && existing.title == f.title
        && existing.filename == f.filename
        && existing.mime == f.mime
        && existing.url == f.url
        && existing.predefined_type_id == f.predefined_type_id
        && (!date_given || existing.date == f.date);
    if !same_fields {
        return Ok(false);
    }
    Ok(match (&f.document, &existing.document_key) {
        (Document::New(bytes, _), Some(key)) => state.files.read(key).await? == *bytes,
        (Document::None, None) => true,
        _ => false,
    })
}

/// Creates one attachment of `claim` (already locked and in reach).
async fn insert(
    m: &mut MutationCtx<'_>,
    claim: &claim::Model,
    input: &AttachmentInput,
    label: &str,
) -> AppResult<attachment::Model> {
    let mut fields = prepare(m, None, input, label).await?;
    if let Some(uuid) = input.uuid {
        let existing = attachment::Entity::find()
            .filter(attachment::Column::Uuid.eq(uuid))
            .one(&**m.tx)
            .await?;
        if let Some(existing) = existing {
            if existing.validity_to.is_none()
                && existing.claim_id == claim.id
                && same_content(m.state, &existing, &fields, input.date.is_some()).await?
            {
                m.link(ENTITY_ATTACHMENT, existing.id);
                return Ok(existing);
            }
            return Err(AppError::conflict("conflict.uuid_exists").with("uuid", uuid));
        }
    }
    let uuid = input.uuid.unwrap_or_else(Uuid::now_v7);
    let document_key = store(m, std::mem::replace(&mut fields.document, Document::None)).await?;
    let mut am = attachment::ActiveModel {
        uuid: Set(uuid),
        claim_id: Set(claim.id),
        validity_from: Set(m.state.clock.now()),
        validity_to: Set(None),
        audit_user_id: Set(m.actor()),
        ..Default::default()
    };
    apply(&mut am, &fields, document_key);
    // A concurrent create with the same uuid (PostgreSQL) answers as the pre-check would.
    let row = am.insert(&**m.tx).await.map_err(|e| {
        imis_core::error::unique_or(e, &[], Some(uuid), || {
            AppError::conflict("conflict.uuid_exists").with("uuid", uuid)
        })
    })?;
    m.link(ENTITY_ATTACHMENT, row.id);
    Ok(row)
}

/// `attachments` of `createClaim` (111002 or 111010): the attachments of the claim `claim_id`
/// just created in this transaction (its scope already checked), each named `attachments[i]` in
/// messages. Answers their ids.
pub(crate) async fn add_attachments(
    m: &mut MutationCtx<'_>,
    claim_id: i64,
    inputs: &[AttachmentInput],
) -> AppResult<Vec<i64>> {
    require(m.principal, &[RIGHT_CLAIM_ADD, RIGHT_CLAIM_UPDATE])?;
    if inputs.is_empty() {
        return Ok(vec![]);
    }
    let claim = claim::Entity::find_by_id(claim_id)
        .current()
        .one(&**m.tx)
        .await?
        .ok_or_else(|| AppError::not_found("claim").with("id", claim_id))?;
    ensure_open(&claim)?;
    let mut ids = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let label = attachment_label(input, None, &format!("attachments[{i}]"));
        ids.push(insert(m, &claim, input, &label).await?.id);
    }
    Ok(ids)
}

/// `createClaimAttachment` (111010): a new attachment of the claim `claim_uuid`, within the
/// caller's reach (`not_found` otherwise).
pub(crate) async fn create_attachment(
    m: &mut MutationCtx<'_>,
    claim_uuid: Uuid,
    input: &AttachmentInput,
) -> AppResult<attachment::Model> {
    let p = require(m.principal, &[RIGHT_CLAIM_UPDATE])?;
    let claim = lock_claim(m.state, m.tx, p, claim_uuid).await?;
    ensure_open(&claim)?;
    let label = attachment_label(input, None, "document");
    insert(m, &claim, input, &label).await
}

/// The current attachment named `key`, of the claim `claim_id` when given, under its row lock.
async fn lock_attachment(
    tx: &DatabaseTransaction,
    key: AttachmentKey,
    claim_id: Option<i64>,
) -> AppResult<attachment::Model> {
    let mut q = attachment::Entity::find().filter(key.condition()).current();
    if let Some(claim_id) = claim_id {
        q = q.filter(attachment::Column::ClaimId.eq(claim_id));
    }
    q.lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("claim_attachment").with("id", key))
}

/// `updateClaimAttachment` (111010): changes the attachment `key` of the claim `claim_uuid`
/// (both within reach, else `not_found`); fields absent from `input` keep their values. The
/// previous version goes to history (D7); a new document is a new file (D29).
pub(crate) async fn update_attachment(
    m: &mut MutationCtx<'_>,
    claim_uuid: Uuid,
    key: AttachmentKey,
    input: &AttachmentInput,
) -> AppResult<attachment::Model> {
    let p = require(m.principal, &[RIGHT_CLAIM_UPDATE])?;
    let claim = lock_claim(m.state, m.tx, p, claim_uuid).await?;
    let old = lock_attachment(m.tx, key, Some(claim.id)).await?;
    ensure_open(&claim)?;
    let label = attachment_label(input, Some(&old), "document");
    let mut fields = prepare(m, Some(&old), input, &label).await?;
    let document_key = store(m, std::mem::replace(&mut fields.document, Document::None)).await?;
    let now = m.state.clock.now();
    let mut am: attachment::ActiveModel =
        kit::new_version(m.tx, ENTITY_ATTACHMENT, old, now, m.actor()).await?;
    apply(&mut am, &fields, document_key);
    let row = am.update(&**m.tx).await?;
    m.link(ENTITY_ATTACHMENT, row.id);
    Ok(row)
}

/// `deleteClaimAttachment` (111010): soft-deletes the attachment `key` when its claim is within
/// reach (`not_found` otherwise); its file stays for the history (D29). Answers its id.
pub(crate) async fn delete_attachment(
    m: &mut MutationCtx<'_>,
    key: AttachmentKey,
) -> AppResult<i64> {
    let p = require(m.principal, &[RIGHT_CLAIM_UPDATE])?;
    let not_found = || AppError::not_found("claim_attachment").with("id", key);
    let found = attachment::Entity::find()
        .filter(key.condition())
        .current()
        .one(&**m.tx)
        .await?
        .ok_or_else(not_found)?;
    let claim_uuid = claim::Entity::find_by_id(found.claim_id)
        .one(&**m.tx)
        .await?
        .ok_or_else(not_found)?
        .uuid;
    // Out of reach reads as absent, like the attachment itself.
    let claim = lock_claim(m.state, m.tx, p, claim_uuid)
        .await
        .map_err(|e| {
            if e.code == "not_found" {
                not_found()
            } else {
                e
            }
        })?;
    let old = lock_attachment(m.tx, key, Some(claim.id)).await?;
    ensure_open(&claim)?;
    let now = m.state.clock.now();
    let closed =
        kit::close_version::<attachment::ActiveModel>(m.tx, ENTITY_ATTACHMENT, old, now, m.actor())
            .await?;
    m.link(ENTITY_ATTACHMENT, closed.id);
    Ok(closed.id)
}

/// `deleteClaims`: closes the current attachments of the claim `claim_id` (being deleted in this
/// transaction, under its lock) with the claim. Each gets a closed version (D7); its file stays,
/// since history points at it (D29).
pub(crate) async fn close_claim_attachments(m: &MutationCtx<'_>, claim_id: i64) -> AppResult<()> {
    let now = m.state.clock.now();
    let current = attachment::Entity::find()
        .filter(attachment::Column::ClaimId.eq(claim_id))
        .current()
        .order_by_asc(attachment::Column::Id)
        .lock_exclusive()
        .all(&**m.tx)
        .await?;
    for old in current {
        kit::close_version::<attachment::ActiveModel>(m.tx, ENTITY_ATTACHMENT, old, now, m.actor())
            .await?;
    }
    Ok(())
}
