//! Group keys: what a citizen of one arm is, reduced to what the model can still tell
//! apart ([`Fields`], packed into a `u128`), and the replication's table of such keys
//! interned as small integers ([`Keys`]), with what a month in each key books and the
//! key it leads to after staying, moving or being placed.

use crate::model::Model;
use crate::simulation::kernel::{self, FLAG_OUTFLOW, FLAG_SIX, FLAG_WAITING, ShareClasses, StateFlags};
use crate::simulation::tables::Layout;
use rustc_hash::FxHashMap;

/// A member's spell start: the month at whose end its benefit spell was 0 months long
/// ([`NO_SPELL`] off benefit). It never changes a move or a krone, so it is not part of
/// the key: each group keeps a histogram of its members' spell starts. One value stands
/// for every arm: a group is either present in every arm with the same key in each (its
/// members' records, spell starts included, are the same in all arms) or present in one
/// arm only (see the [module documentation](super)), so the arms of a group never have
/// different starts.
pub(super) type Start = i32;

/// Spell start of a citizen who is not on benefit in an arm.
pub(super) const NO_SPELL: Start = i32::MIN;

// Bit layout of a packed per-arm key, least significant first.
const B_TRANS: u32 = 0; // 16 bits: requested transition while waiting
const B_SINCE: u32 = 16; // 11 bits: request month while waiting
const B_JOB: u32 = 27; // 3 bits: consecutive months in work (< 6)
const B_OFF: u32 = 30; // 11 bits: months off benefit (capped)
const B_CUM: u32 = 41; // 16 bits: cumulative months on benefit (capped)
const B_IN: u32 = 57; // 11 bits: months in state (capped)
const B_FLAGS: u32 = 68; // 3 bits: outflow, six months, waiting
const B_STATE: u32 = 71; // 8 bits
const B_SEG: u32 = 79; // 16 bits
const B_CLOCK: u32 = 95; // 12 bits: months since referral (capped; 0 when no target reads it)

/// The largest clock a key can hold.
pub(super) const MAX_CLOCK: u32 = (1 << 12) - 1;

/// The fields of a per-arm key, unpacked. Every field is what the individual engine
/// keeps per citizen ([`crate::simulation::individual`]'s `Person`), reduced to what can
/// still matter; the benefit spell is kept apart (see the [module documentation](super)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fields {
    pub(super) segment: u16,
    pub(super) state: u8,
    /// `FLAG_OUTFLOW | FLAG_SIX | FLAG_WAITING`.
    pub(super) flags: u8,
    /// Completed months in the state, capped at (last duration-band start − 1).
    pub(super) in_state: u16,
    /// Cumulative months on benefit, capped at the last 2016 band start (0 otherwise).
    pub(super) cum: u16,
    /// Consecutive months off benefit, capped at `reset_after_months` (2016 regime, off benefit).
    pub(super) off: u16,
    /// Consecutive months in work, below 6 (0 outside work and once the six-month flag is set).
    pub(super) job_run: u8,
    /// Month the placement was requested (waiting only).
    pub(super) since: u16,
    /// Requested transition (waiting only).
    pub(super) trans: u16,
    /// Months since referral at the end of the last month, capped at the census's
    /// `clock_cap` (0 when no target reads the clock).
    pub(super) clock: u16,
}

impl Fields {
    #[inline]
    pub(super) fn pack(&self) -> u128 {
        (self.trans as u128) << B_TRANS
            | (self.since as u128) << B_SINCE
            | (self.job_run as u128) << B_JOB
            | (self.off as u128) << B_OFF
            | (self.cum as u128) << B_CUM
            | (self.in_state as u128) << B_IN
            | (self.flags as u128) << B_FLAGS
            | (self.state as u128) << B_STATE
            | (self.segment as u128) << B_SEG
            | (self.clock as u128) << B_CLOCK
    }

    #[inline]
    pub(super) fn unpack(k: u128) -> Fields {
        let bits = |shift: u32, width: u32| ((k >> shift) as u64) & ((1u64 << width) - 1);
        Fields {
            segment: bits(B_SEG, 16) as u16,
            state: bits(B_STATE, 8) as u8,
            flags: bits(B_FLAGS, 3) as u8,
            in_state: bits(B_IN, 11) as u16,
            cum: bits(B_CUM, 16) as u16,
            off: bits(B_OFF, 11) as u16,
            job_run: bits(B_JOB, 3) as u8,
            since: bits(B_SINCE, 11) as u16,
            trans: bits(B_TRANS, 16) as u16,
            clock: bits(B_CLOCK, 12) as u16,
        }
    }
}

