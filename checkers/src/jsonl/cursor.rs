//! The byte-level reading under [`super::line::fast`]: a cursor over one line's bytes that reads
//! JSON tokens exactly as serde_json would accept them for our fields, or gives up (`None`).
//! Names and small words are compared as one 64-bit word; eight digits are read at once.

use crate::history::{EventType, Process};
use crate::value::Value;

/// A short string as one word (its bytes, little-endian, zero-padded; 0 when longer than 8
/// bytes or containing a zero byte, which no name we look for does), to match names in one
/// comparison.
pub(super) const fn word(s: &[u8]) -> u64 {
    if s.len() > 8 {
        return 0;
    }
    let mut w = 0u64;
    let mut i = 0;
    while i < s.len() {
        if s[i] == 0 {
            return 0;
        }
        w |= (s[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

pub(super) const INDEX: u64 = word(b"index");
pub(super) const TIME: u64 = word(b"time");
pub(super) const PROCESS: u64 = word(b"process");
pub(super) const TYPE: u64 = word(b"type");
pub(super) const F: u64 = word(b"f");
pub(super) const KEY: u64 = word(b"key");
pub(super) const VALUE: u64 = word(b"value");
pub(super) const TS: u64 = word(b"ts");
pub(super) const NODE: u64 = word(b"node");
pub(super) const ERROR: u64 = word(b"error");
const NEMESIS: u64 = word(b"nemesis");
const INVOKE: u64 = word(b"invoke");
const OK: u64 = word(b"ok");
const FAIL: u64 = word(b"fail");
const INFO: u64 = word(b"info");

/// Each field's name with its closing quote (`index"`, …), in our writer's order, as a
/// little-endian word and the mask of its bytes: an 8-byte load compares a name in one step.
const NAMES: [(u64, u64, usize); 10] = {
    const fn name(s: &[u8]) -> (u64, u64, usize) {
        let mut w = 0u64;
        let mut i = 0;
        while i < s.len() {
            w |= (s[i] as u64) << (8 * i);
            i += 1;
        }
        w |= (b'"' as u64) << (8 * i);
        let mask = if i + 1 >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * (i + 1))) - 1
        };
        (w, mask, i + 1)
    }
    [
        name(b"index"),
        name(b"time"),
        name(b"process"),
        name(b"type"),
        name(b"f"),
        name(b"key"),
        name(b"value"),
        name(b"ts"),
        name(b"node"),
        name(b"error"),
    ]
};

/// Powers of ten up to 10⁸.
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The number formed by the first `k` (1..=8) bytes of `x`, each a digit's value (0..=9), first
/// byte most significant: digits combined pairwise within one word (SWAR).
fn leading_digits(x: u64, k: usize) -> u64 {
    let mask = if k >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * k)) - 1
    };
    // Move the k digits to the top, as if led by zeros.
    let v = (x & mask) << (8 * (8 - k.min(8)));
    let v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    (v * 10_000 + (v >> 32)) & 0xffff_ffff
}

/// A position in a line's bytes.
pub(super) struct Cursor<'a> {
    b: &'a [u8],
    /// The position: the bytes before it are read.
    pub i: usize,
}

impl<'a> Cursor<'a> {
    /// At the start of `b`.
    pub fn new(b: &'a [u8]) -> Cursor<'a> {
        Cursor { b, i: 0 }
    }

    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    pub fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    pub fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Skip JSON whitespace within a line (serde_json also skips `\n`, which ends our lines).
    pub fn ws(&mut self) {
        // Our writer puts no whitespace: one comparison when there is none.
        if self.peek().is_some_and(|b| b <= b' ') {
            while let Some(b' ' | b'\t' | b'\r') = self.peek() {
                self.i += 1;
            }
        }
    }

    /// `word` (`null`, `true`, `false`) follows.
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// The 8 bytes at `at`, as a little-endian word.
    fn word_at(&self, at: usize) -> Option<u64> {
        let bytes = self.b.get(at..at + 8)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// A field name spelled as our writer spells it, tried from field `from` on (the one it
    /// writes next); `None` leaves the cursor where it was, for [`Cursor::string`].
    pub fn known_name(&mut self, from: usize) -> Option<u16> {
        if self.peek()? != b'"' {
            return None;
        }
        let w = self.word_at(self.i + 1)?;
        let (field, &(_, _, len)) = NAMES
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, &(name, mask, _))| w & mask == name)?;
        self.i += 1 + len;
        Some(field as u16)
    }

