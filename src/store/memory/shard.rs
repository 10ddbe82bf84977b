//! One shard of the memory store's keys: a table of key fingerprints, each in flight, done or
//! parked, and the order in which completed keys expire.
//!
//! The table holds a fingerprint of each key, never the key: a slot is 32 bytes whatever the
//! key's length, nothing is allocated per key, and a lookup compares two words instead of
//! following a pointer to the key's bytes.

use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

use hashbrown::HashTable;
use siphasher::sip128::SipHasher24;

/// A point in time: unix milliseconds, from the store's clock.
pub(super) type Millis = i64;

/// `at` plus `delay`, saturating.
pub(super) fn after(at: Millis, delay: Duration) -> Millis {
    at.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
}

/// A key as the store remembers it: the 128 bits of SipHash-2-4 under the store's random key.
///
/// Two distinct keys share a fingerprint with a chance of 2^-128 per pair (a million keys held:
/// about 10^-27). Nobody can aim at a collision without the store's key, which never leaves the
/// process; and only deliveries with an authentic signature reach the store at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    /// Where the key sits in its shard's table.
    table: u64,
    /// Which shard, and the rest of the comparison.
    check: u64,
}

impl Fingerprint {
    /// Which of `shards` holds the key: bits of its own, apart from those the table probes with.
    pub(super) fn shard(self, shards: usize) -> usize {
        (self.check % shards as u64) as usize
    }

    /// What the table probes with (a claim's token carries it: see `MemoryStore::complete`).
    pub(super) fn table(self) -> u64 {
        self.table
    }
}

/// Makes fingerprints under a random key, drawn once per store.
#[derive(Clone)]
pub(super) struct Fingerprints(SipHasher24);

impl Fingerprints {
    pub(super) fn new() -> Self {
        // std's `RandomState` is seeded from the operating system's randomness: two of its
        // outputs under that seed are the key.
        let seed = RandomState::new();
        Self(SipHasher24::new_with_keys(
            seed.hash_one(0x7477_6b65_7931_u64),
            seed.hash_one(0x7477_6b65_7932_u64),
        ))
    }

    pub(super) fn of(&self, key: &str) -> Fingerprint {
        let hash = self.0.hash(key.as_bytes()).as_u128();
        Fingerprint {
            table: hash as u64,
            check: (hash >> 64) as u64,
        }
    }
}

/// Where a key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// Claimed at `since` by the claim with this token, until its lease runs out.
    InFlight { token: u64, since: Millis },
    /// Processed; remembered until `until`.
    Done { until: Millis },
    /// In the inbox: a duplicate is acknowledged, nothing expires it.
    Parked,
}

/// The `holder` of a done key.
const DONE: u64 = 0;
/// The `holder` of a parked key.
const PARKED: u64 = u64::MAX;

/// Whether `token` can mark an in-flight slot: every other value can.
pub(super) fn is_token(token: u64) -> bool {
    token != DONE && token != PARKED
}

/// One key in the table: an [`Entry`] packed into 32 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    fingerprint: Fingerprint,
    /// `since` of an in-flight key, `until` of a done one.
    at: Millis,
    /// The token of an in-flight key, or [`DONE`], or [`PARKED`].
    holder: u64,
}

impl Slot {
    fn new(fingerprint: Fingerprint, entry: Entry) -> Self {
        let (at, holder) = match entry {
            Entry::InFlight { token, since } => (since, token),
            Entry::Done { until } => (until, DONE),
            Entry::Parked => (0, PARKED),
        };
        Self {
            fingerprint,
            at,
            holder,
        }
    }

    pub(super) fn entry(&self) -> Entry {
        match self.holder {
            DONE => Entry::Done { until: self.at },
            PARKED => Entry::Parked,
            token => Entry::InFlight {
                token,
                since: self.at,
            },
        }
    }

    pub(super) fn set(&mut self, entry: Entry) {
        *self = Self::new(self.fingerprint, entry);
    }

