//! Keys and trust for bundles.
//!
//! An office profile holds an age X25519 identity inside its encrypted store; bundles are
//! encrypted to its recipient (`age1…`). A field profile keeps the recipients of the offices
//! it sends to. Each profile keeps the minisign public keys it trusts: the office trusts the
//! devices whose bundles it imports, a field profile trusts the office whose receipts it
//! accepts. Trust is revoked, never deleted, so the audit trail keeps who was trusted when.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::crypto::signing::DeviceSigningKey;
use crate::error::{Error, Result};
use crate::secret::{OfficeIdentity, SigningSecret};
use crate::store::{audit, revisions::time_text, Store};

/// A signing key this profile trusts (or trusted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedKey {
    /// The minisign public key (base64, as `minisign -P` takes it).
    pub public_key: String,
    /// minisign's key id (16 hex digits, upper case as minisign prints it).
    pub key_id: String,
    /// Who it belongs to, e.g. "Field laptop 3 (Battambang)".
    pub name: String,
    /// When it was trusted.
    pub added_at: String,
    /// When trust was revoked, if it was.
    pub revoked_at: Option<String>,
    /// The one device this key signs bundles for: named at `trust add`, or else taken from the
    /// key's first bundle. `None` until then (and for an office key on a laptop).
    pub device_id: Option<Uuid>,
}

/// minisign's key id of a public key, as minisign prints it (16 upper-case hex digits).
pub fn key_id(pk: &minisign::PublicKey) -> String {
    let bytes = pk.keynum();
    let mut n = [0u8; 8];
    n.copy_from_slice(&bytes[..8.min(bytes.len())]);
    format!("{:016X}", u64::from_le_bytes(n))
}

/// Parses a minisign public key given as base64 alone or as minisign's two-line file.
pub fn parse_public_key(text: &str) -> Result<minisign::PublicKey> {
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .unwrap_or("");
    minisign::PublicKey::from_base64(line).map_err(|e| {
        Error::Keys(format!(
            "not a minisign public key (the base64 line the laptop's Settings shows as its signing key, or `fieldcase keys show` prints): {e}"
        ))
    })
}

pub(crate) fn trusted_by_key_id(conn: &Connection, key_id: &str) -> Result<Option<TrustedKey>> {
    Ok(conn
        .query_row(
            "SELECT public_key, key_id, name, added_at, revoked_at, device_id FROM trusted_keys WHERE key_id = ?1",
            [key_id],
            row_to_key,
        )
        .optional()?)
}

fn row_to_key(r: &rusqlite::Row<'_>) -> rusqlite::Result<TrustedKey> {
    Ok(TrustedKey {
        public_key: r.get(0)?,
        key_id: r.get(1)?,
        name: r.get(2)?,
        added_at: r.get(3)?,
        revoked_at: r.get(4)?,
        device_id: r
            .get::<_, Option<String>>(5)?
            .map(|text| Uuid::parse_str(&text))
            .transpose()
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
            })?,
    })
}

/// The key, other than `except_public_key`, that signs for `device_id` (revoked or not), if any.
pub(crate) fn key_of_device(
    conn: &Connection,
    device_id: Uuid,
    except_public_key: &str,
) -> Result<Option<TrustedKey>> {
    Ok(conn
        .query_row(
            "SELECT public_key, key_id, name, added_at, revoked_at, device_id FROM trusted_keys
             WHERE device_id = ?1 AND public_key <> ?2 ORDER BY revoked_at IS NULL DESC, added_at LIMIT 1",
            params![device_id.to_string(), except_public_key],
            row_to_key,
        )
        .optional()?)
}

/// Binds a key not yet bound to the device its first bundle names. Returns whether it did.
pub(crate) fn bind_to_device(conn: &Connection, public_key: &str, device_id: Uuid) -> Result<bool> {
    let bound = conn.execute(
        "UPDATE trusted_keys SET device_id = ?2 WHERE public_key = ?1 AND device_id IS NULL",
        params![public_key, device_id.to_string()],
    )?;
    Ok(bound > 0)
}

