//! EDN atoms: numbers, `nil`, booleans and symbols, from one token.
//!
//! Integers that fit in 64 bits become [`FormKind::Int`] (a trailing `N` is allowed), larger ones
//! [`FormKind::BigInt`]; decimals and exponents (`1.5`, `2e3`, `1.5M`) [`FormKind::Float`];
//! `1/2` [`FormKind::Ratio`] — all kept as written so a later error can quote them. Octal-looking
//! integers (`007`) are rejected, as EDN says only 0 may begin with 0.

use super::FormKind;
use crate::error::quoted;

/// Why a token is not an atom.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AtomError {
    /// Nothing to read.
    #[error("empty token")]
    Empty,
    /// Not a valid symbol (the token, quoted and cut).
    #[error("invalid symbol {0}")]
    Symbol(String),
    /// Not a valid number (the token, quoted and cut).
    #[error("invalid number {0}")]
    Number(String),
    /// An integer with a leading zero (the token, quoted and cut).
    #[error("invalid number {0} (only 0 may begin with 0; octal is not EDN)")]
    Octal(String),
}

fn is_symbol_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".*+!-_?$%&=<>/:#'".contains(&b) || b >= 0x80
}

/// Whether `s` is a valid symbol (or keyword name).
pub(crate) fn valid_symbol(s: &str) -> bool {
    s.bytes().all(is_symbol_byte) && !s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// A number, `nil`, `true`, `false` or a symbol.
pub(crate) fn atom(tok: &str) -> Result<FormKind, AtomError> {
    let b = tok.as_bytes();
    let Some(&first) = b.first() else {
        return Err(AtomError::Empty);
    };
    let numeric = first.is_ascii_digit()
        || (matches!(first, b'+' | b'-') && b.get(1).is_some_and(u8::is_ascii_digit));
    if numeric {
        return number(tok);
    }
    match tok {
        "nil" => Ok(FormKind::Nil),
        "true" => Ok(FormKind::Bool(true)),
        "false" => Ok(FormKind::Bool(false)),
        _ if valid_symbol(tok) => Ok(FormKind::Symbol(tok.to_string())),
        _ => Err(AtomError::Symbol(quoted(tok))),
    }
}

fn number(tok: &str) -> Result<FormKind, AtomError> {
    let bad = || AtomError::Number(quoted(tok));
    let unsigned = tok.trim_start_matches(['+', '-']);
    let negative = tok.starts_with('-');
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if let Some((n, d)) = unsigned.split_once('/') {
        return if digits_only(n) && digits_only(d) {
            Ok(FormKind::Ratio(tok.to_string()))
        } else {
            Err(bad())
        };
    }
    let int_part = unsigned.strip_suffix('N').unwrap_or(unsigned);
    if digits_only(int_part) {
        if int_part.len() > 1 && int_part.starts_with('0') {
            return Err(AtomError::Octal(quoted(tok)));
        }
        let signed = if negative {
            format!("-{int_part}")
        } else {
            int_part.to_string()
        };
        return Ok(match signed.parse::<i64>() {
            Ok(i) => FormKind::Int(i),
            Err(_) => FormKind::BigInt(signed),
        });
    }
    let body = unsigned.strip_suffix('M').unwrap_or(unsigned);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, frac) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let exp_ok = exponent.is_none_or(|e| digits_only(e.trim_start_matches(['+', '-'])));
    let frac_ok = frac.is_none_or(|f| f.is_empty() || digits_only(f));
    if digits_only(whole) && exp_ok && frac_ok {
        Ok(FormKind::Float(tok.to_string()))
    } else {
        Err(bad())
    }
}
