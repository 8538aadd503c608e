//! Where each role works. A desk is a role's front page with its tools: a seller's orders to
//! pack and products running low, a station's parcels, the centre's applications and today's
//! sessions, a trainer's sessions, an official's numbers. The header shows the tools of the
//! desk a page belongs to and the other desks a person may switch to; signing in lands on the
//! first desk; the account page lists them all. Every link here is one its person may open
//! (the desks are derived from the same grants the pages check, and a test walks them all).

use farmgate_domain::authz::{Grants, Role};

use crate::AppState;

/// A link of a desk: its words (a catalogue id) and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub label: &'static str,
    pub href: String,
}

/// A role's front page and its tools (the front page first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    /// The role's name in the catalogue (`role-seller`...).
    pub label: &'static str,
    pub tools: Vec<Tool>,
}

impl Desk {
    pub fn front(&self) -> &str {
        self.tools.first().map_or("/", |t| t.href.as_str())
    }

    /// Whether the page at `path` is one of this desk's.
    fn holds(&self, path: &str) -> bool {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.tools.iter().any(|t| {
            let href = t.href.split('?').next().unwrap_or(&t.href);
            path == href || (href != "/" && path.starts_with(&format!("{href}/")))
        })
    }
}

fn tool(label: &'static str, href: impl Into<String>) -> Tool {
    Tool {
        label,
        href: href.into(),
    }
}

/// What a person's desks are made from: their grants (with each grant's region code) and the
/// shops they are a member of.
pub struct Holdings<'a> {
    pub grants: &'a [(Role, String)],
    pub shop_ids: &'a [i64],
    /// The development outbox is on and the person administers the whole tree.
    pub outbox: bool,
    /// Acts for an express company (its statements and parcels).
    pub carrier: bool,
    /// Holds a market stall today or from a day to come (records its takings).
    pub stall: bool,
}

/// A person's desks, in the order their work usually matters.
pub fn desks(held: &Holdings) -> Vec<Desk> {
    let has = |role: Role| held.grants.iter().any(|(r, _)| *r == role);
    let region_of = |roles: &[Role]| {
        held.grants
            .iter()
            .find(|(r, _)| roles.contains(r))
            .map(|(_, code)| code.clone())
    };
    let mut desks = Vec::new();
    if let Some(desk) = seller_desk(held.shop_ids.first().copied(), has(Role::Seller)) {
        desks.push(desk);
    }
    if held.stall {
        desks.push(Desk {
            label: "role-stall-holder",
            tools: vec![tool("mystall-title", "/stalls/mine")],
        });
    }
    if has(Role::Host) {
        desks.push(Desk {
            label: "role-host",
            tools: vec![tool("desk-today", "/host")],
        });
    }
    if has(Role::StationOperator) {
        desks.push(Desk {
            label: "role-station_operator",
            tools: vec![
                tool("desk-today", "/station"),
                tool("station-parcels-open", "/station/parcels"),
                tool("villager-buy-title", "/station/buy"),
                tool("produce-title", "/station/produce"),
                tool("ledger-day-title", "/station/day"),
                tool("refunds-station-title", "/station/refunds"),
                tool("nav-training", "/training"),
            ],
        });
    }
    if held.carrier {
        desks.push(Desk {
            label: "role-carrier",
            tools: vec![tool("desk-today", "/carrier")],
        });
    }
    if has(Role::Courier) {
        desks.push(Desk {
            label: "role-courier",
            tools: vec![
                tool("desk-today", "/courier"),
                tool("driver-title", "/courier/run"),
                tool("fleet-driver-title", "/courier/fleet"),
            ],
        });
    }
    if let Some(code) = region_of(&[Role::CentreStaff, Role::Admin]) {
        desks.push(centre_desk(&code, has(Role::Admin), held.outbox));
    }
    if has(Role::Trainer) {
        desks.push(Desk {
            label: "role-trainer",
            tools: vec![
                tool("desk-today", "/trainer"),
                tool("desk-funnel", "/centre/training"),
                tool("desk-attendance", "/centre/training/attendance"),
                tool("households-title", "/centre/households"),
            ],
        });
    }
    if let Some(code) = region_of(&[Role::Official]) {
        desks.push(Desk {
            label: "role-official",
            tools: vec![
                tool("desk-today", format!("/centre/stats?region={code}")),
                tool("taobao-tool", format!("/centre/taobao?region={code}")),
                tool("desk-funnel", "/centre/training"),
                tool("desk-attendance", "/centre/training/attendance"),
                tool("households-title", "/centre/households"),
                tool("nav-people", format!("/people?region={code}")),
            ],
        });
    }
    desks
}

/// A shop member's desk (its first shop's tools), or a seller's without a shop yet.
fn seller_desk(shop: Option<i64>, seller: bool) -> Option<Desk> {
    let tools = match shop {
        Some(shop) => vec![
            tool("desk-today", "/seller"),
            tool(
                "seller-orders-title",
                format!("/seller/shops/{shop}/orders"),
            ),
            tool("desk-stock", format!("/seller/shops/{shop}/stock")),
            tool("desk-refunds", format!("/seller/shops/{shop}/refunds")),
            tool(
                "produce-prices-title",
                format!("/seller/shops/{shop}/produce-prices"),
            ),
        ],
        None if seller => vec![
            tool("desk-today", "/seller"),
            tool("nav-open-shop", "/shops/apply"),
        ],
        None => return None,
    };
    Some(Desk {
        label: "role-seller",
        tools,
    })
}