/// Per-state and per-model facts for building and normalising keys.
pub(super) struct Rules<'a> {
    pub(super) flags: &'a StateFlags,
    /// Highest months-in-state value that can still change the band, per state.
    cap_in: Vec<u16>,
    /// Cap of the cumulative benefit months (2016 regime), 0 otherwise.
    cap_cum: u16,
    /// `reset_after_months` (2016 regime).
    reset: Option<u32>,
    /// Cap of the months off benefit.
    cap_off: u16,
    /// Cap of the clock (months since referral): the largest any target needs + 1, 0
    /// when no target reads it (so the clock never splits a group).
    cap_clock: u16,
}

impl<'a> Rules<'a> {
    /// The rules of a model with this layout, state flags and reimbursement classes.
    pub(super) fn new(
        flags: &'a StateFlags,
        layout: &Layout,
        classes: &ShareClasses,
        clock_cap: u32,
    ) -> Rules<'a> {
        Rules {
            cap_clock: clock_cap.min(MAX_CLOCK) as u16,
            flags,
            cap_in: layout
                .bands
                .iter()
                .map(|b| (b.last().copied().unwrap_or(1).saturating_sub(1)).min(2047) as u16)
                .collect(),
            cap_cum: if classes.staircase {
                (classes.by_cum.len() - 1).min(u16::MAX as usize) as u16
            } else {
                0
            },
            reset: classes.reset,
            cap_off: classes.reset.map(|r| r.min(2047) as u16).unwrap_or(0),
        }
    }

    /// Clears the values that can no longer matter, so equivalent groups merge.
    #[inline]
    fn normalise(&self, f: &mut Fields) {
        let s = f.state as usize;
        if !self.flags.employed[s] || f.flags & FLAG_SIX != 0 {
            f.job_run = 0;
        }
        if self.flags.pays[s] {
            f.off = 0; // the next month on benefit sets it to 0
        }
        if f.flags & FLAG_WAITING == 0 {
            f.since = 0;
            f.trans = 0;
        }
    }

    /// A citizen entering the books in `state` with `months` on benefit before, admitted
    /// for month `m` (0 for the initial cohort), as the individual engine's `admit`:
    /// the key and the spell start. `clock` is the citizen's months since referral
    /// during its first simulated month ([`crate::model::clock`]).
    pub(super) fn admitted(
        &self,
        segment: usize,
        state: usize,
        months: u32,
        m: usize,
        clock: i64,
    ) -> (u128, Start) {
        let months = months.min(u16::MAX as u32);
        let mut f = Fields {
            segment: segment as u16,
            state: state as u8,
            flags: 0,
            in_state: 0,
            cum: if self.reset.is_some() { months.min(self.cap_cum as u32) as u16 } else { 0 },
            off: 0,
            job_run: 0,
            since: 0,
            trans: 0,
            clock: clock.clamp(0, self.cap_clock as i64) as u16,
        };
        self.normalise(&mut f);
        // A spell of `months` at the end of the month before (month 0 for the cohort).
        let origin =
            if self.flags.pays[state] { m.saturating_sub(1) as i32 - months as i32 } else { NO_SPELL };
        (f.pack(), origin)
    }

    /// The key a citizen of `f` (after the month's accounting) takes when moving to
    /// `dest` at the end of the month.
    #[inline]
    fn moved_to(&self, f: Fields, dest: usize) -> Fields {
        let from = f.state as usize;
        let mut mv = f;
        mv.flags &= !FLAG_WAITING;
        if self.flags.pays[from] && (self.flags.employed[dest] || self.flags.education[dest]) {
            mv.flags |= FLAG_OUTFLOW;
        }
        mv.state = dest as u8;
        mv.in_state = 0;
        self.normalise(&mut mv);
        mv
    }
}

/// The key of a citizen admitted with key `key` who waits for a placement on
/// transition `t` from the start (request month 0).
pub(super) fn waiting_key(key: u128, t: usize) -> u128 {
    let mut f = Fields::unpack(key);
    f.flags |= FLAG_WAITING;
    f.since = 0;
    f.trans = t as u16;
    f.pack()
}

/// Ids of per-arm keys, one per arm: a group's joint key, or the rows of a group.
/// Hashed as whole words (two ids to one word), not byte by byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ids<const N: usize>(pub(super) [u32; N]);

