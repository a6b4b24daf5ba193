//! A record's attachments as a screen shows them: what each is (photo, audio, video,
//! document), and its bytes for display, checked against the SHA-256 captured with it. The
//! bytes go to memory only (a zeroizing buffer), never to a file, and only up to a size a
//! screen can hold; larger files are written out on purpose with `attachment get`.
//!
//! A video or recording is played a piece at a time instead ([`Store::attachment_ranges`]):
//! only the chunks a player asks for are read and decrypted, at most [`RANGE_LIMIT`] bytes
//! at once, each chunk authenticated on its own. The SHA-256 of the whole is not checked
//! on that path (it needs every byte); see [`crate::crypto::RangeReader`] for what a ranged
//! read does and does not promise.

use std::fs::File;
use std::io::{self, Read};

use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::RangeReader;
use crate::error::{Error, Result, ValidationError};
use crate::store::attachments::{blob_key, open_blob};
use crate::store::Store;

/// The most bytes [`Store::attachment_bytes`] hands to a screen (64 MiB).
pub const SHOW_LIMIT: u64 = 64 * 1024 * 1024;

/// The most bytes one ranged read hands out (1 MiB); a player asks again for more.
pub const RANGE_LIMIT: u64 = 1024 * 1024;

/// A live attachment of this store opened for ranged reads: its size and type, and its
/// bytes a range at a time. Holds the open file and that file's own key (zeroized on drop),
/// never the data key.
pub struct AttachmentRanges {
    reader: RangeReader<File>,
    id: Uuid,
    media: String,
    media_type: String,
}

impl std::fmt::Debug for AttachmentRanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentRanges")
            .field("id", &self.id)
            .field("media_type", &self.media_type)
            .field("size", &self.reader.len())
            .finish_non_exhaustive()
    }
}

impl AttachmentRanges {
    /// Its size in bytes, as recorded at capture.
    pub fn size(&self) -> u64 {
        self.reader.len()
    }

    /// `audio`, `photo`, `video` or `document`.
    pub fn media(&self) -> &str {
        &self.media
    }

