//! Identity numbers at rest (decision 0025): sealed with AES-256-GCM under a key derived from
//! the county's configured secret, a fresh random nonce each time, and the number's blind index
//! as associated data (a sealed number moved to another row does not open). The blind index
//! (HMAC-SHA256 under a second derived key) finds a person already registered without the
//! number being readable; the masked form is kept beside them for lists.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use farmgate_domain::households::IdNumber;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const NONCE_BYTES: usize = 12;

/// The keys identity numbers are sealed and indexed with.
#[derive(Clone)]
pub struct IdVault {
    seal: Aes256Gcm,
    index: HmacSha256,
}

impl std::fmt::Debug for IdVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdVault(..)")
    }
}

/// A number as it is kept: sealed, indexed and masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedId {
    /// Hex of the nonce and the ciphertext with its tag.
    pub sealed: String,
    /// Hex of the blind index.
    pub index: String,
    pub masked: String,
}

/// Why a kept number does not open: the key is not the one it was sealed with, or the row was
/// tampered with. Never the number itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an identity number does not open with this key")]
pub struct SealBroken;

fn derive(secret: &[u8], purpose: &[u8]) -> [u8; 32] {
    // HMAC as the key-derivation step: one configured secret, a key per purpose.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

impl IdVault {
    /// The vault for a configured secret (at least 32 bytes).
    pub fn new(secret: &[u8]) -> Option<IdVault> {
        if secret.len() < 32 {
            return None;
        }
        let seal =
            Aes256Gcm::new_from_slice(&derive(secret, b"farmgate household id seal v1")).ok()?;
        let index =
            <HmacSha256 as Mac>::new_from_slice(&derive(secret, b"farmgate household id index v1"))
                .ok()?;
        Some(IdVault { seal, index })
    }

    /// The blind index of `number`: equal numbers, equal indexes.
    pub fn index_of(&self, number: &IdNumber) -> String {
        let mut mac = self.index.clone();
        mac.update(number.as_str().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn seal(&self, number: &IdNumber) -> SealedId {
        let index = self.index_of(number);
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: number.as_str().as_bytes(),
            aad: index.as_bytes(),
        };
        // Sealing eighteen bytes in memory cannot fail (the only error is a message too long).
        let sealed = self
            .seal
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        SealedId {
            sealed: hex::encode([nonce.as_slice(), sealed.as_slice()].concat()),
            index,
            masked: number.masked(),
        }
    }

    /// The number kept as `sealed` under `index`.
    pub fn open(&self, sealed: &str, index: &str) -> Result<IdNumber, SealBroken> {
        let bytes = hex::decode(sealed).map_err(|_| SealBroken)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(SealBroken);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: body,
            aad: index.as_bytes(),
        };
        let plain = self
            .seal
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SealBroken)?;
        let text = String::from_utf8(plain).map_err(|_| SealBroken)?;
        IdNumber::parse(&text).map_err(|_| SealBroken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_opens_with_its_key_only_and_only_in_its_row() {
        let vault = IdVault::new(&[7u8; 32]).unwrap();
        let number = IdNumber::parse("652801198001011238").unwrap();
        let kept = vault.seal(&number);
        assert!(!kept.sealed.contains("652801"), "not readable at rest");
        assert_eq!(kept.masked, "6528**********1238");
        assert_eq!(vault.open(&kept.sealed, &kept.index), Ok(number.clone()));
        assert_ne!(
            vault.seal(&number).sealed,
            kept.sealed,
            "a fresh nonce each time"
        );
        assert_eq!(
            vault.seal(&number).index,
            kept.index,
            "the same person is found"
        );
        let other = IdVault::new(&[8u8; 32]).unwrap();
        assert_eq!(other.open(&kept.sealed, &kept.index), Err(SealBroken));
        let elsewhere = vault.seal(&IdNumber::parse("11010519491231002X").unwrap());
        assert_eq!(vault.open(&kept.sealed, &elsewhere.index), Err(SealBroken));
        assert!(IdVault::new(b"short").is_none());
    }
}