pub(crate) fn office_identity(conn: &Connection) -> Result<Option<OfficeIdentity>> {
    Ok(conn
        .query_row(
            "SELECT identity FROM office_identity WHERE id = 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(OfficeIdentity::new))
}

pub(crate) fn parse_identity(identity: &OfficeIdentity) -> Result<age::x25519::Identity> {
    identity
        .expose()
        .trim()
        .parse()
        .map_err(|e| Error::StoreDamaged(format!("the office key in the store: {e}")))
}

/// The bundles whose only receipts (by the audit chain's `receipt_imported` entries) were
/// signed by keys now revoked, `key_id` among them.
const BUNDLES_ONLY_REVOKED_VOUCH_FOR: &str = "
    SELECT json_extract(a.detail, '$.bundle_id') FROM audit a
    WHERE a.action = 'receipt_imported' AND json_extract(a.detail, '$.office_key') = ?1
      AND NOT EXISTS (
          SELECT 1 FROM audit b JOIN trusted_keys k ON k.key_id = json_extract(b.detail, '$.office_key')
          WHERE b.action = 'receipt_imported' AND k.revoked_at IS NULL
            AND json_extract(b.detail, '$.bundle_id') = json_extract(a.detail, '$.bundle_id'))";

/// Withdraws the acknowledgments that only receipts signed by `key_id` (revoked in `tx`) made,
/// for what is still on this device (purged revisions and files are gone already). Returns how
/// many revisions and attachment files are no longer acknowledged. A bundle whose content was
/// all purged stays acknowledged: there is nothing left here to send again.
fn withdraw_acknowledgments_of(tx: &rusqlite::Transaction<'_>, key_id: &str) -> Result<(u64, u64)> {
    let revisions = tx.execute(
        &format!(
            "DELETE FROM acknowledged WHERE bundle_id IN ({BUNDLES_ONLY_REVOKED_VOUCH_FOR})
               AND revision_id IN (SELECT id FROM revisions WHERE purged IS NULL)"
        ),
        [key_id],
    )?;
    let attachments = tx.execute(
        &format!(
            "DELETE FROM acknowledged_attachments WHERE bundle_id IN ({BUNDLES_ONLY_REVOKED_VOUCH_FOR})
               AND sha256 IN (SELECT sha256 FROM attachment_blobs)"
        ),
        [key_id],
    )?;
    tx.execute(
        &format!(
            "UPDATE bundles_out SET acknowledged_at = NULL
             WHERE bundle_id IN ({BUNDLES_ONLY_REVOKED_VOUCH_FOR})
               AND EXISTS (SELECT 1 FROM json_each(bundles_out.revision_ids) j
                           WHERE j.value NOT IN (SELECT revision_id FROM acknowledged)
                             AND j.value IN (SELECT id FROM revisions WHERE purged IS NULL))"
        ),
        [key_id],
    )?;
    Ok((revisions as u64, attachments as u64))
}

impl Store {
    /// Makes this profile an office: creates its age X25519 identity, kept in the encrypted
    /// store. Returns the recipient (`age1…`) field profiles encrypt bundles to.
    pub fn office_init(&mut self) -> Result<String> {
        if office_identity(&self.conn)?.is_some() {
            return Err(Error::Keys(
                "this profile already holds an office key; `fieldcase office recipient` prints it"
                    .into(),
            ));
        }
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let secret = {
            use age::secrecy::ExposeSecret;
            OfficeIdentity::new(identity.to_string().expose_secret().to_string())
        };
        let now = Utc::now();
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO office_identity (id, identity, recipient, created_at) VALUES (1, ?1, ?2, ?3)",
            params![secret.expose(), recipient, time_text(now)],
        )?;
        self.audit_in(
            &tx,
            now,
            audit::Action::OfficeKeyCreated,
            json!({"recipient": recipient}),
        )?;
        tx.commit()?;
        Ok(recipient)
    }

    /// The office's recipient (`age1…`), if this is an office profile.
    pub fn office_recipient(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT recipient FROM office_identity WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| crate::error::BundleError::NotAnOffice.into())
    }

    /// Whether this profile holds an office key.
    pub fn is_office(&self) -> Result<bool> {
        Ok(office_identity(&self.conn)?.is_some())
    }

    /// Writes the office identity to `out` (created, must not exist, mode 0600) as a standard
    /// age identity file, for escrow. Logged. Whoever holds this file reads every bundle.
    pub fn export_office_identity(&mut self, out: &Path) -> Result<()> {
        let identity =
            office_identity(&self.conn)?.ok_or(crate::error::BundleError::NotAnOffice)?;
        let recipient = self.office_recipient()?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(out)
            .map_err(|e| Error::io(format!("creating {}", out.display()), e))?;
        let mut text = zeroize::Zeroizing::new(format!(
            "# created: {}\n# public key: {recipient}\n{}\n",
            time_text(Utc::now()),
            identity.expose().trim()
        ));
        let written = file
            .write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io(format!("writing {}", out.display()), e));
        zeroize::Zeroize::zeroize(&mut *text);
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
        self.audit_now(
            audit::Action::OfficeIdentityExported,
            None,
            json!({"recipient": recipient}),
        )
    }

    /// Adds an office this field profile sends bundles to. Logged.
    pub fn add_office_recipient(&mut self, recipient: &str) -> Result<()> {
        let parsed: age::x25519::Recipient = recipient.trim().parse().map_err(|e| {
            Error::Keys(format!(
                "not an age X25519 recipient (one line starting with age1…): {e}"
            ))
        })?;
        let text = parsed.to_string();
        let now = Utc::now();
        let tx = self.conn.unchecked_transaction()?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO office_recipients (recipient, added_at) VALUES (?1, ?2)",
            params![text, time_text(now)],
        )?;
        if added == 0 {
            return Ok(());
        }
        self.audit_in(
            &tx,
            now,
            audit::Action::OfficeRecipientAdded,
            json!({"recipient": text}),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The offices this profile's bundles are encrypted to.
    pub fn office_recipients(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT recipient FROM office_recipients ORDER BY added_at, recipient")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }

    /// Trusts a signing key (a device's, on an office; the office's, on a field profile). Logged.
    /// Trusting a key again that was revoked is refused: revocation is final. A device's key
    /// trusted this way binds to the device its first bundle names.
    pub fn trust_add(&mut self, public_key: &str, name: &str) -> Result<TrustedKey> {
        self.trust_add_for_device(public_key, name, None)
    }

    /// [`Store::trust_add`], naming the device the key signs for when it is known (the laptop's
    /// `fieldcase keys show` prints it): its bundles may then name only that device. A key
    /// already trusted and not yet bound is bound now. Refused if the key is bound to another
    /// device, if another key not revoked signs for this one, or if it is this profile's own.
    pub fn trust_add_for_device(
        &mut self,
        public_key: &str,
        name: &str,
        device: Option<Uuid>,
    ) -> Result<TrustedKey> {
        let pk = parse_public_key(public_key)?;
        if name.trim().is_empty() {
            return Err(Error::Keys(
                "give the key a name (--name \"Field laptop 3\")".into(),
            ));
        }
        let b64 = pk.to_base64();
        let id = key_id(&pk);
        let existing = trusted_by_key_id(&self.conn, &id)?;
        if let Some(existing) = &existing {
            if let Some(at) = &existing.revoked_at {
                return Err(Error::Keys(format!(
                    "key {id} ({}) was revoked on {at}; a revoked key is not trusted again",
                    existing.name
                )));
            }
            match (existing.device_id, device) {
                (_, None) => return Ok(existing.clone()),
                (Some(bound), Some(asked)) if bound == asked => return Ok(existing.clone()),
                (Some(bound), Some(asked)) => {
                    return Err(Error::Keys(format!(
                        "key {id} ({}) already signs for device {bound}, not {asked}; a key signs for one device only. Nothing was changed",
                        existing.name
                    )))
                }
                (None, Some(_)) => {}
            }
        }
        if let Some(device) = device {
            self.check_device_is_free(device, &b64)?;
        }
        let now = Utc::now();
        let tx = self.conn.unchecked_transaction()?;
        let device_text = device.map(|d| d.to_string());
        match &existing {
            None => {
                tx.execute(
                    "INSERT INTO trusted_keys (public_key, key_id, name, added_at, device_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![b64, id, name.trim(), time_text(now), device_text],
                )?;
                self.audit_in(
                    &tx,
                    now,
                    audit::Action::KeyTrusted,
                    json!({"key_id": id, "public_key": b64, "name": name.trim(), "device_id": device}),
                )?;
            }
            Some(existing) => {
                tx.execute(
                    "UPDATE trusted_keys SET device_id = ?2 WHERE key_id = ?1 AND device_id IS NULL",
                    params![id, device_text],
                )?;
                self.audit_in(
                    &tx,
                    now,
                    audit::Action::KeyTrusted,
                    json!({"key_id": id, "public_key": b64, "name": existing.name, "device_id": device,
                           "bound_to_device": true}),
                )?;
            }
        }
        tx.commit()?;
        trusted_by_key_id(&self.conn, &id)?
            .ok_or_else(|| Error::StoreDamaged("trusted key vanished".into()))
    }

    /// Refuses to bind a key to `device` if it is this profile's own, or another key not
    /// revoked signs for it. (A revoked key's device may be given a new key, by name, here.)
    fn check_device_is_free(&self, device: Uuid, public_key: &str) -> Result<()> {
        if device == self.device.id {
            return Err(Error::Keys(format!(
                "device {device} is this profile's own; a key trusted here signs for another device. Nothing was changed"
            )));
        }
        match key_of_device(&self.conn, device, public_key)? {
            Some(other) if other.revoked_at.is_none() => Err(Error::Keys(format!(
                "device {device} already has key {} ({}); one device has one key. Revoke that key first if the laptop really has a new one. Nothing was changed",
                other.key_id, other.name
            ))),
            _ => Ok(()),
        }
    }

    /// Every key trusted (or once trusted), oldest first.
    pub fn trust_list(&self) -> Result<Vec<TrustedKey>> {
        let mut stmt = self.conn.prepare(
            "SELECT public_key, key_id, name, added_at, revoked_at, device_id FROM trusted_keys ORDER BY added_at, key_id",
        )?;
        let rows = stmt
            .query_map([], row_to_key)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Revokes trust in a key, named by its key id or its public key. Logged.
    pub fn trust_revoke(&mut self, key: &str) -> Result<TrustedKey> {
        let key = key.trim();
        let id = if key.len() == 16 && key.chars().all(|c| c.is_ascii_hexdigit()) {
            key.to_ascii_uppercase()
        } else {
            key_id(&parse_public_key(key)?)
        };
        let found = trusted_by_key_id(&self.conn, &id)?.ok_or_else(|| Error::NotFound {
            what: "trusted key",
            id: id.clone(),
        })?;
        if found.revoked_at.is_some() {
            return Ok(found);
        }
        let now = Utc::now();
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "UPDATE trusted_keys SET revoked_at = ?2 WHERE key_id = ?1",
            params![id, time_text(now)],
        )?;
        // On a laptop, an office key revoked (lost, or found misused) no longer vouches for
        // anything: what only its receipts acknowledged, and is still here, is no longer
        // acknowledged, so purge keeps it and the next export carries it again.
        let (revisions, attachments) = withdraw_acknowledgments_of(&tx, &id)?;
        self.audit_in(
            &tx,
            now,
            audit::Action::KeyRevoked,
            json!({"key_id": id, "name": found.name,
                   "acknowledged_revisions_withdrawn": revisions,
                   "acknowledged_attachments_withdrawn": attachments}),
        )?;
        tx.commit()?;
        trusted_by_key_id(&self.conn, &id)?
            .ok_or_else(|| Error::StoreDamaged("trusted key vanished".into()))
    }

    /// The device's minisign secret-key box, for signing bundles and receipts.
    fn signing_secret(&self) -> Result<SigningSecret> {
        let text: String = self.conn.query_row(
            "SELECT signing_secret_key FROM device WHERE id = ?1",
            [self.device.id.to_string()],
            |r| r.get(0),
        )?;
        Ok(SigningSecret::new(text))
    }

    /// The device's signing key, decoded from its box into zeroizing memory, checked against
    /// the public key the profile publishes.
    fn signing_key(&self) -> Result<DeviceSigningKey> {
        let key = DeviceSigningKey::from_secret_box(&self.signing_secret()?)?;
        if key.public_key_base64()? != self.device.signing_public_key {
            return Err(Error::StoreDamaged(
                "device signing key: it does not match the device's public key".into(),
            ));
        }
        Ok(key)
    }

    /// Signs `data` with the device key in minisign's format (see [`crate::crypto::signing`]).
    /// The key is dropped, and zeroized, before the signature is checked with the `minisign`
    /// crate against the device's public key, as stock minisign and the office will check it.
    pub(crate) fn sign_minisign(
        &self,
        data: &[u8],
        trusted_comment: &str,
        untrusted_comment: &str,
    ) -> Result<String> {
        let signature = self
            .signing_key()?
            .sign(data, trusted_comment, untrusted_comment)?;
        let pk = minisign::PublicKey::from_base64(&self.device.signing_public_key)
            .map_err(|e| Error::StoreDamaged(format!("device public key: {e}")))?;
        minisign::SignatureBox::from_string(&signature)
            .and_then(|sig| minisign::verify(&pk, &sig, io::Cursor::new(data), true, false, false))
            .map_err(|e| Error::Crypto(format!("the new signature does not verify: {e}")))?;
        Ok(signature)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::tests::temp_store;

    fn new_store() -> (tempfile::TempDir, crate::Store) {
        temp_store("Office")
    }

    #[test]
    fn office_key_is_made_once_and_recipient_parses() {
        let (_dir, mut store) = new_store();
        assert!(!store.is_office().unwrap());
        let r = store.office_init().unwrap();
        assert!(r.starts_with("age1"));
        assert_eq!(store.office_recipient().unwrap(), r);
        assert!(store.office_init().is_err());
    }

    #[test]
    fn trust_add_list_revoke_and_no_retrust() {
        let (_dir, mut store) = new_store();
        let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let pk = other.pk.to_base64();
        let k = store.trust_add(&pk, "ឡានចុះវាល ៣").unwrap();
        assert_eq!(k.key_id.len(), 16);
        assert_eq!(store.trust_list().unwrap().len(), 1);
        let revoked = store.trust_revoke(&k.key_id).unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(store.trust_add(&pk, "again").is_err());
        assert!(store.trust_add("not a key", "x").is_err());
        let actions: Vec<String> = store
            .audit_entries()
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"key_trusted".to_string()));
        assert!(actions.contains(&"key_revoked".to_string()));
    }

    #[test]
    fn recipients_are_checked_and_kept() {
        let (_dir, mut store) = new_store();
        assert!(store.add_office_recipient("age1nonsense").is_err());
        let office = age::x25519::Identity::generate().to_public().to_string();
        store.add_office_recipient(&office).unwrap();
        store.add_office_recipient(&office).unwrap();
        assert_eq!(store.office_recipients().unwrap(), vec![office]);
    }
}
