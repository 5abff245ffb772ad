//! The fixed identities of the sandbox's one demo user, shared by the identity servers and the APIs.
//!
//! They are constants so that docs, demos and tests can name them.

/// The demo user's id (`requested_by_id` in v3.1 token responses, `sub` of Sage ID tokens).
pub const USER_ID: &str = "5b1e2ad0c3f44d0e9a7c6b5d4e3f2a10";
/// The demo user's e-mail address.
pub const USER_EMAIL: &str = "demo.user@sandbox.invalid";
/// Accounting v3 site of the demo user: the token's `resource_owner_id`, expected back in `X-Site`.
pub const V3_SITE_ID: &str = "c0ffee00d15ea5e0000000000000a3b3";
/// The Sage 200 site the demo user reaches (`X-Site`).
pub const SAGE200_SITE_ID: &str = "d6f3c8a1-0000-4000-8000-sage200site1";
/// The Sage 200 companies on that site (`X-Company`), with their names.
pub const SAGE200_COMPANIES: [(&str, &str); 2] =
    [("1", "Stationery & Computer Mart UK"), ("2", "Sandbox Engineering Ltd")];

/// One Accounting v3.1 business of the demo user.
#[derive(Debug, Clone, Copy)]
pub struct BusinessFixture {
    /// `X-Business` value.
    pub id: &'static str,
    /// Business name.
    pub name: &'static str,
}

/// The demo user's v3.1 businesses; the first is the lead business until changed.
pub const V31_BUSINESSES: [BusinessFixture; 3] = [
    BusinessFixture { id: "9d1f0a3e6c2b4a7f8e5d1c0b9a8f7e61", name: "Sandbox Trading Ltd" },
    BusinessFixture { id: "2c7e9b1d4f6a4c3e8b0d2f1a3c5e7b92", name: "Sandbox Consulting Ltd" },
    BusinessFixture { id: "7a4b2c9e1d3f4e6a9c8b0d2e4f6a8c03", name: "Sandbox Retail Ltd" },
];
