//! Rate limits: how often one visitor, one address or one account may act, and the whole site.
//! GCRA (governor): a burst, then one more each `period / burst`. Over a limit, the caller
//! answers 429 with how long to wait; nothing is written.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long to wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

impl Wait {
    /// Whole seconds, rounded up, at least 1: what `Retry-After` says.
    pub fn seconds(self) -> u64 {
        self.0.as_millis().div_ceil(1000).max(1) as u64
    }
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
    let each = (period / burst.get()).max(Duration::from_nanos(1));
    Quota::with_period(each)
        .expect("a positive period")
        .allow_burst(burst)
}

/// `burst` actions per key, refilled evenly over `period`.
pub struct Limit<K: Hash + Eq + Clone> {
    rate: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> Limit<K> {
    pub fn new(burst: u32, period: Duration) -> Self {
        Limit {
            rate: DefaultKeyedRateLimiter::keyed(quota(burst, period)),
        }
    }

    /// Counts one action of `key`: Ok, or how long until it would be allowed.
    pub fn check(&self, key: &K) -> Result<(), Wait> {
        self.rate
            .check_key(key)
            .map_err(|not_until| Wait(not_until.wait_time_from(DefaultClock::default().now())))
    }

    /// Forgets keys whose bucket is full again, so memory follows recent activity only.
    fn forget_idle(&self) {
        self.rate.retain_recent();
        self.rate.shrink_to_fit();
    }
}

/// One limit for everyone (the site).
pub struct Overall {
    rate: DefaultDirectRateLimiter,
}

impl Overall {
    pub fn new(burst: u32, period: Duration) -> Self {
        Overall {
            rate: DefaultDirectRateLimiter::direct(quota(burst, period)),
        }
    }

    pub fn check(&self) -> Result<(), Wait> {
        self.rate
            .check()
            .map_err(|not_until| Wait(not_until.wait_time_from(DefaultClock::default().now())))
    }
}

/// Every check counted; the longest wait if any said no.
pub fn all(checks: impl IntoIterator<Item = Result<(), Wait>>) -> Result<(), Wait> {
    checks
        .into_iter()
        .filter_map(Result::err)
        .max_by_key(|w| w.0)
        .map_or(Ok(()), Err)
}

/// Sign-in attempts: a few a minute, and fewer an hour, so waits grow the longer a guesser
/// keeps going (seconds at first, then minutes).
pub struct Tiered<K: Hash + Eq + Clone> {
    minute: Limit<K>,
    hour: Limit<K>,
}

impl<K: Hash + Eq + Clone> Tiered<K> {
    pub fn new(per_minute: u32, per_hour: u32) -> Self {
        Tiered {
            minute: Limit::new(per_minute, Duration::from_secs(60)),
            hour: Limit::new(per_hour, Duration::from_secs(3600)),
        }
    }

    pub fn check(&self, key: &K) -> Result<(), Wait> {
        all([self.minute.check(key), self.hour.check(key)])
    }

    fn forget_idle(&self) {
        self.minute.forget_idle();
        self.hour.forget_idle();
    }
}

/// How many of each, from the configuration (`LIAISON_LIMIT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Widget writes (messages, files, hand-over requests…) by one visitor, a minute.
    pub visitor_per_minute: u32,
    /// Widget writes from one address (all its visitors), a minute.
    pub address_per_minute: u32,
    /// Widget writes from everyone, a minute: a ceiling on what the site can be made to spend.
    pub site_per_minute: u32,
    /// New visitor sessions from one address, an hour.
    pub sessions_per_hour: u32,
    /// Sign-in attempts by one address or for one account, a minute (and ×6 an hour).
    pub sign_ins_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            visitor_per_minute: 20,
            address_per_minute: 300,
            site_per_minute: 6000,
            sessions_per_hour: 60,
            sign_ins_per_minute: 10,
        }
    }
}

/// The server's limits, shared by every request.
pub struct Limits {
    pub visitor: Limit<i64>,
    pub address: Limit<IpAddr>,
    pub site: Overall,
    pub sessions: Limit<IpAddr>,
    pub sign_in_address: Tiered<IpAddr>,
    pub sign_in_account: Tiered<String>,
}

impl Limits {
    pub fn new(s: LimitSettings) -> Limits {
        let minute = Duration::from_secs(60);
        Limits {
            visitor: Limit::new(s.visitor_per_minute, minute),
            address: Limit::new(s.address_per_minute, minute),
            site: Overall::new(s.site_per_minute, minute),
            sessions: Limit::new(s.sessions_per_hour, Duration::from_secs(3600)),
            sign_in_address: Tiered::new(s.sign_ins_per_minute, s.sign_ins_per_minute * 6),
            sign_in_account: Tiered::new(s.sign_ins_per_minute, s.sign_ins_per_minute * 6),
        }
    }

    /// Forgets idle keys every minute, until shutdown.
    pub fn sweep(self: &std::sync::Arc<Self>, shutdown: CancellationToken) {
        let limits = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = every.tick() => {
                        limits.visitor.forget_idle();
                        limits.address.forget_idle();
                        limits.sessions.forget_idle();
                        limits.sign_in_address.forget_idle();
                        limits.sign_in_account.forget_idle();
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait() {
        let l = Limit::new(3, Duration::from_secs(60));
        assert!(l.check(&1).is_ok());
        assert!(l.check(&1).is_ok());
        assert!(l.check(&1).is_ok());
        let wait = l.check(&1).unwrap_err();
        assert!(wait.0 > Duration::from_secs(15) && wait.0 <= Duration::from_secs(20));
        assert_eq!(wait.seconds(), wait.0.as_secs() + 1);
        // Another key has its own bucket.
        assert!(l.check(&2).is_ok());
    }

    #[test]
    fn waits_grow_with_the_hourly_tier() {
        let t = Tiered::new(2, 4);
        assert!(t.check(&"a").is_ok());
        assert!(t.check(&"a").is_ok());
        let first = t.check(&"a").unwrap_err();
        assert!(first.0 <= Duration::from_secs(30));
        let t = Tiered::new(10, 3);
        for _ in 0..3 {
            assert!(t.check(&"b").is_ok());
        }
        // The minute still has room; the hour does not: minutes to wait, not seconds.
        assert!(t.check(&"b").unwrap_err().0 > Duration::from_secs(600));
    }

    #[test]
    fn the_longest_wait_wins() {
        let w = |s| Err(Wait(Duration::from_secs(s)));
        assert_eq!(all([Ok(()), w(3), w(9), w(1)]), w(9));
        assert_eq!(all([Ok(()), Ok(())]), Ok(()));
        assert_eq!(Wait(Duration::from_millis(1)).seconds(), 1);
        assert_eq!(Wait(Duration::from_millis(2001)).seconds(), 3);
    }
}
