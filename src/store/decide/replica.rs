//! A replica's decisions on what it receives: how an incoming cell is compared with the stored
//! one, when it is synced, and what a digest covers.
//!
//! Guarantees (correct store): every write, whatever its cause, is applied under strict
//! last-write-wins (a cell never moves backwards) and synced before it is acknowledged; a digest
//! covers the whole cell. Planted bugs that change these decisions: `tie-takes-incoming`,
//! `hint-no-lww`, `ae-no-lww`, `ack-before-fsync`, `digest-omits-value`.

use crate::store::config::Mutant;
use crate::store::digest::Coverage;
use crate::store::events::Cause;
use crate::store::proto::WriteKind;
use crate::store::storage::{Durability, Lww};

/// Why a replica is applying a write of kind `kind`.
pub fn cause_of(kind: WriteKind) -> Cause {
    match kind {
        WriteKind::Primary => Cause::Write,
        WriteKind::ReadRepair => Cause::ReadRepair,
        WriteKind::Hint { .. } => Cause::Hint,
        WriteKind::AntiEntropy => Cause::AntiEntropy,
    }
}

/// How an incoming cell applied for `cause` is compared with the stored one.
pub fn lww_rule(cause: Cause, mutant: Option<Mutant>) -> Lww {
    match mutant {
        Some(Mutant::TieTakesIncoming) => Lww::TieTakesIncoming,
        Some(Mutant::HintNoLww) if cause == Cause::Hint => Lww::Overwrite,
        Some(Mutant::AeNoLww) if cause == Cause::AntiEntropy => Lww::Overwrite,
        _ => Lww::Strict,
    }
}

/// When an applied cell reaches the disk.
pub fn durability(mutant: Option<Mutant>) -> Durability {
    if mutant == Some(Mutant::AckBeforeFsync) {
        Durability::Deferred
    } else {
        Durability::Sync
    }
}

/// What the digests of this store cover.
pub fn digest_coverage(mutant: Option<Mutant>) -> Coverage {
    if mutant == Some(Mutant::DigestOmitsValue) {
        Coverage::TimestampOnly
    } else {
        Coverage::Whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAUSES: [Cause; 4] = [
        Cause::Write,
        Cause::ReadRepair,
        Cause::Hint,
        Cause::AntiEntropy,
    ];

    #[test]
    fn write_kinds_map_to_their_causes() {
        assert_eq!(cause_of(WriteKind::Primary), Cause::Write);
        assert_eq!(cause_of(WriteKind::ReadRepair), Cause::ReadRepair);
        assert_eq!(cause_of(WriteKind::Hint { created_us: 3 }), Cause::Hint);
        assert_eq!(cause_of(WriteKind::AntiEntropy), Cause::AntiEntropy);
    }

    #[test]
    fn the_correct_store_applies_everything_under_strict_lww() {
        for cause in CAUSES {
            assert_eq!(lww_rule(cause, None), Lww::Strict, "{cause:?}");
            assert_eq!(lww_rule(cause, Some(Mutant::QuorumFloor)), Lww::Strict);
        }
    }

    #[test]
    fn tie_takes_incoming_applies_to_every_cause() {
        for cause in CAUSES {
            let rule = lww_rule(cause, Some(Mutant::TieTakesIncoming));
            assert_eq!(rule, Lww::TieTakesIncoming, "{cause:?}");
        }
    }

    #[test]
    fn no_lww_bugs_overwrite_only_for_their_own_cause() {
        let hint = Some(Mutant::HintNoLww);
        let ae = Some(Mutant::AeNoLww);
        assert_eq!(lww_rule(Cause::Hint, hint), Lww::Overwrite);
        assert_eq!(lww_rule(Cause::Write, hint), Lww::Strict);
        assert_eq!(lww_rule(Cause::AntiEntropy, hint), Lww::Strict);
        assert_eq!(lww_rule(Cause::AntiEntropy, ae), Lww::Overwrite);
        assert_eq!(lww_rule(Cause::Hint, ae), Lww::Strict);
        assert_eq!(lww_rule(Cause::ReadRepair, ae), Lww::Strict);
    }

    #[test]
    fn writes_are_synced_unless_acknowledged_before_fsync() {
        assert_eq!(durability(None), Durability::Sync);
        assert_eq!(durability(Some(Mutant::TsMillis)), Durability::Sync);
        assert_eq!(
            durability(Some(Mutant::AckBeforeFsync)),
            Durability::Deferred
        );
    }

    #[test]
    fn digests_cover_the_whole_cell_unless_they_omit_the_value() {
        assert_eq!(digest_coverage(None), Coverage::Whole);
        assert_eq!(
            digest_coverage(Some(Mutant::MismatchSkipsData)),
            Coverage::Whole
        );
        assert_eq!(
            digest_coverage(Some(Mutant::DigestOmitsValue)),
            Coverage::TimestampOnly
        );
    }
}
