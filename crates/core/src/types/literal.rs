//! `dec!`: exact decimal literals in user code without a dependency on `rust_decimal`.

use super::Decimal;

/// An exact [`Decimal`] from a literal, checked at compile time: `dec!(12.50)`, `dec!(-0.1)`.
///
/// A typo (`dec!(12,50)`, `dec!(1e3)`, more than 28 fraction digits or 96 bits of digits) fails
/// the build rather than the program. The expansion refers only to `sage_core`, so a crate that
/// depends on `sage` alone can use it as `sage::types::dec!`.
///
/// ```
/// use sage_core::types::{dec, Decimal};
///
/// assert_eq!(dec!(12.50), Decimal::new(1250, 2));
/// assert_eq!(dec!(-0.1), Decimal::new(-1, 1));
/// assert_eq!(dec!(1_000), Decimal::new(1000, 0));
/// assert_eq!(dec!(12345678901234567.89).to_string(), "12345678901234567.89");
/// ```
///
/// ```compile_fail
/// let _ = sage_core::types::dec!(12,50); // a decimal comma
/// ```
#[macro_export]
macro_rules! dec {
    ($($literal:tt)+) => {{
        const VALUE: $crate::types::Decimal = $crate::types::decimal_literal(stringify!($($literal)+));
        VALUE
    }};
}

/// Parses the text of a decimal literal; called by [`dec!`](crate::dec) in a constant, so a
/// malformed literal is a compile error.
#[doc(hidden)]
pub const fn decimal_literal(text: &str) -> Decimal {
    const LIMIT: u128 = 1 << 96;
    let bytes = text.as_bytes();
    let mut index = 0;
    let negative = !bytes.is_empty() && bytes[0] == b'-';
    if negative {
        index += 1;
    }
    while index < bytes.len() && bytes[index] == b' ' {
        index += 1;
    }
    let (mut mantissa, mut scale, mut digits, mut point) = (0u128, 0u32, 0u32, false);
    while index < bytes.len() {
        match bytes[index] {
            digit @ b'0'..=b'9' => {
                mantissa = mantissa * 10 + (digit - b'0') as u128;
                assert!(mantissa < LIMIT, "dec!: the literal has more digits than a Decimal holds (96 bits)");
                digits += 1;
                if point {
                    scale += 1;
                }
            }
            b'_' if digits > 0 => {}
            b'.' if !point && digits > 0 => point = true,
            _ => panic!("dec!: expected a decimal literal such as 12.50 or -0.1"),
        }
        index += 1;
    }
    assert!(digits > 0, "dec!: expected a decimal literal such as 12.50 or -0.1");
    assert!(scale <= 28, "dec!: a Decimal holds at most 28 fraction digits");
    let (lo, mid, hi) = (mantissa as u32, (mantissa >> 32) as u32, (mantissa >> 64) as u32);
    Decimal::from_parts(lo, mid, hi, negative, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_keep_their_digits_and_scale() {
        assert_eq!(decimal_literal("2464.16"), Decimal::new(246416, 2));
        assert_eq!(decimal_literal("- 0.10").to_string(), "-0.10");
        assert_eq!(decimal_literal("79228162514264337593543950335"), Decimal::MAX);
        assert_eq!(decimal_literal("0.0000000000000000000000000001"), Decimal::new(1, 28));
    }

    #[test]
    fn malformed_literals_are_refused() {
        for text in ["", "-", ".5", "1.2.3", "1e3", "1.5f64", "79228162514264337593543950336", "x"] {
            assert!(std::panic::catch_unwind(|| decimal_literal(text)).is_err(), "{text}");
        }
    }
}