    /// Its MIME type as recorded.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// Bytes `start..end` (`end` exclusive), at most [`RANGE_LIMIT`] of them. A range
    /// outside the file or longer than the limit is refused ([`Error::Invalid`], field
    /// `range`); a chunk that fails authentication is [`Error::AttachmentDamaged`] and
    /// nothing of the range is handed out.
    pub fn read(&mut self, start: u64, end: u64) -> Result<Zeroizing<Vec<u8>>> {
        if start > end || end > self.size() {
            return Err(ValidationError::new(
                "range",
                format!(
                    "bytes {start}..{end} are outside attachment {} ({} bytes)",
                    self.id,
                    self.size()
                ),
            )
            .into());
        }
        if end - start > RANGE_LIMIT {
            return Err(ValidationError::new(
                "range",
                format!("at most {RANGE_LIMIT} bytes are read at once"),
            )
            .into());
        }
        self.reader
            .read_range(start, end)
            .map_err(|e| match e.kind() {
                io::ErrorKind::InvalidData => Error::AttachmentDamaged(self.id.to_string()),
                _ => Error::io(format!("reading attachment {}", self.id), e),
            })
    }
}

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
            let text = |k: &str| super::text_field(&body, k);
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

    /// Opens a live attachment of this store for ranged reads ([`AttachmentRanges`]). An id
    /// that is not a live attachment whose bytes are here (unknown, deleted, purged, another
    /// kind of record) is [`Error::NotFound`]; a file that is missing or whose length does not
    /// match the recorded size is [`Error::AttachmentDamaged`].
    pub fn attachment_ranges(&self, id: Uuid) -> Result<AttachmentRanges> {
        let row: Option<(String, i64, String, Option<Vec<u8>>)> = self
            .conn
            .prepare_cached(
                "SELECT b.blob, b.size_bytes, v.body, b.file_key
                 FROM attachment_blobs b JOIN records r ON r.id = b.attachment_id
                 JOIN heads h ON h.record_id = r.id JOIN revisions v ON v.id = h.revision_id
                 WHERE b.attachment_id = ?1 AND r.kind = 'attachment' AND r.deleted = 0
                   AND v.body IS NOT NULL
                 ORDER BY v.seq DESC LIMIT 1",
            )?
            .query_row([id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((blob, size, body, stored_key)) = row else {
            return Err(Error::NotFound {
                what: "attachment",
                id: id.to_string(),
            });
        };
        let body: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| Error::StoreDamaged(format!("attachment {id}: {e}")))?;
        let text = |k: &str| super::text_field(&body, k);
        let size = u64::try_from(size)
            .map_err(|_| Error::StoreDamaged(format!("attachment {id}: a negative size")))?;
        let file = open_blob(&self.dir, id, &blob)?;
        let key = blob_key(&self.key, &blob, stored_key)?;
        let reader = RangeReader::new(file, &key, size).map_err(|e| match e {
            Error::Io { ref source, .. } if source.kind() != io::ErrorKind::InvalidData => e,
            _ => Error::AttachmentDamaged(id.to_string()),
        })?;
        Ok(AttachmentRanges {
            reader,
            id,
            media: text("media"),
            media_type: text("media_type"),
        })
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
                    "attachment {id} is {} MB, too large to show here; it is kept in the store unchanged, and the office or `fieldcase attachment get` can write it to a file",
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
    use crate::store::attachments::{attachments_dir, NewAttachment};
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

    fn attach_video(store: &mut Store, record_id: Uuid, bytes: &[u8]) -> Uuid {
        store
            .attach(
                NewAttachment {
                    record_id,
                    media: MediaKind::Video,
                    file_name: "ច្រកចូល.webm".into(),
                    media_type: "video/webm".into(),
                    description: Some("វីដេអូខាងមុខ".into()),
                },
                &mut Cursor::new(bytes.to_vec()),
            )
            .unwrap()
    }

    #[test]
    fn a_video_is_read_a_range_at_a_time_and_matches_its_bytes() {
        let (_dir, mut store) = temp_store("Field laptop 3");
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        let video: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let id = attach_video(&mut store, place, &video);
        let mut r = store.attachment_ranges(id).unwrap();
        assert_eq!(
            (r.size(), r.media(), r.media_type()),
            (300_000, "video", "video/webm")
        );
        for (a, b) in [
            (0, 1),
            (0, 65_536),
            (65_530, 65_540),
            (200_000, 300_000),
            (300_000, 300_000),
        ] {
            assert_eq!(
                &r.read(a, b).unwrap()[..],
                &video[a as usize..b as usize],
                "{a}..{b}"
            );
        }
        // The pieces put together are what the whole read (SHA-256 checked) gives.
        let mut joined = Vec::new();
        for start in (0..300_000u64).step_by(70_001) {
            joined.extend_from_slice(&r.read(start, (start + 70_001).min(300_000)).unwrap());
        }
        assert_eq!(&joined[..], &store.attachment_bytes(id).unwrap()[..]);
        // A range outside the file, or longer than the limit, is refused by name.
        for (a, b) in [(0, 300_001), (300_001, 300_002), (9, 3)] {
            assert!(
                matches!(r.read(a, b), Err(Error::Invalid(ref v)) if v.to_string().contains("range")),
                "{a}..{b}"
            );
        }
        let big_id = attach_video(&mut store, place, &vec![1u8; 3 * RANGE_LIMIT as usize]);
        let mut big = store.attachment_ranges(big_id).unwrap();
        assert!(matches!(
            big.read(0, RANGE_LIMIT + 1),
            Err(Error::Invalid(_))
        ));
        assert_eq!(
            big.read(RANGE_LIMIT, 2 * RANGE_LIMIT).unwrap().len() as u64,
            RANGE_LIMIT
        );
    }

    #[test]
    fn only_live_attachments_of_this_store_open_for_ranges() {
        let (_dir, mut store) = temp_store("Field laptop 3");
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        let id = attach_video(&mut store, place, b"not really a video");
        let not_found = |r: Result<AttachmentRanges>| {
            matches!(
                r,
                Err(Error::NotFound {
                    what: "attachment",
                    ..
                })
            )
        };
        assert!(
            not_found(store.attachment_ranges(Uuid::now_v7())),
            "an unknown id"
        );
        assert!(
            not_found(store.attachment_ranges(place)),
            "a record that is not an attachment"
        );
        // Another store's attachment is unknown here.
        let (_other_dir, mut other) = temp_store("Field laptop 4");
        let other_place = other.add(example(RecordKind::Establishment)).unwrap();
        let theirs = attach_video(&mut other, other_place, b"theirs");
        assert!(not_found(store.attachment_ranges(theirs)));
        assert!(store.attachment_ranges(id).is_ok());
        store.delete(id).unwrap();
        assert!(
            not_found(store.attachment_ranges(id)),
            "a deleted attachment"
        );
    }

    #[test]
    fn a_changed_or_missing_file_is_damaged_for_ranges() {
        let (_dir, mut store) = temp_store("Field laptop 3");
        let place = store.add(example(RecordKind::Establishment)).unwrap();
        let video: Vec<u8> = (0..200_000u32).map(|i| (i % 13) as u8).collect();
        let id = attach_video(&mut store, place, &video);
        let blob: String = store
            .conn
            .query_row(
                "SELECT blob FROM attachment_blobs WHERE attachment_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        let path = attachments_dir(&store.dir).join(&blob);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[27 + 65_552 + 5] ^= 0x40; // in the second chunk
        std::fs::write(&path, &bytes).unwrap();
        let mut r = store.attachment_ranges(id).unwrap();
        assert_eq!(
            &r.read(0, 100).unwrap()[..],
            &video[..100],
            "the first chunk is intact"
        );
        assert!(matches!(
            r.read(65_536, 65_600),
            Err(Error::AttachmentDamaged(_))
        ));
        // The recorded size is what the file's length must fit.
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(matches!(
            store.attachment_ranges(id),
            Err(Error::AttachmentDamaged(_))
        ));
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            store.attachment_ranges(id),
            Err(Error::AttachmentDamaged(_))
        ));
    }
}
