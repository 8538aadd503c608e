//! Rate limits. Sign-in counts failures, not attempts, so the rightful owner is never locked
//! out (decision 0012): a wrong password slows down the pair of that account and that
//! address with growing delays; an address with many recent failures, or one guessing at an
//! account that many are guessing at, waits; an address with no recent failures always gets
//! its answer. Registrations are counted per address, order placements per buyer and chat
//! messages per account.
//!
//! governor's keyed GCRA limiters (the engine tower_governor wraps) count what is attempts
//! by nature (orders, messages, registrations); failures are kept in small windows per key.
//! Refusals are answered in the user's language, on the re-shown form, with the seconds to
//! wait.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::WebConfig;

/// How long a failure counts against an address or an account.
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);
/// Failures of one account from one address before each try must wait.
const FREE_FAILURES: u32 = 3;
/// The longest wait between two tries of one account from one address.
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);

/// An address as limits see it: an IPv4 address, or an IPv6 /64 (one household or phone gets
/// a whole /64, so its addresses are one client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressKey(u128);

impl AddressKey {
    pub fn of(ip: IpAddr) -> AddressKey {
        match ip {
            IpAddr::V4(v4) => AddressKey(u128::from(u32::from(v4))),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressKey(u128::from(u32::from(v4))),
                None => AddressKey(u128::from(v6) & !((1u128 << 64) - 1) | 1 << 127),
            },
        }
    }
}

/// Failures of one key within `FAILURE_MEMORY`.
#[derive(Debug, Default)]
struct Failures {
    at: Vec<Instant>,
}

impl Failures {
    fn recent(&mut self, now: Instant) -> usize {
        self.at
            .retain(|t| now.saturating_duration_since(*t) < FAILURE_MEMORY);
        self.at.len()
    }

    /// Failures within the last minute.
    fn last_minute(&self, now: Instant) -> usize {
        self.at
            .iter()
            .filter(|t| now.saturating_duration_since(**t) < Duration::from_secs(60))
            .count()
    }
}

#[derive(Debug, Default)]
struct SignInFailures {
    by_address: HashMap<AddressKey, Failures>,
    by_account: HashMap<String, Failures>,
    by_pair: HashMap<(String, AddressKey), Failures>,
}

pub struct LoginLimits {
    /// Failed sign-ins per address a minute.
    failures_per_address: usize,
    /// Failed sign-ins per account a minute, from all addresses: above it, addresses with
    /// failures of their own wait.
    failures_per_account: usize,
    failures: Mutex<SignInFailures>,
    /// Registrations per address.
    registrations_per_ip: DefaultKeyedRateLimiter<AddressKey>,
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

/// Whole seconds to wait, at least one.
fn seconds(wait: Duration) -> u64 {
    wait.as_secs() + 1
}

impl LoginLimits {
    pub fn new(config: &WebConfig) -> LoginLimits {
        let nonzero = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        LoginLimits {
            failures_per_address: config.login_per_ip_per_minute.max(1) as usize,
            failures_per_account: config.login_per_account_per_minute.max(1) as usize,
            failures: Mutex::new(SignInFailures::default()),
            registrations_per_ip: RateLimiter::keyed(per_minute(config.login_per_ip_per_minute)),
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

    fn failures(&self) -> std::sync::MutexGuard<'_, SignInFailures> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `ip` may try a password for `account` now; Err holds the seconds to wait.
    /// Call before checking the password; then `login_failed` or `login_succeeded`.
    pub fn login_allowed(&self, ip: IpAddr, account: &str) -> Result<(), u64> {
        self.login_allowed_at(AddressKey::of(ip), account, Instant::now())
    }

    fn login_allowed_at(
        &self,
        address: AddressKey,
        account: &str,
        now: Instant,
    ) -> Result<(), u64> {
        let mut failures = self.failures();
        let from_address = failures.by_address.entry(address).or_default();
        if from_address.recent(now) == 0 {
            // No recent failures from here: the owner on their own phone always gets in.
            return Ok(());
        }
        if from_address.last_minute(now) >= self.failures_per_address {
            return Err(seconds(Duration::from_secs(60)));
        }
        let pair = failures
            .by_pair
            .entry((account.to_owned(), address))
            .or_default();
        let count = pair.recent(now) as u32;
        if count >= FREE_FAILURES
            && let Some(last) = pair.at.last().copied()
        {
            let wait =
                Duration::from_secs(1u64 << (count - FREE_FAILURES).min(20)).min(LONGEST_WAIT);
            let since = now.saturating_duration_since(last);
            if since < wait {
                return Err(seconds(wait - since));
            }
        }
        let on_account = failures.by_account.entry(account.to_owned()).or_default();
        on_account.recent(now);
        if on_account.last_minute(now) >= self.failures_per_account {
            return Err(seconds(Duration::from_secs(60)));
        }
        Ok(())
    }

    /// Counts a wrong password (or an unknown login) for `account` from `ip`.
    pub fn login_failed(&self, ip: IpAddr, account: &str) {
        self.login_failed_at(AddressKey::of(ip), account, Instant::now());
    }

    fn login_failed_at(&self, address: AddressKey, account: &str, now: Instant) {
        let mut failures = self.failures();
        failures.by_address.entry(address).or_default().at.push(now);
        failures
            .by_account
            .entry(account.to_owned())
            .or_default()
            .at
            .push(now);
        failures
            .by_pair
            .entry((account.to_owned(), address))
            .or_default()
            .at
            .push(now);
    }

    /// A correct password: the pair starts afresh.
    pub fn login_succeeded(&self, ip: IpAddr, account: &str) {
        self.failures()
            .by_pair
            .remove(&(account.to_owned(), AddressKey::of(ip)));
    }

    /// Counts one registration from `ip`; Err holds the seconds to wait.
    pub fn check_registration(&self, ip: IpAddr) -> Result<(), u64> {
        self.registrations_per_ip
            .check_key(&AddressKey::of(ip))
            .map_err(|not_until| seconds(not_until.wait_time_from(self.clock.now())))
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

    /// Forgets keys whose quota has fully recovered and failures too old to count; run now
    /// and then.
    pub fn shrink(&self) {
        let now = Instant::now();
        {
            let mut failures = self.failures();
            failures.by_address.retain(|_, f| f.recent(now) > 0);
            failures.by_account.retain(|_, f| f.recent(now) > 0);
            failures.by_pair.retain(|_, f| f.recent(now) > 0);
        }
        self.registrations_per_ip.retain_recent();
        self.orders_per_buyer.retain_recent();
        self.chat_per_account.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_ip: u32, per_account: u32) -> LoginLimits {
        LoginLimits::new(&WebConfig {
            login_per_ip_per_minute: per_ip,
            login_per_account_per_minute: per_account,
            ..WebConfig::default()
        })
    }

    fn ip(text: &str) -> AddressKey {
        AddressKey::of(text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])))
    }

