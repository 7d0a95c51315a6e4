//! Why a schedule could not be loaded or is not valid: one enum, each message one line.

/// Why a schedule could not be loaded or is not valid. `Display` is one line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The file could not be read: `PATH: MESSAGE`.
    #[error("{path}: {message}")]
    Read {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The text is not a valid schedule: `FILE:LINE: MESSAGE`.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file name the text was loaded under.
        file: String,
        /// 1-based line of the offending field.
        line: usize,
        /// What is wrong (`field `rate`: must be between 0 and 1 (got 1.5)`).
        message: String,
    },
    /// A schedule built in code breaks a rule: `schedule NAME, step N (DESCRIPTION): MESSAGE`.
    #[error("schedule {schedule}, step {step} ({description}): {message}")]
    InvalidStep {
        /// The schedule's name (cut to about 80 characters).
        schedule: String,
        /// 1-based index of the step, or 0 for the name itself.
        step: usize,
        /// The step as text ("1.5s crash n9").
        description: String,
        /// What is wrong (`field `node`: unknown node "n9" (nodes: n1 n2 n3)`).
        message: String,
    },
    /// A fault kind name that is not one of the swarm kinds (`--nemesis`).
    #[error("unknown fault kind {got} (valid: {valid})")]
    UnknownFaultKind {
        /// The name given (quoted, cut to about 80 characters).
        got: String,
        /// The valid names.
        valid: String,
    },
}
