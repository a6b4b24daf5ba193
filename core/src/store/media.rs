//! A record's attachments as a screen shows them: what each is (photo, audio, video,
//! document), and its bytes for display, checked against the SHA-256 captured with it. The
//! bytes go to memory only (a zeroizing buffer), never to a file, and only up to a size a
//! screen can hold; larger files are written out on purpose with `attachment get`.

use std::io::Read;

use serde::Serialize;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{Error, Result, ValidationError};
use crate::store::Store;

/// The most bytes [`Store::attachment_bytes`] hands to a screen (64 MiB).
pub const SHOW_LIMIT: u64 = 64 * 1024 * 1024;

/// An attachment as a list shows it (never its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    /// The attachment record's id.
    pub id: Uuid,
    /// `audio`, `photo`, `video` or `document`.
    pub media: String,
    /// The file name it was captured under.
    pub file_name: String,
    /// Its MIME type.
    pub media_type: String,
    /// Its size.
    pub size_bytes: u64,
    /// Its SHA-256, recorded at capture.
    pub sha256: String,
    /// Whether its bytes are in this profile (not purged, or not yet arrived at the office).
    pub on_this_laptop: bool,
}

impl Store {
    /// The live attachments of record `record_id`, oldest first.
    pub fn attachments_of(&self, record_id: Uuid) -> Result<Vec<AttachmentInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, v.body, b.attachment_id IS NOT NULL
             FROM records r JOIN heads h ON h.record_id = r.id JOIN revisions v ON v.id = h.revision_id
             LEFT JOIN attachment_blobs b ON b.attachment_id = r.id
             WHERE r.kind = 'attachment' AND r.deleted = 0 AND v.body IS NOT NULL
               AND json_extract(v.body, '$.record_id') = ?1
             ORDER BY r.created_at, r.id",
        )?;
        let rows = stmt
            .query_map([record_id.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (id, body, on_this_laptop) in rows {
            // A record in conflict has two heads: list it once.
            if !seen.insert(id.clone()) {
                continue;
            }
            let body: serde_json::Value = serde_json::from_str(&body)
                .map_err(|e| Error::StoreDamaged(format!("attachment {id}: {e}")))?;
            let text = |k: &str| {
                body.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            out.push(AttachmentInfo {
                id: id
                    .parse()
                    .map_err(|e| Error::StoreDamaged(format!("attachment id {id}: {e}")))?,
                media: text("media"),
                file_name: text("file_name"),
                media_type: text("media_type"),
                size_bytes: body.get("size_bytes").and_then(|v| v.as_u64()).unwrap_or(0),
                sha256: text("sha256"),
                on_this_laptop,
            });
        }
        Ok(out)
    }

    /// An attachment's bytes for a screen, checked against its SHA-256 (a mismatch is
    /// [`Error::AttachmentDamaged`]). Refused above [`SHOW_LIMIT`]: write those out with
    /// `fieldcase attachment get` instead. Not logged: showing is not exporting.
    pub fn attachment_bytes(&self, id: Uuid) -> Result<Zeroizing<Vec<u8>>> {
        let mut reader = self.attachment_reader(id)?;
        let size = reader.expected_size();
        if size > SHOW_LIMIT {
            return Err(ValidationError::new(
                "id",
                format!(
                    "attachment {id} is {} MB, too large to show here; write it to a file with `fieldcase attachment get`",
                    size / 1_000_000
                ),
            )
            .into());
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
        reader.read_to_end(&mut bytes).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::AttachmentDamaged(id.to_string()),
            _ => Error::io(format!("reading attachment {id}"), e),
        })?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::model::{example, MediaKind, RecordKind};
    use crate::store::attachments::NewAttachment;
    use crate::store::tests::temp_store;

    #[test]
    fn a_records_attachments_are_listed_and_their_bytes_checked() {
        let (_dir, mut store) = temp_store("Field laptop 3");
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        let other = store.add(example(RecordKind::Establishment)).unwrap();
        let photo: Vec<u8> = (0..70_000u32).map(|i| (i % 239) as u8).collect();
        let id = store
            .attach(
                NewAttachment {
                    record_id: place,
                    media: MediaKind::Photo,
                    file_name: "ខាងមុខ.jpg".into(),
                    media_type: "image/jpeg".into(),
                    description: None,
                },
                &mut Cursor::new(photo.clone()),
            )
            .unwrap();
        let listed = store.attachments_of(place).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].id, listed[0].media.as_str(), listed[0].size_bytes),
            (id, "photo", 70_000)
        );
        assert!(listed[0].on_this_laptop);
        assert!(store.attachments_of(other).unwrap().is_empty());
        assert_eq!(&store.attachment_bytes(id).unwrap()[..], &photo[..]);

        // A changed hash is caught, not shown.
        store
            .conn
            .execute(
                "UPDATE attachment_blobs SET sha256 = ?1 WHERE attachment_id = ?2",
                [&"ab".repeat(32), &id.to_string()],
            )
            .unwrap();
        assert!(matches!(
            store.attachment_bytes(id),
            Err(Error::AttachmentDamaged(_))
        ));
    }
}
