//! Photos: metadata rows, images in the core file store (D29).

use super::*;

/// Detects the image type of a photo; only JPEG and PNG are accepted.
pub(crate) fn photo_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("png")
    } else {
        None
    }
}

/// Stores a new photo for an insuree: the file goes to the file store (renamed after commit),
/// the metadata row is written, the previous photo row is closed with history (D7, D29).
pub(crate) async fn save_photo(
    m: &mut MutationCtx<'_>,
    ins: &insuree::Model,
    input: &PhotoInput,
) -> AppResult<Option<(i64, NaiveDate)>> {
    let Some(b64) = input.base64.as_deref().filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let cfg = config(m.state);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(
            b64.trim()
                .trim_start_matches("data:image/jpeg;base64,")
                .trim_start_matches("data:image/png;base64,"),
        )
        .map_err(|_| AppError::validation("insuree.photo_invalid"))?;
    if bytes.len() > cfg.photo_max_bytes {
        return Err(
            AppError::validation("insuree.photo_too_large").with("max", cfg.photo_max_bytes)
        );
    }
    let ext =
        photo_extension(&bytes).ok_or_else(|| AppError::validation("insuree.photo_invalid"))?;
    let today = m.state.clock.today();
    let date = input.date.unwrap_or(today);
    let folder = format!("insuree/photos/{}", today.format("%Y/%m"));
    let staged = m.state.files.stage(&folder, ext, &bytes).await?;
    let filename = staged
        .key
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let now = m.state.clock.now();
    let previous = photo::Entity::find()
        .filter(photo::Column::InsureeId.eq(ins.id))
        .current()
        .lock_exclusive()
        .all(&**m.tx)
        .await?;
    for old in previous {
        close_version::<photo::ActiveModel>(m.tx, "insuree_photo", old, now, m.actor()).await?;
    }
    let row = photo::ActiveModel {
        uuid: Set(Uuid::now_v7()),
        insuree_id: Set(ins.id),
        chf_id: Set(Some(ins.chf_id.clone())),
        folder: Set(Some(folder)),
        filename: Set(Some(filename)),
        officer_id: Set(input.officer_id),
        date: Set(Some(date)),
        ..Default::default()
    };
    let row = insert_version(m.tx, row, now, m.actor()).await?;
    m.stage_file(staged);
    Ok(Some((row.id, date)))
}

/// The photo of an insuree as base64, read from the file store.
pub async fn photo_base64(state: &AppState, p: &photo::Model) -> AppResult<Option<String>> {
    let (Some(folder), Some(file)) = (&p.folder, &p.filename) else {
        return Ok(None);
    };
    let bytes = state.files.read(&format!("{folder}/{file}")).await?;
    Ok(Some(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}
