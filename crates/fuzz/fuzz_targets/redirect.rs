//! Authorization redirects: any text is accepted or refused, never a panic; an accepted one
//! carries a non-empty code.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sage_core::auth::{parse_redirect, CsrfState};

const EXPECTED_STATE: &str = "fuzz-state-1";

fuzz_target!(|redirect: &str| {
    let expected = CsrfState::new(EXPECTED_STATE);
    if let Ok(response) = parse_redirect(redirect, &expected) {
        assert!(!response.code().secret().is_empty(), "accepted without a code: {redirect:?}");
        let _ = (response.country(), response.extra_params().len());
    }
});
