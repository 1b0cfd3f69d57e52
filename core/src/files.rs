//! The file store (D29): photos and attachments live under one folder, never in the database.
//! A file is written under a temporary name inside the transaction's lifetime and renamed to its
//! final name after commit; files are immutable (a new version is a new file); a daily job removes
//! temporary files left by failed requests and files no longer referenced.

use crate::error::{AppError, AppResult};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
    max_bytes: usize,
}

/// A file written under a temporary name; `commit` gives it its final name, dropping it deletes it.
#[derive(Debug)]
pub struct StagedFile {
    temp: PathBuf,
    final_path: PathBuf,
    /// The key to store in the database (relative to the store root).
    pub key: String,
    committed: bool,
}

impl FileStore {
    /// A store under `root` accepting files of at most `max_bytes` (`files.max_file_bytes`).
    pub fn new(root: impl AsRef<Path>, max_bytes: usize) -> Self {
        Self {
            root: root.as_ref().to_path_buf(),
            max_bytes,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` under `folder` with a new unique name ending in `extension`.
    pub async fn stage(
        &self,
        folder: &str,
        extension: &str,
        bytes: &[u8],
    ) -> AppResult<StagedFile> {
        if folder.contains("..") || extension.contains('/') || extension.contains("..") {
            return Err(AppError::invalid("file", "bad name"));
        }
        if bytes.len() > self.max_bytes {
            return Err(AppError::validation("file.too_large").with("max", self.max_bytes));
        }
        let dir = self.root.join(folder);
        tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
        let name = format!("{}.{}", uuid::Uuid::now_v7(), extension);
        let final_path = dir.join(&name);
        let temp = dir.join(format!(".tmp-{name}"));
        tokio::fs::write(&temp, bytes).await.map_err(io_error)?;
        Ok(StagedFile {
            temp,
            final_path,
            key: format!("{folder}/{name}"),
            committed: false,
        })
    }

    pub async fn read(&self, key: &str) -> AppResult<Vec<u8>> {
        if key.contains("..") {
            return Err(AppError::invalid("file", "bad name"));
        }
        tokio::fs::read(self.root.join(key))
            .await
            .map_err(|_| AppError::not_found("file"))
    }

    /// Deletes temporary files older than `max_age` (left by crashed requests); returns how many.
    pub async fn remove_stale_temporaries(&self, max_age: std::time::Duration) -> AppResult<usize> {
        let mut removed = 0;
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
                continue;
            };
            while let Ok(Some(entry)) = entries.next_entry().await {
                let path = entry.path();
                let Ok(meta) = entry.metadata().await else {
                    continue;
                };
                if meta.is_dir() {
                    stack.push(path);
                } else if entry.file_name().to_string_lossy().starts_with(".tmp-")
                    && meta
                        .modified()
                        .ok()
                        .and_then(|m| m.elapsed().ok())
                        .is_some_and(|age| age > max_age)
                    && tokio::fs::remove_file(&path).await.is_ok()
                {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

impl StagedFile {
    /// Call after the transaction that references `key` committed.
    pub async fn commit(mut self) -> AppResult<()> {
        tokio::fs::rename(&self.temp, &self.final_path)
            .await
            .map_err(io_error)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn staged_files_appear_only_after_commit_and_size_is_capped() {
        let root = std::env::temp_dir().join(format!("imis-files-{}", uuid::Uuid::new_v4()));
        let store = FileStore::new(&root, 8);
        assert_eq!(
            store
                .stage("photos", "jpg", b"too many bytes")
                .await
                .unwrap_err()
                .code,
            "file.too_large"
        );
        let staged = store.stage("photos", "jpg", b"abc").await.unwrap();
        let key = staged.key.clone();
        assert!(store.read(&key).await.is_err(), "not visible before commit");
        staged.commit().await.unwrap();
        assert_eq!(store.read(&key).await.unwrap(), b"abc");
        // A staged file dropped without commit (a failed transaction) leaves nothing.
        let dropped = store.stage("photos", "jpg", b"xyz").await.unwrap();
        drop(dropped);
        let left: Vec<_> = std::fs::read_dir(root.join("photos")).unwrap().collect();
        assert_eq!(left.len(), 1);
        let _ = std::fs::remove_dir_all(root);
    }
}

fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "file store error");
    AppError::internal()
}