    /// The bytes of a string without escapes or control characters.
    pub fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => {}
            }
        }
        self.b.get(start..self.i - 1)
    }

    /// A string without escapes or control characters, as text (valid UTF-8).
    pub fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.string()?).ok()
    }

    /// Decimal digits as serde_json reads them (no leading zero, no fraction, no exponent); `None`
    /// when they overflow a u64 or are not a plain integer. Reads up to eight digits per step.
    fn digits(&mut self) -> Option<u64> {
        let start = self.i;
        let (mut n, mut len) = (0u64, 0usize);
        while let Some(w) = self.word_at(self.i) {
            // Each byte minus '0' (as xor: a digit's bytes are 0x30..=0x39); a byte is a digit
            // iff that is below 10, i.e. adding 0x76 leaves its top bit clear. A carry out of a
            // non-digit byte only reaches bytes after it, which are not counted.
            let x = w ^ 0x3030_3030_3030_3030;
            let non_digits = (x.wrapping_add(0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080;
            let k = (non_digits.trailing_zeros() / 8) as usize;
            if len + k > 19 {
                return self.long_digits(start);
            }
            if k > 0 {
                n = n * POW10[k] + leading_digits(x, k);
                len += k;
                self.i += k;
            }
            if k < 8 {
                break;
            }
        }
        if self.word_at(self.i).is_none() {
            // Fewer than eight bytes left.
            while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
                if len == 19 {
                    return self.long_digits(start);
                }
                n = n * 10 + u64::from(d - b'0');
                len += 1;
                self.i += 1;
            }
        }
        self.end_digits(start, len, n)
    }

    /// [`Cursor::digits`] of 20 digits or more, from `start`: checked, usually overflowing.
    fn long_digits(&mut self, start: usize) -> Option<u64> {
        self.i = start;
        let mut n = 0u64;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        self.end_digits(start, self.i - start, n)
    }

    /// The number `n` of the `len` digits at `start`, if serde_json would read it as an integer.
    fn end_digits(&self, start: usize, len: usize, n: u64) -> Option<u64> {
        if len == 0 || (len > 1 && self.b.get(start) == Some(&b'0')) {
            return None;
        }
        match self.peek() {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    /// An integer as [`Value`] reads it: within i64, and not `-0` (a float to serde_json).
    fn int(&mut self) -> Option<i64> {
        if self.peek()? == b'-' {
            self.i += 1;
            let n = self.digits()?;
            if n == 0 {
                return None;
            }
            0i64.checked_sub_unsigned(n)
        } else {
            i64::try_from(self.digits()?).ok()
        }
    }

    /// `null` or a non-negative integer.
    pub fn opt_u64(&mut self) -> Option<Option<u64>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.digits().map(Some)
    }

    /// `null` or a string.
    pub fn opt_text(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.text().map(Some)
    }

    /// A scalar value: `null`, a boolean, an integer or a string.
    pub fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            b'n' => self.literal(b"null").map(|()| Value::Null),
            b't' => self.literal(b"true").map(|()| Value::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Value::Bool(false)),
            b'"' => self.text().map(Value::from),
            _ => self.int().map(Value::Int),
        }
    }

    /// A client number (a non-negative integer within i64) or `"nemesis"`.
    pub fn process(&mut self) -> Option<Process> {
        if self.peek()? == b'"' {
            return (word(self.string()?) == NEMESIS).then_some(Process::Nemesis);
        }
        let p = self.digits()?;
        (p <= i64::MAX as u64).then_some(Process::Client(p))
    }

    pub fn kind(&mut self) -> Option<EventType> {
        match word(self.string()?) {
            INVOKE => Some(EventType::Invoke),
            OK => Some(EventType::Ok),
            FAIL => Some(EventType::Fail),
            INFO => Some(EventType::Info),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_length_read_as_serde_reads_them() {
        let mut n: u64 = 0;
        for len in 1..=20 {
            n = n.wrapping_mul(10).wrapping_add(len % 10);
            for v in [n, u64::MAX, 10u64.saturating_pow(len as u32 - 1)] {
                let text = v.to_string();
                // Alone (the end of the line within eight bytes) and followed by more.
                for line in [text.clone(), format!("{text},\"ts\":12345678}}")] {
                    let mut c = Cursor::new(line.as_bytes());
                    assert_eq!(c.digits(), Some(v), "{line}");
                    assert_eq!(c.i, text.len());
                }
            }
        }
        let bad = [
            "",
            "x",
            "01",
            "00",
            "18446744073709551616",
            "99999999999999999999",
            "1.0",
            "2e3",
            "0123456789,",
            "123456789012345678901234",
            "12345678.5",
            "1234567E9,\"x\"",
        ];
        for bad in bad {
            let mut c = Cursor::new(bad.as_bytes());
            assert_eq!(c.digits(), None, "{bad}");
        }
        // A digit's neighbours in ASCII, and bytes beyond it, end the number.
        for end in [b'/', b':', b' ', 0x80, 0xb0, 0xff] {
            let mut line = b"123456789".to_vec();
            line.insert(4, end);
            line.extend(b"12345678");
            assert_eq!(Cursor::new(&line).digits(), Some(1234), "{end:#x}");
        }
    }
}
