//! The sequential specifications shipped with the checker, one file per model.

pub mod kv;
pub mod multi_register;
pub mod mutex;
pub mod register;

#[cfg(test)]
pub(crate) fn test_op(f: &str, invoke: crate::Value, value: crate::Value) -> crate::ops::Op {
    crate::ops::Op {
        process: 0,
        f: f.into(),
        key: None,
        invoke_value: invoke,
        value,
        outcome: crate::ops::Outcome::Ok,
        invoke_index: 0,
        complete_index: Some(1),
        call: 0,
        ret: Some(1),
        invoke_time: None,
        complete_time: None,
        ts: None,
        node: None,
        error: None,
    }
}
