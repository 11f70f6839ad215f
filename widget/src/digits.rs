//! Numbers as text, without `format!`: the widget uses no `core::fmt` at all, which keeps its
//! formatting machinery out of the wasm (about 1 KB on the wire).

/// `-42` → "-42".
pub fn decimal(n: i64) -> String {
    digits(n.unsigned_abs(), 10, n < 0)
}

/// `255` → "ff".
pub fn hex(n: u64) -> String {
    digits(n, 16, false)
}

fn digits(mut n: u64, base: u64, negative: bool) -> String {
    let mut out = Vec::new();
    loop {
        let d = (n % base) as u8;
        out.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        n /= base;
        if n == 0 {
            break;
        }
    }
    if negative {
        out.push(b'-');
    }
    out.reverse();
    out.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_standard_library_writes_them() {
        for n in [0, 7, -7, 10, 1_764_000_000_000, i64::MAX, i64::MIN, -1] {
            assert_eq!(decimal(n), n.to_string());
        }
        for n in [0u64, 9, 10, 255, 0x018d_3f2a_1b7c, u64::MAX] {
            assert_eq!(hex(n), format!("{n:x}"));
        }
    }
}