    /// Marks done the key of a claim made at `since`, remembered for `retention` from then:
    /// from the delivery's arrival, which is when the provider's retry schedule starts too (no
    /// clock is read). When it expires, which the shard's expiry queue takes.
    pub(super) fn complete(&mut self, since: Millis, retention: Duration) -> Millis {
        let until = after(since, retention);
        self.set(Entry::Done { until });
        until
    }

    pub(super) fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }
}

/// Why no key could make room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Full;

/// The keys of one shard.
#[derive(Debug)]
pub(super) struct Shard {
    table: HashTable<Slot>,
    /// Done keys in the order they were marked done, with when they expire then.
    expiry: VecDeque<(Fingerprint, Millis)>,
}

impl Shard {
    pub(super) fn with_capacity(keys: usize) -> Self {
        Self {
            table: HashTable::with_capacity(keys),
            expiry: VecDeque::with_capacity(keys),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    pub(super) fn get(&self, fingerprint: Fingerprint) -> Option<Entry> {
        self.table
            .find(fingerprint.table, |slot| slot.fingerprint == fingerprint)
            .map(Slot::entry)
    }

    pub(super) fn get_mut(&mut self, fingerprint: Fingerprint) -> Option<&mut Slot> {
        self.table
            .find_mut(fingerprint.table, |slot| slot.fingerprint == fingerprint)
    }

    /// The slot the claim with token `holder` holds, found by its key's `table` bits alone:
    /// tokens are never reused, so no other slot has that holder.
    pub(super) fn held_mut(&mut self, table: u64, holder: u64) -> Option<&mut Slot> {
        self.table.find_mut(table, |slot| {
            slot.fingerprint.table == table && slot.holder == holder
        })
    }

    /// A key that is not in the table yet.
    pub(super) fn insert_new(&mut self, fingerprint: Fingerprint, entry: Entry) {
        self.table
            .insert_unique(fingerprint.table, Slot::new(fingerprint, entry), |slot| {
                slot.fingerprint.table
            });
    }

    /// Sets the key's entry, whether it is held or new.
    pub(super) fn set(&mut self, fingerprint: Fingerprint, entry: Entry) {
        match self.get_mut(fingerprint) {
            Some(slot) => slot.set(entry),
            None => self.insert_new(fingerprint, entry),
        }
    }

    /// Marks the key done until `until`, whether it is held or new.
    pub(super) fn done(&mut self, fingerprint: Fingerprint, until: Millis) {
        self.set(fingerprint, Entry::Done { until });
        self.push_expiry(fingerprint, until);
    }

    /// Queues the expiry of a key just marked done until `until` (through [`Slot::set`]).
    pub(super) fn push_expiry(&mut self, fingerprint: Fingerprint, until: Millis) {
        self.expiry.push_back((fingerprint, until));
    }

    pub(super) fn remove(&mut self, fingerprint: Fingerprint) {
        if let Ok(found) = self
            .table
            .find_entry(fingerprint.table, |slot| slot.fingerprint == fingerprint)
        {
            found.remove();
        }
    }

    /// Drops the done keys whose retention has ended. The queue is in the order keys were
    /// marked done; a key marked later with an earlier end (its delivery took longer) waits
    /// behind the one before it, for at most that difference.
    pub(super) fn sweep(&mut self, now: Millis) {
        while let Some(&(fingerprint, until)) = self.expiry.front() {
            if until > now {
                break;
            }
            self.expiry.pop_front();
            self.remove_if_done_until(fingerprint, until);
        }
    }

    /// Removes the key if it is still the done key the queue entry was made for (it may have
    /// been claimed again or parked since).
    fn remove_if_done_until(&mut self, fingerprint: Fingerprint, until: Millis) -> bool {
        match self
            .table
            .find_entry(fingerprint.table, |slot| slot.fingerprint == fingerprint)
        {
            Ok(found) if found.get().entry() == (Entry::Done { until }) => {
                found.remove();
                true
            }
            _ => false,
        }
    }

    /// Makes room for one key, the oldest done key first: `Ok(Some(until))` when a done key
    /// whose retention had not ended had to go. With no done key left, an in-flight key whose
    /// lease has run out goes; with none of those either, [`Full`].
    pub(super) fn evict_one(
        &mut self,
        now: Millis,
        lease: Duration,
    ) -> Result<Option<Millis>, Full> {
        while let Some((fingerprint, until)) = self.expiry.pop_front() {
            if self.remove_if_done_until(fingerprint, until) {
                return Ok((until > now).then_some(until));
            }
        }
        let abandoned = self.table.iter().find_map(|slot| match slot.entry() {
            Entry::InFlight { since, .. } if after(since, lease) <= now => Some(slot.fingerprint),
            _ => None,
        });
        match abandoned {
            Some(fingerprint) => {
                self.remove(fingerprint);
                Ok(None)
            }
            None => Err(Full),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_32_bytes_and_round_trips_its_entry() {
        assert_eq!(std::mem::size_of::<Slot>(), 32);
        let fingerprint = Fingerprints::new().of("ycloud:evt_1");
        for entry in [
            Entry::InFlight {
                token: 7,
                since: 1_700_000_000_000,
            },
            Entry::Done { until: 42 },
            Entry::Parked,
        ] {
            assert_eq!(Slot::new(fingerprint, entry).entry(), entry);
        }
    }

    #[test]
    fn fingerprints_tell_keys_apart_and_differ_between_stores() {
        let (one, two) = (Fingerprints::new(), Fingerprints::new());
        assert_eq!(one.of("a"), one.of("a"));
        assert_ne!(one.of("a"), one.of("b"));
        assert_ne!(one.of("a"), two.of("a"));
        // A thousand keys, a thousand fingerprints, spread over the shards.
        let mut seen = std::collections::HashSet::new();
        let mut per_shard = [0usize; 16];
        for i in 0..1000 {
            let fingerprint = one.of(&format!("evt_{i}"));
            assert!(seen.insert((fingerprint.table, fingerprint.check)));
            per_shard[fingerprint.shard(16)] += 1;
        }
        assert!(per_shard.iter().all(|&n| n > 20), "{per_shard:?}");
    }

    #[test]
    fn a_key_done_again_is_not_swept_by_its_old_expiry() {
        let fingerprints = Fingerprints::new();
        let key = fingerprints.of("k");
        let mut shard = Shard::with_capacity(4);
        shard.done(key, 10);
        shard.set(key, Entry::InFlight { token: 3, since: 5 });
        shard.sweep(20);
        assert_eq!(shard.get(key), Some(Entry::InFlight { token: 3, since: 5 }));
        shard.done(key, 30);
        shard.sweep(29);
        assert_eq!(shard.get(key), Some(Entry::Done { until: 30 }));
        shard.sweep(30);
        assert_eq!(shard.get(key), None);
    }

    #[test]
    fn eviction_takes_the_oldest_done_key_then_abandoned_claims_then_gives_up() {
        let fingerprints = Fingerprints::new();
        let (old, young, claimed) = (
            fingerprints.of("old"),
            fingerprints.of("young"),
            fingerprints.of("c"),
        );
        let lease = Duration::from_millis(100);
        let mut shard = Shard::with_capacity(4);
        shard.done(old, 1_000);
        shard.done(young, 2_000);
        shard.insert_new(claimed, Entry::InFlight { token: 1, since: 0 });
        assert_eq!(shard.evict_one(500, lease), Ok(Some(1_000)));
        assert_eq!(shard.get(old), None);
        assert_eq!(shard.evict_one(500, lease), Ok(Some(2_000)));
        // The claim's lease (from 0, 100 ms) has run out at 500.
        assert_eq!(shard.evict_one(500, lease), Ok(None));
        assert_eq!(shard.len(), 0);
        shard.insert_new(
            claimed,
            Entry::InFlight {
                token: 2,
                since: 450,
            },
        );
        assert_eq!(shard.evict_one(500, lease), Err(Full));
    }
}
