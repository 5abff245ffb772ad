//! Response decoding: every generated model, alone and as a `Page`, must decode arbitrary bytes
//! without panicking, and whatever decodes must survive an encode/decode round trip unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sage_core::Page;
use serde::de::DeserializeOwned;
use serde::Serialize;

fuzz_target!(|data: &[u8]| {
    include!(concat!(env!("OUT_DIR"), "/models.rs"));
    check::<serde_json::Value>(data);
});

fn check<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(model) = serde_json::from_slice::<T>(data) {
        assert_round_trip(&model);
    }
    if let Ok(page) = serde_json::from_slice::<Page<T>>(data) {
        for item in &page.items {
            assert_round_trip(item);
        }
    }
}

/// Decoded values are written back and read again; a difference would lose data on update.
fn assert_round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(value: &T) {
    let encoded = serde_json::to_vec(value).expect("a decoded value encodes");
    let decoded: T = serde_json::from_slice(&encoded).expect("an encoded value decodes");
    assert_eq!(&decoded, value, "round trip through {}", String::from_utf8_lossy(&encoded));
}
