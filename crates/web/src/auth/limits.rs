//! Rate limits: logins per client address and per account (so neither one address nor a
//! botnet against one account can guess passwords quickly), and order placements per buyer.
//!
//! governor's keyed GCRA limiters (the engine tower_governor wraps) are used directly rather
//! than as a tower layer, because a refused login must be answered in the user's language,
//! on the re-shown form, with the seconds to wait.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::WebConfig;

pub struct LoginLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    /// Order placements per buyer: generous for a person, a wall for a script.
    orders_per_buyer: DefaultKeyedRateLimiter<i64>,
    /// Chat messages per account, across rooms: a person types a line every few seconds.
    chat_per_account: DefaultKeyedRateLimiter<i64>,
    /// Read only when a limit is spent, to say how long to wait.
    clock: DefaultClock,
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimits {
    pub fn new(config: &WebConfig) -> LoginLimits {
        let nonzero = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        LoginLimits {
            per_ip: RateLimiter::keyed(per_minute(config.login_per_ip_per_minute)),
            per_account: RateLimiter::keyed(per_minute(config.login_per_account_per_minute)),
            orders_per_buyer: RateLimiter::keyed(
                Quota::per_second(nonzero(config.orders_per_buyer_per_second))
                    .allow_burst(nonzero(config.orders_per_buyer_burst)),
            ),
            chat_per_account: RateLimiter::keyed(
                per_minute(config.chat_per_minute).allow_burst(nonzero(config.chat_burst)),
            ),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt from `ip` (and at `account`, when known); Err holds the seconds to
    /// wait when either limit is spent.
    pub fn check(&self, ip: IpAddr, account: Option<&str>) -> Result<(), u64> {
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs() + 1)?;
        if let Some(account) = account {
            self.per_account
                .check_key(&account.to_owned())
                .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs() + 1)?;
        }
        Ok(())
    }

    /// Counts one order placement by `buyer_id` (10 a second, bursts of 30); Err holds the
    /// seconds to wait.
    pub fn check_order(&self, buyer_id: i64) -> Result<(), u64> {
        self.orders_per_buyer
            .check_key(&buyer_id)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs() + 1)
    }

    /// Counts one chat message by `account_id`; Err holds the seconds to wait.
    pub fn check_chat(&self, account_id: i64) -> Result<(), u64> {
        self.chat_per_account
            .check_key(&account_id)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs() + 1)
    }

    /// Forgets keys whose quota has fully recovered; run now and then.
    pub fn shrink(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
        self.orders_per_buyer.retain_recent();
        self.chat_per_account.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_limit_applies_across_addresses() {
        let limits = LoginLimits::new(&WebConfig {
            login_per_ip_per_minute: 100,
            login_per_account_per_minute: 3,
            ..WebConfig::default()
        });
        for last in 1..=3u8 {
            assert!(
                limits
                    .check(IpAddr::from([10, 0, 0, last]), Some("tekes-centre"))
                    .is_ok()
            );
        }
        let refused = limits.check(IpAddr::from([10, 0, 0, 9]), Some("tekes-centre"));
        assert!(matches!(refused, Err(seconds) if seconds >= 1));
        assert!(
            limits
                .check(IpAddr::from([10, 0, 0, 9]), Some("kuqa-centre"))
                .is_ok()
        );
    }

    #[test]
    fn the_address_limit_applies_across_accounts() {
        let limits = LoginLimits::new(&WebConfig {
            login_per_ip_per_minute: 2,
            login_per_account_per_minute: 100,
            ..WebConfig::default()
        });
        let ip = IpAddr::from([127, 0, 0, 1]);
        assert!(limits.check(ip, Some("a")).is_ok());
        assert!(limits.check(ip, Some("b")).is_ok());
        assert!(limits.check(ip, Some("c")).is_err());
    }
}