    #[test]
    fn the_owner_gets_in_while_someone_else_guesses_at_their_account() {
        let limits = limits(100, 5);
        let start = Instant::now();
        let attacker = ip("203.0.113.5");
        // One wrong try every 12 seconds, for ten minutes.
        for n in 0..50u64 {
            let now = start + Duration::from_secs(12 * n);
            if limits
                .login_allowed_at(attacker, "tekes-centre", now)
                .is_ok()
            {
                limits.login_failed_at(attacker, "tekes-centre", now);
            }
            let owner = limits.login_allowed_at(ip("198.51.100.7"), "tekes-centre", now);
            assert!(owner.is_ok(), "the owner was kept out at try {n}");
        }
    }

    #[test]
    fn failures_of_a_pair_wait_longer_and_longer() {
        let limits = limits(100, 100);
        let now = Instant::now();
        let from = ip("203.0.113.5");
        for _ in 0..FREE_FAILURES {
            assert!(limits.login_allowed_at(from, "kuqa-centre", now).is_ok());
            limits.login_failed_at(from, "kuqa-centre", now);
        }
        assert_eq!(limits.login_allowed_at(from, "kuqa-centre", now), Err(2));
        let later = now + Duration::from_secs(1);
        assert!(limits.login_allowed_at(from, "kuqa-centre", later).is_ok());
        limits.login_failed_at(from, "kuqa-centre", later);
        assert_eq!(limits.login_allowed_at(from, "kuqa-centre", later), Err(3));
        // Another account from the same address is not slowed by this pair.
        assert!(limits.login_allowed_at(from, "tekes-centre", later).is_ok());
    }

    #[test]
    fn an_address_spraying_many_accounts_waits() {
        let limits = limits(4, 100);
        let now = Instant::now();
        let from = ip("203.0.113.9");
        for account in ["a", "b", "c", "d"] {
            assert!(limits.login_allowed_at(from, account, now).is_ok());
            limits.login_failed_at(from, account, now);
        }
        assert!(limits.login_allowed_at(from, "e", now).is_err());
        // A minute on, it may try again.
        assert!(
            limits
                .login_allowed_at(from, "e", now + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() {
        assert_eq!(ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:10.0.0.1"), ip("10.0.0.1"));
        assert_ne!(ip("10.0.0.1"), ip("10.0.0.2"));
    }

    #[test]
    fn a_success_clears_the_pair() {
        let limits = limits(100, 100);
        let now = Instant::now();
        let from: IpAddr = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..FREE_FAILURES {
            limits.login_failed_at(AddressKey::of(from), "buyer", now);
        }
        assert!(
            limits
                .login_allowed_at(AddressKey::of(from), "buyer", now)
                .is_err()
        );
        limits.login_succeeded(from, "buyer");
        assert!(
            limits
                .login_allowed_at(AddressKey::of(from), "buyer", now)
                .is_ok()
        );
    }
}