impl<const N: usize> std::hash::Hash for Ids<N> {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for pair in self.0.chunks(2) {
            let hi = pair.get(1).copied().unwrap_or(0) as u64;
            h.write_u64(pair[0] as u64 | hi << 32);
        }
    }
}

/// The joint key of citizens present in arm `a` alone, with key id `id` there.
#[inline]
pub(super) fn alone<const N: usize>(a: usize, id: u32) -> Ids<N> {
    let mut k = [ABSENT; N];
    k[a] = id;
    Ids(k)
}

/// "Not computed yet" in the memo fields of [`KeyNext`], and "none" in other indices.
pub(super) const UNSET: u32 = u32::MAX;

/// The key id of an arm in which a group does not exist: a group of citizens whose
/// arms have parted lives in one arm only (see the [module documentation](super)).
pub(super) const ABSENT: u32 = u32::MAX - 1;

/// What the month loop reads for an arm in which the group does not exist.
pub(super) const ABSENT_INFO: KeyInfo =
    KeyInfo { segment: 0, state: 0, flags: 0, row: 0, off: 0, n_exits: 0, benefit_slot: 0 };

/// What the engine needs to know about one per-arm key, computed once per replication
/// when the key first occurs: where its transition row is and what a month in it
/// books. Only what the month loop reads for every group is here (the full keys are in
/// [`KeyFull`], the keys after the month in [`KeyNext`]), so that it stays small.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyInfo {
    /// Transition row (segment, state, duration band) and its offset in the exits.
    pub(super) row: u32,
    pub(super) off: u32,
    /// Index of the benefit-months counter (benefit type, reimbursement class), on benefit.
    pub(super) benefit_slot: u32,
    pub(super) segment: u16,
    pub(super) n_exits: u16,
    pub(super) state: u8,
    pub(super) flags: u8,
}

/// The keys after a month in a key, memoised on first use.
#[derive(Debug, Clone, Copy)]
struct KeyNext {
    /// Id after staying in the state, or [`UNSET`].
    stay: u32,
    /// Start of the ids after each exit in [`Keys::moved`], or [`UNSET`].
    moved: u32,
}

/// The full key behind an id, needed only when a new key is made from it.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyFull {
    /// The key at the start of the month.
    pub(super) key: u128,
    /// Random priority in the queue while waiting for a placement (0 otherwise).
    pub(super) prio: u64,
    /// The key after the month's bookkeeping (benefit months, months off benefit,
    /// months in work), before the move.
    after: u128,
}

/// The per-arm keys of one replication, interned as small integers, so a group's joint
/// key is a few `u32`s and a citizen's next key is a table look-up, not a recomputation.
pub(super) struct Keys<'a> {
    pub(super) model: &'a Model,
    pub(super) layout: &'a Layout,
    rules: &'a Rules<'a>,
    classes: &'a ShareClasses,
    seg_bt: Vec<usize>,
    index: FxHashMap<(u128, u64), u32>,
    pub(super) info: Vec<KeyInfo>,
    next: Vec<KeyNext>,
    pub(super) full: Vec<KeyFull>,
    moved: Vec<u32>,
}

impl<'a> Keys<'a> {
    pub(super) fn new(
        model: &'a Model,
        layout: &'a Layout,
        rules: &'a Rules<'a>,
        classes: &'a ShareClasses,
    ) -> Self {
        Keys {
            model,
            layout,
            rules,
            classes,
            seg_bt: model.segments.iter().map(|s| s.benefit_type).collect(),
            index: Default::default(),
            info: Vec::new(),
            next: Vec::new(),
            full: Vec::new(),
            moved: Vec::new(),
        }
    }

