//! Shops: who sells, and how a villager's application becomes an open shop.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Who is behind a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopKind {
    Farmer,
    Cooperative,
    Company,
}

impl ShopKind {
    pub const ALL: [ShopKind; 3] = [ShopKind::Farmer, ShopKind::Cooperative, ShopKind::Company];

    pub fn as_str(self) -> &'static str {
        match self {
            ShopKind::Farmer => "farmer",
            ShopKind::Cooperative => "cooperative",
            ShopKind::Company => "company",
        }
    }

    pub fn parse(text: &str) -> Result<ShopKind, ValidationError> {
        ShopKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or(ValidationError::new("kind", "shop-kind-invalid"))
    }
}

/// Where an application to open a shop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for the county centre's review.
    Pending,
    /// Approved: the shop is open.
    Approved,
    /// Rejected with a reason the applicant sees; they may apply again.
    Rejected,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<ApplicationStatus> {
        [
            ApplicationStatus::Pending,
            ApplicationStatus::Approved,
            ApplicationStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Only a pending application can be decided, and only once.
    pub fn can_decide(self) -> bool {
        self == ApplicationStatus::Pending
    }
}

/// A shop's name: 2 to 40 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ShopName(String);

impl ShopName {
    pub fn parse(text: &str) -> Result<ShopName, ValidationError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(ValidationError::new("name", "required"));
        }
        let chars = name.chars().count();
        if !(2..=40).contains(&chars) || name.chars().any(char::is_control) {
            return Err(ValidationError::new("name", "shop-name-invalid"));
        }
        Ok(ShopName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_names_are_bounded() {
        assert!(ShopName::parse("精河枸杞合作社").is_ok());
        assert_eq!(ShopName::parse(" ").err().map(|e| e.code), Some("required"));
        assert_eq!(
            ShopName::parse("枸").err().map(|e| e.code),
            Some("shop-name-invalid")
        );
        assert!(ShopName::parse(&"核".repeat(41)).is_err());
    }

    #[test]
    fn only_pending_applications_are_decided() {
        assert!(ApplicationStatus::Pending.can_decide());
        assert!(!ApplicationStatus::Approved.can_decide());
        assert!(!ApplicationStatus::Rejected.can_decide());
    }

    #[test]
    fn shop_kinds_parse() {
        assert_eq!(ShopKind::parse("cooperative"), Ok(ShopKind::Cooperative));
        assert!(ShopKind::parse("bank").is_err());
    }
}
