//! How connections are printed: a table for `list`, a page for `show`, JSON for scripts. A
//! connection holds no token, so whatever is printed holds none either.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sage_connections::{AuditRecord, Connection, Status};

/// The columns of `list`.
const HEADERS: [&str; 6] = ["ID", "PRODUCT", "STATUS", "BUSINESS/COMPANY", "LAST USED", "LAST REFRESHED"];

/// `list`: one row per connection under a header, columns padded to their widest cell.
pub fn table(connections: &[Connection]) -> String {
    let rows: Vec<[String; 6]> = connections
        .iter()
        .map(|connection| {
            [
                clean(&connection.id),
                clean(&connection.product),
                connection.status.name().to_owned(),
                clean(&addressed(connection)),
                when(connection.last_used_at),
                when(connection.last_refreshed_at),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|header| header.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = HEADERS.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        out += cells.join("  ").trim_end();
        out.push('\n');
    }
    out
}

/// What calls address: the v3.1 business, the Sage 200 company, the v3 site.
fn addressed(connection: &Connection) -> String {
    if let Some(business) = &connection.business {
        return business.name.clone();
    }
    if let Some(company) = &connection.company {
        return company.company_name.clone();
    }
    match (&connection.v3_site_id, &connection.country) {
        (Some(site), Some(country)) => format!("site {site} ({country})"),
        (Some(site), None) => format!("site {site}"),
        _ => "-".to_owned(),
    }
}

/// A time to the minute, or `-` for never.
fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "-".to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// A time to the second.
fn exact(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Text from the registry (Sage's names, the app's ids) with control characters escaped, so a
/// stored value cannot move the terminal's cursor or forge lines.
pub fn clean(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// The status with its reason and time.
pub fn status(connection: &Connection) -> String {
    match &connection.status {
        Status::NeedsRelink { reason, since } => format!("needs_relink since {}: {}", exact(*since), clean(reason)),
        other => other.name().to_owned(),
    }
}

/// `show`: every field of the connection, one per line.
pub fn page(connection: &Connection) -> String {
    let mut out = String::new();
    let mut line = |name: &str, value: String| {
        let _ = writeln!(out, "{:<16}{value}", format!("{name}:"));
    };
    line("id", clean(&connection.id));
    line("product", clean(&connection.product));
    line("status", status(connection));
    if let Some(business) = &connection.business {
        line("business", format!("{} ({})", clean(&business.name), clean(&business.id)));
    }
    if connection.businesses.len() > 1 {
        let names: Vec<String> = connection
            .businesses
            .iter()
            .map(|b| format!("{} ({}){}", clean(&b.name), clean(&b.id), if b.lead { ", lead" } else { "" }))
            .collect();
        line("businesses", names.join("; "));
    }
    if let Some(company) = &connection.company {
        line("company", company_text(company));
    }
    if connection.companies.len() > 1 {
        line("companies", connection.companies.iter().map(company_text).collect::<Vec<_>>().join("; "));
    }
    if let Some(site) = &connection.v3_site_id {
        line("site", clean(site));
    }
    if let Some(country) = &connection.country {
        line("country", clean(country));
    }
    if let Some(user) = &connection.user_id {
        line("user", clean(user));
    }
    line("scopes", clean(&connection.scopes.join(" ")));
    line("created", exact(connection.created_at));
    line("connected", exact(connection.connected_at));
    line("last used", when(connection.last_used_at));
    line("last refreshed", when(connection.last_refreshed_at));
    line("redirect uri", clean(&connection.redirect_uri));
    for (name, value) in &connection.labels {
        line("label", format!("{}={}", clean(name), clean(value)));
    }
    out
}

/// The audit trail, oldest first: when, what, by whom, why, and what came of it.
pub fn audit(records: &[AuditRecord]) -> String {
    let mut out = String::from("audit:\n");
    if records.is_empty() {
        out += "  (none)\n";
    }
    for record in records {
        let mut line = format!("  {}  {}", exact(record.at), clean(&record.action));
        if let Some(by) = &record.by {
            line += &format!(" by {}", clean(by));
        }
        if let Some(why) = record.why.as_deref().filter(|why| !why.is_empty()) {
            line += &format!(": {}", clean(why));
        }
        if let Some(detail) = &record.detail {
            line += &format!(" ({})", clean(detail));
        }
        out += &line;
        out.push('\n');
    }
    out
}

fn company_text(company: &sage_connections::Sage200Company) -> String {
    format!(
        "{} ({}) on site {} ({})",
        clean(&company.company_name),
        company.company_id,
        clean(&company.site_name),
        clean(&company.site_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_the_registry_are_escaped() {
        assert_eq!(clean("Garage\u{1b}[2J\nLtd"), "Garage\\u{1b}[2J\\nLtd");
        assert_eq!(clean("Café Ltd"), "Café Ltd");
    }
}
