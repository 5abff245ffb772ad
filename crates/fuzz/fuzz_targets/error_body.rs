//! Sage error bodies: any bytes give a list of items (possibly empty), never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sage_core::ErrorItem;

fuzz_target!(|data: &[u8]| {
    for item in ErrorItem::parse_body(data) {
        // Display is what users see in `ApiError` messages; it must cope with any item.
        let _ = item.to_string();
    }
});