    /// The id of a key (with its queue priority), creating it on first sight.
    pub(super) fn id(&mut self, key: u128, prio: u64) -> u32 {
        if let Some(&id) = self.index.get(&(key, prio)) {
            return id;
        }
        let f = Fields::unpack(key);
        let (s, g) = (f.state as usize, f.segment as usize);
        let ns = self.layout.n_states;
        let bands = &self.layout.bands[s];
        let k_in = f.in_state as u32 + 1;
        let mut b = 0;
        while b + 1 < bands.len() && k_in >= bands[b + 1] {
            b += 1;
        }
        let row = self.layout.row_base[g * ns + s] + b;
        // The month's bookkeeping, as the individual engine does it per citizen.
        let (rules, flags) = (self.rules, self.rules.flags);
        let mut after = f;
        after.clock = (after.clock + 1).min(rules.cap_clock);
        let mut benefit_slot = 0;
        if flags.pays[s] {
            if self.classes.staircase {
                after.cum = (after.cum + 1).min(rules.cap_cum);
            }
            after.off = 0;
            // Without the staircase the class depends only on the state.
            let class = self.classes.class(after.cum, flags.active[s]);
            benefit_slot = kernel::benefit_slot(ns, self.classes.n_classes, self.seg_bt[g], s, class) as u32;
        } else if let Some(reset) = rules.reset {
            after.off = (after.off + 1).min(rules.cap_off);
            if after.off as u32 >= reset {
                after.cum = 0;
            }
        }
        if flags.employed[s] {
            if after.flags & FLAG_SIX == 0 {
                after.job_run += 1;
                if after.job_run >= 6 {
                    after.flags |= FLAG_SIX;
                }
            }
        } else {
            after.job_run = 0;
        }
        let id = self.info.len() as u32;
        self.full.push(KeyFull { key, prio, after: after.pack() });
        self.info.push(KeyInfo {
            segment: f.segment,
            state: f.state,
            flags: f.flags,
            row: row as u32,
            off: self.layout.row_off[row] as u32,
            n_exits: self.layout.exits[s].len() as u16,
            benefit_slot,
        });
        self.next.push(KeyNext { stay: UNSET, moved: UNSET });
        self.index.insert((key, prio), id);
        id
    }

    /// The key after staying in the state for the month (same queue priority).
    #[inline]
    pub(super) fn stay(&mut self, id: u32) -> u32 {
        let known = self.next[id as usize].stay;
        if known != UNSET {
            return known;
        }
        let full = self.full[id as usize];
        let mut sf = Fields::unpack(full.after);
        sf.in_state = (sf.in_state + 1).min(self.rules.cap_in[sf.state as usize]);
        self.rules.normalise(&mut sf);
        let stay = self.id(sf.pack(), full.prio);
        self.next[id as usize].stay = stay;
        stay
    }

    /// The key after taking exit `k` of the state's row (not a placement request).
    #[inline]
    pub(super) fn moved(&mut self, id: u32, k: u16) -> u32 {
        if self.next[id as usize].moved == UNSET {
            let f = Fields::unpack(self.full[id as usize].after);
            let exits = &self.layout.exits[f.state as usize];
            let ids: Vec<u32> = exits
                .iter()
                .map(|&t| self.rules.moved_to(f, self.model.transitions[t].to).pack())
                .collect::<Vec<u128>>()
                .into_iter()
                .map(|key| self.id(key, 0))
                .collect();
            let start = self.moved.len() as u32;
            self.moved.extend(ids);
            self.next[id as usize].moved = start;
        }
        self.moved[(self.next[id as usize].moved + k as u32) as usize]
    }

    /// The key of a placement request on transition `t` made at the end of month `m`
    /// by a citizen staying in the state, with the request's random priority.
    pub(super) fn request(&mut self, id: u32, m: usize, t: usize, prio: u64) -> u32 {
        let stay = self.stay(id);
        let mut r = Fields::unpack(self.full[stay as usize].key);
        r.flags |= FLAG_WAITING;
        r.since = m as u16;
        r.trans = t as u16;
        self.id(r.pack(), prio)
    }

    /// The key of a citizen of key `id` who joins segment `segment` (same queue priority).
    pub(super) fn with_segment(&mut self, id: u32, segment: usize) -> u32 {
        let full = self.full[id as usize];
        let mut f = Fields::unpack(full.key);
        f.segment = segment as u16;
        self.id(f.pack(), full.prio)
    }

    /// The key of a waiting citizen once served: moved along its requested transition.
    pub(super) fn served(&mut self, id: u32) -> u32 {
        let f = Fields::unpack(self.full[id as usize].key);
        let dest = self.model.transitions[f.trans as usize].to;
        self.id(self.rules.moved_to(f, dest).pack(), 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let f = Fields {
            segment: 65535,
            state: 249,
            flags: 7,
            in_state: 2047,
            cum: 65535,
            off: 2047,
            job_run: 5,
            since: 1200,
            trans: 65534,
            clock: MAX_CLOCK as u16,
        };
        assert_eq!(Fields::unpack(f.pack()), f);
    }
}
