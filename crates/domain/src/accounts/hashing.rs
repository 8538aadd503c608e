//! Password hashing with argon2id. CPU-heavy by design: callers on an async runtime run these
//! inside `spawn_blocking`.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use super::Password;

/// argon2id with the OWASP-recommended floor (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$...`) with a fresh random salt.
pub fn hash_password(password: &Password) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()
        .hash_password(password.expose().as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of a random password, verified against when the login is unknown, so an
/// unknown login costs the same time as a wrong password and timing tells nothing.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$V0u7Pa3PRmM3cUGMeG4Ps2SEXsSpsWGBzWZTmcMtS7Q"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let password = Password::parse("walnuts-from-huixian").unwrap();
        let hash = hash_password(&password).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("walnuts-from-huixian", &hash));
        assert!(!verify_password("walnuts-from-tekes", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_decoy_hash_parses_and_matches_nothing_typed() {
        assert!(PasswordHash::new(decoy_hash()).is_ok());
        assert!(!verify_password("password", decoy_hash()));
    }
}