fn centre_desk(code: &str, admin: bool, outbox: bool) -> Desk {
    let mut tools = vec![
        tool("desk-today", "/centre"),
        tool(
            "nav-review",
            format!("/centre/shop-applications?region={code}"),
        ),
        tool("desk-funnel", "/centre/training"),
        tool("trainer-title", "/trainer"),
        tool("network-title", "/centre/stations"),
        tool("centre-places-title", "/centre/places"),
        tool("till-title", "/centre/till"),
        tool("stalls-title", "/centre/stalls"),
        tool("park-title", "/centre/park"),
        tool("ledger-centre-tool", "/centre/ledger"),
        tool("logistics-title", "/centre/logistics"),
        tool("runs-title", "/centre/logistics/runs"),
        tool("settlements-title", "/centre/logistics/settlements"),
        tool("fleet-day-title", "/centre/fleet/day"),
        tool("fleet-vehicles-title", "/centre/fleet"),
        tool("households-title", "/centre/households"),
        tool("stats-tool", format!("/centre/stats?region={code}")),
        tool("taobao-tool", format!("/centre/taobao?region={code}")),
        tool("centre-live-title", "/centre/live"),
        tool("refunds-centre-title", "/centre/disputes"),
        tool("refunds-title", "/centre/refunds"),
        tool("seller-webhooks", "/centre/webhooks"),
        tool("nav-people", format!("/people?region={code}")),
    ];
    if admin {
        tools.push(tool("audit-title", "/centre/audit"));
    }
    if outbox {
        tools.push(tool("desk-outbox", "/admin/outbox"));
    }
    Desk {
        label: if admin {
            "role-admin"
        } else {
            "role-centre_staff"
        },
        tools,
    }
}

/// The desk the page at `path` belongs to, if any.
pub fn current<'a>(desks: &'a [Desk], path: &str) -> Option<&'a Desk> {
    desks.iter().find(|d| d.holds(path))
}

/// Reads what `account_id`'s desks are made from and makes them. A failure to read shows no
/// desks rather than no page.
pub async fn of_account(state: &AppState, account_id: i64, grants: &Grants) -> Vec<Desk> {
    let mut held = Vec::new();
    for grant in grants.iter() {
        let code = match grant.role {
            Role::CentreStaff | Role::Admin | Role::Official => {
                let Some(id) = grant.region.ids().last() else {
                    continue;
                };
                match state.store.region_by_id(id).await {
                    Ok(region) => region.code.as_str().to_owned(),
                    Err(_) => continue,
                }
            }
            _ => String::new(),
        };
        held.push((grant.role, code));
    }
    let shop_ids: Vec<i64> = state
        .store
        .shops_of_member(account_id)
        .await
        .map(|shops| shops.into_iter().map(|s| s.id).collect())
        .unwrap_or_default();
    let outbox = state.config.messenger == crate::messaging::MessengerKind::Outbox
        && grants
            .iter()
            .any(|g| g.role == Role::Admin && g.region.ids().count() == 1);
    let carrier = state
        .store
        .carriers_of(account_id)
        .await
        .is_ok_and(|found| !found.is_empty());
    let today = farmgate_domain::stations::till::LedgerDay::of(chrono::Utc::now());
    let stall = state
        .store
        .holds_stall(account_id, today)
        .await
        .unwrap_or(false);
    desks(&Holdings {
        grants: &held,
        shop_ids: &shop_ids,
        outbox,
        carrier,
        stall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_with_several_roles_has_a_desk_each_and_pages_find_theirs() {
        let grants = [
            (Role::CentreStaff, "tekes".to_owned()),
            (Role::Trainer, "tekes".to_owned()),
        ];
        let desks = desks(&Holdings {
            grants: &grants,
            shop_ids: &[],
            outbox: false,
            carrier: false,
            stall: false,
        });
        let fronts: Vec<&str> = desks.iter().map(Desk::front).collect();
        assert_eq!(fronts, vec!["/centre", "/trainer"]);
        assert_eq!(
            current(&desks, "/centre/live").unwrap().label,
            "role-centre_staff"
        );
        assert_eq!(
            current(&desks, "/trainer/sessions/4?day=1").unwrap().label,
            "role-centre_staff",
            "the first desk holding a page wins"
        );
        assert!(current(&desks, "/products/3").is_none());
        assert!(current(&desks, "/centrex").is_none());
    }

    #[test]
    fn a_buyer_has_no_desk_and_a_shop_member_has_the_shops() {
        let buyer = [(Role::Buyer, String::new())];
        assert!(
            desks(&Holdings {
                grants: &buyer,
                shop_ids: &[],
                outbox: false,
                carrier: false,
                stall: false,
            })
            .is_empty()
        );
        let seller = desks(&Holdings {
            grants: &buyer,
            shop_ids: &[7],
            outbox: false,
            carrier: false,
            stall: false,
        });
        assert_eq!(seller[0].tools[1].href, "/seller/shops/7/orders");
    }
}
