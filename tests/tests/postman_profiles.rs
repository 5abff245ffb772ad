//! The Postman export repeats Sage's OAuth endpoints (sage-codegen does not depend on sage-core);
//! this keeps that table identical to `sage_core::auth::AuthProfile`.

use sage_codegen::postman::{ClientAuthentication, OAUTH_PROFILES};
use sage_core::auth::{AuthProfile, ClientAuthStyle, SageApi};

const APIS: [SageApi; 3] = [SageApi::Sage200, SageApi::AccountingV3, SageApi::AccountingV31];

#[test]
fn postman_oauth_settings_match_the_runtime_profiles() {
    for api in APIS {
        let profile = AuthProfile::for_api(api);
        let settings = OAUTH_PROFILES
            .iter()
            .find(|settings| settings.profile.name() == api.name())
            .unwrap_or_else(|| panic!("no Postman settings for {api}"));
        assert_eq!(settings.authorize_url, profile.authorize_url(), "{api}");
        assert_eq!(settings.token_url, profile.token_url(), "{api}");
        assert_eq!(settings.scopes, profile.scopes(), "{api}");
        let params: Vec<(String, String)> =
            settings.authorize_params.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect();
        assert_eq!(params, profile.authorize_params(), "{api}");
        let style = match settings.client_authentication {
            ClientAuthentication::Body => ClientAuthStyle::RequestBody,
            ClientAuthentication::Header => ClientAuthStyle::HttpBasic,
        };
        assert_eq!(style, profile.client_auth(), "{api}");
        assert_eq!(settings.pkce, profile.pkce(), "{api}");
    }
}

#[test]
fn postman_has_no_settings_for_apis_the_runtime_does_not_know() {
    let names: Vec<&str> = APIS.iter().map(|api| api.name()).collect();
    for settings in OAUTH_PROFILES {
        let name = settings.profile.name();
        assert!(names.contains(&name), "stale Postman profile `{name}`");
    }
}
