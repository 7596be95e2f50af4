//! Text into HTML: every string from a file or a scenario passes through [`escape`] before it
//! becomes part of a page, so an operator named `<script>` is shown, not run.

/// `&`, `<`, `>`, `"` and `'` as entities: safe in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table: a header row, then one row per entry, each cell escaped.
pub fn table(class: &str, header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table class=\"{}\">\n<thead><tr>", escape(class));
    for h in header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", escape(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<script>alert('x & \"y\"')</script>"),
            "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"
        );
        let t = table("c", &["<a>".into()], &[vec!["1 < 2".into()]]);
        assert!(
            t.contains("<th>&lt;a&gt;</th>") && t.contains("<td>1 &lt; 2</td>"),
            "{t}"
        );
    }
}
