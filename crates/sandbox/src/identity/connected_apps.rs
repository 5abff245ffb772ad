//! The demo user's "connected apps" page: every app holding tokens, each with a button that revokes
//! its access, as a Sage user does in their account settings. Apps then meet `invalid_grant` on
//! their next refresh, which is how a connection comes to need relinking.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Form, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::authorize::escape_html;
use crate::family::Family;
use crate::state::{lock, AppState};
use crate::stats::bump;

/// `GET /connected-apps`.
pub(crate) async fn page(State(state): State<Arc<AppState>>) -> Response {
    render(&state, None)
}

/// The revoke button's form.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RevokeApp {
    family: String,
    client_id: String,
}

/// `POST /connected-apps/revoke`: forgets the app's access and refresh tokens of that family at once
/// (Sage may let an access token run until it expires; here the app notices on its next call).
pub(crate) async fn revoke(State(state): State<Arc<AppState>>, Form(form): Form<RevokeApp>) -> Response {
    let Some(family) = Family::from_id(&form.family) else {
        return (StatusCode::BAD_REQUEST, Html("<p>Unknown identity server.</p>")).into_response();
    };
    let removed = lock(&state.grants).revoke_app(family, &form.client_id);
    if removed > 0 {
        bump(&state.counters.revocations);
    }
    // A failed write stays journaled and is retried with the next token change.
    let _ = state.save_tokens();
    let server = title(family);
    let notice = match removed {
        0 => format!("{} holds no token on {server}.", form.client_id),
        _ => format!("Access revoked for {} on {server}: {removed} tokens no longer work.", form.client_id),
    };
    render(&state, Some(notice))
}

fn render(state: &AppState, notice: Option<String>) -> Response {
    let apps = lock(&state.grants).apps(Instant::now());
    let mut rows = String::new();
    for (family, client_id, refresh, access) in &apps {
        rows.push_str(&format!(
            r#"<tr><td class="app">{client}</td><td>{server}</td><td>{refresh} refresh, {access} access</td><td>
<form method="post" action="/connected-apps/revoke"><input type="hidden" name="family" value="{family}">
<input type="hidden" name="client_id" value="{client}"><button type="submit">Revoke access</button></form></td></tr>
"#,
            client = escape_html(client_id),
            server = title(*family),
            family = family.id(),
        ));
    }
    if apps.is_empty() {
        rows.push_str("<tr><td colspan=\"4\">No app holds a token.</td></tr>\n");
    }
    let notice = notice.map(|text| format!("<p class=\"notice\">{}</p>\n", escape_html(&text))).unwrap_or_default();
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sage sandbox: connected apps</title></head>
<body>
<h1>Connected apps</h1>
{notice}<p>Apps holding tokens for the demo user. Revoking one ends its access at once; it must ask for consent again.</p>
<table>
<tr><th>App</th><th>Identity server</th><th>Live tokens</th><th></th></tr>
{rows}</table>
</body></html>
"#
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// The products an identity server signs users in to.
fn title(family: Family) -> &'static str {
    match family {
        Family::SageId => "Sage ID (Sage 200)",
        Family::AccountingV3 => "Accounting v3",
        Family::AccountingV31 => "Accounting v3.1",
    }
}
