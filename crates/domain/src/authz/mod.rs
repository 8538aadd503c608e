//! Authorization: roles granted at a region node, acting within that node's subtree.
//!
//! A person may hold several grants (a seller in Jinghe who also hosts live rooms, a
//! trainer who is also centre staff). Every protected route asks one question:
//! "does this person hold one of these roles at a node that contains that region?"

use serde::{Deserialize, Serialize};

use crate::regions::RegionPath;

/// The roles of DESIGN.md, plus the administrator who runs the installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Seller,
    Host,
    StationOperator,
    CentreStaff,
    Trainer,
    Courier,
    Official,
    Admin,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Buyer,
        Role::Seller,
        Role::Host,
        Role::StationOperator,
        Role::CentreStaff,
        Role::Trainer,
        Role::Courier,
        Role::Official,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Seller => "seller",
            Role::Host => "host",
            Role::StationOperator => "station_operator",
            Role::CentreStaff => "centre_staff",
            Role::Trainer => "trainer",
            Role::Courier => "courier",
            Role::Official => "official",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        let text = text.trim().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The roles a holder of this role may grant to others, inside its own subtree.
    pub fn may_grant(self) -> &'static [Role] {
        match self {
            Role::Admin => &Role::ALL,
            Role::CentreStaff => &[
                Role::Seller,
                Role::Host,
                Role::StationOperator,
                Role::Trainer,
                Role::Courier,
            ],
            _ => &[],
        }
    }

    /// Whether this role may read people's personal data (full phone numbers) in its subtree.
    pub fn sees_personal_data(self) -> bool {
        matches!(self, Role::Admin | Role::CentreStaff)
    }
}

/// One role held at one region node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub region: RegionPath,
}

/// Everything one person has been granted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Grants(Vec<Grant>);

impl Grants {
    pub fn new(grants: Vec<Grant>) -> Grants {
        Grants(grants)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Grant> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The grant that lets its holder act as one of `roles` on `target`, if any.
    ///
    /// An administrator's grant counts for every role inside the administrator's subtree.
    pub fn permits(&self, roles: &[Role], target: &RegionPath) -> Option<&Grant> {
        self.0.iter().find(|grant| {
            (grant.role == Role::Admin || roles.contains(&grant.role))
                && grant.region.contains(target)
        })
    }

    pub fn allows(&self, roles: &[Role], target: &RegionPath) -> bool {
        self.permits(roles, target).is_some()
    }

    /// Whether the holder may grant `role` at `target`.
    pub fn may_grant(&self, role: Role, target: &RegionPath) -> bool {
        self.0
            .iter()
            .any(|grant| grant.role.may_grant().contains(&role) && grant.region.contains(target))
    }

    /// Whether the holder may see personal data of people at `target`.
    pub fn sees_personal_data_at(&self, target: &RegionPath) -> bool {
        self.0
            .iter()
            .any(|grant| grant.role.sees_personal_data() && grant.region.contains(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn china() -> RegionPath {
        RegionPath::root(1)
    }
    fn xinjiang() -> RegionPath {
        china().child(2)
    }
    fn tekes() -> RegionPath {
        xinjiang().child(3).child(4)
    }
    fn jinghe() -> RegionPath {
        xinjiang().child(5).child(6)
    }

    #[test]
    fn staff_act_only_inside_their_subtree() {
        let staff = Grants::new(vec![Grant {
            role: Role::CentreStaff,
            region: tekes(),
        }]);
        assert!(staff.allows(&[Role::CentreStaff], &tekes().child(40)));
        assert!(!staff.allows(&[Role::CentreStaff], &jinghe()));
        assert!(!staff.allows(&[Role::CentreStaff], &xinjiang()));
        assert!(!staff.allows(&[Role::Official], &tekes()));
    }

    #[test]
    fn admins_count_for_every_role_in_their_subtree() {
        let admin = Grants::new(vec![Grant {
            role: Role::Admin,
            region: xinjiang(),
        }]);
        for role in Role::ALL {
            assert!(admin.allows(&[role], &tekes()));
            assert!(!admin.allows(&[role], &china().child(99)));
        }
    }

    #[test]
    fn granting_is_limited_by_role_and_region() {
        let staff = Grants::new(vec![Grant {
            role: Role::CentreStaff,
            region: tekes(),
        }]);
        assert!(staff.may_grant(Role::Seller, &tekes().child(9)));
        assert!(!staff.may_grant(Role::Seller, &jinghe()));
        assert!(!staff.may_grant(Role::Admin, &tekes()));
        assert!(!staff.may_grant(Role::CentreStaff, &tekes()));
        let seller = Grants::new(vec![Grant {
            role: Role::Seller,
            region: tekes(),
        }]);
        assert!(!seller.may_grant(Role::Seller, &tekes()));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("station-operator"), Some(Role::StationOperator));
        assert_eq!(Role::parse("king"), None);
    }

    proptest! {
        /// No grant ever reaches outside its own subtree, whatever the role.
        #[test]
        fn no_grant_escapes_its_subtree(role_index in 0usize..9, granted in proptest::collection::vec(1i64..20, 1..4),
                                        target in proptest::collection::vec(1i64..20, 1..5)) {
            let path = |ids: &[i64]| ids[1..].iter().fold(RegionPath::root(ids[0]), |p, id| p.child(*id));
            let role = Role::ALL[role_index];
            let grants = Grants::new(vec![Grant { role, region: path(&granted) }]);
            let inside = target.starts_with(&granted);
            prop_assert_eq!(grants.allows(&[role], &path(&target)), inside);
        }
    }
}
