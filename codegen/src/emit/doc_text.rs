//! Sage's descriptions carry bits of HTML (`<P>`, `<br/>`, `<i>`, `<ul><li>`, `<a href>`), often
//! unbalanced. Doc comments are Markdown: this turns the tags Sage uses into their Markdown
//! equivalents, so rustdoc renders them and the generated source reads like hand-written docs.

/// `text` with Sage's HTML tags replaced by Markdown; anything that is not a tag is kept as it is.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut link: Option<String> = None;
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some((tag, after)) = parse_tag(&rest[start..]) else {
            out.push('<');
            rest = &rest[start + 1..];
            continue;
        };
        rest = after;
        match (tag.name.as_str(), tag.closing) {
            ("p" | "br" | "ul", _) => out.push_str("\n\n"),
            ("li", false) => {
                out.push_str("\n- ");
                rest = rest.trim_start().strip_prefix("- ").unwrap_or(rest.trim_start());
            }
            ("li", true) => {}
            ("i" | "em", _) => out.push('*'),
            ("b" | "strong", _) => out.push_str("**"),
            ("a", false) => {
                link = tag.href;
                if link.is_some() {
                    out.push('[');
                }
            }
            ("a", true) => {
                if let Some(href) = link.take() {
                    let label_end = out.trim_end().len();
                    out.truncate(label_end);
                    out.push_str(&format!("]({href})"));
                }
            }
            // Anything else is not Sage's formatting: keep it verbatim.
            _ => out.push_str(tag.source),
        }
    }
    out.push_str(rest);
    tidy(&out)
}

/// One HTML tag at the start of `text`, and the text after it.
struct Tag<'a> {
    name: String,
    closing: bool,
    href: Option<String>,
    source: &'a str,
}

fn parse_tag(text: &str) -> Option<(Tag<'_>, &str)> {
    let end = text.find('>')?;
    let inner = &text[1..end];
    if inner.contains('<') {
        return None;
    }
    let (closing, body) = match inner.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, inner),
    };
    let name: String = body.chars().take_while(char::is_ascii_alphanumeric).collect();
    if name.is_empty() || !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let href = body.split_once("href=\"").and_then(|(_, value)| value.split_once('"')).map(|(url, _)| url.to_owned());
    Some((Tag { name: name.to_ascii_lowercase(), closing, href, source: &text[..=end] }, &text[end + 1..]))
}

/// Trailing spaces dropped, runs of blank lines folded into one, leading spaces of lines kept.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::markdown;

    #[test]
    fn paragraphs_and_breaks_become_blank_lines() {
        assert_eq!(markdown("Account status.<P>The API returns them.</P>"), "Account status.\n\nThe API returns them.");
        assert_eq!(markdown("One.<br/>Two.<br />Three.<br>Four"), "One.\n\nTwo.\n\nThree.\n\nFour");
    }

    #[test]
    fn emphasis_links_and_lists_become_markdown() {
        assert_eq!(
            markdown("<br><i>Customers only, not applicable to Start<i>"),
            "*Customers only, not applicable to Start*"
        );
        assert_eq!(markdown("a <b>bold</b> word"), "a **bold** word");
        let link = "See <a\n  href=\"https://developer.sage.com/x#y\"\n  target=\"_blank\">the guide\n</a> here";
        assert_eq!(markdown(link), "See [the guide](https://developer.sage.com/x#y) here");
        let list = "Rates:<ul><li>- Analyse the rates.</li><li>Read them.</li></ul>Done.";
        assert_eq!(markdown(list), "Rates:\n\n- Analyse the rates.\n- Read them.\n\nDone.");
    }

    #[test]
    fn text_that_is_not_a_tag_is_kept() {
        assert_eq!(markdown("a < b and c > d"), "a < b and c > d");
        assert_eq!(markdown("x <1> y <Unknown attr=1> z"), "x <1> y <Unknown attr=1> z");
        assert_eq!(markdown("plain"), "plain");
    }
}
