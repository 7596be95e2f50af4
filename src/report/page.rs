//! A report page: a title, the verdict (one-line conclusions first, as a planner reads), then
//! sections of text, tables and charts. One self-contained HTML file: the style and the script
//! are inline and the charts are PNG data URIs, so it opens anywhere without a network. The same
//! report gives the same bytes: no clock, no random ids.

use super::base64;
use super::html::{escape, table};

/// A whole page. `ckptsim run` and `ckptsim sweep` build theirs from their output directories; a
/// caller with other findings (advice on a configuration) builds its own and calls [`Report::render`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub title: String,
    /// The conclusions, one line each, shown first.
    pub verdict: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The element id (a link target: `report.html#history`).
    pub id: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// Text shown as it is, in a monospace font (the summary table `ckptsim run` prints).
    Preformatted(String),
    Table {
        class: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A PNG chart, embedded, with a sentence saying what it shows.
    Chart {
        caption: String,
        png: Vec<u8>,
    },
    /// Markup built from [`super::html::escape`]d text by this module's builders (the checkpoint
    /// history's expandable rows); never raw text from a file.
    Html(String),
}

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.3em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
ul.verdict { background: #f3f7fb; border-left: 4px solid #1f77b4; padding: 0.8em 1em 0.8em 2em; }
ul.verdict li { margin: 0.2em 0; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; }
th { background: #f0f0f0; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
tr.checkpoint.FAILED td { background: #fdecea; }
tr.checkpoint.IN_PROGRESS td { background: #fff8e1; }
tr.subtasks > td { text-align: left; background: #fafafa; }
details summary { cursor: pointer; color: #1f5f99; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
nav a { margin-right: 1em; }
div.scroll { overflow-x: auto; }
footer { margin-top: 3em; font-size: 0.8em; color: #777; }
"#;

/// Opens or closes every `<details>` of the page: the history has one per checkpoint.
const SCRIPT: &str = r#"
function setAllDetails(open) {
  document.querySelectorAll("details").forEach(function (d) { d.open = open; });
}
document.querySelectorAll("button[data-details]").forEach(function (b) {
  b.addEventListener("click", function () { setAllDetails(b.dataset.details === "open"); });
});
"#;

impl Report {
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        // No favicon request: a file:// page asking for /favicon.ico logs an error.
        out.push_str("<link rel=\"icon\" href=\"data:,\">\n");
        out.push_str(&format!("<title>{}</title>\n", escape(&self.title)));
        out.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
        out.push_str(&format!("<h1>{}</h1>\n", escape(&self.title)));
        if !self.sections.is_empty() {
            out.push_str("<nav>");
            for s in &self.sections {
                out.push_str(&format!("<a href=\"#{}\">{}</a>", escape(&s.id), escape(&s.heading)));
            }
            out.push_str("</nav>\n");
        }
        if !self.verdict.is_empty() {
            out.push_str("<ul class=\"verdict\" id=\"verdict\">\n");
            for v in &self.verdict {
                out.push_str(&format!("<li>{}</li>\n", escape(v)));
            }
            out.push_str("</ul>\n");
        }
        for s in &self.sections {
            out.push_str(&format!(
                "<section id=\"{}\">\n<h2>{}</h2>\n",
                escape(&s.id),
                escape(&s.heading)
            ));
            for b in &s.blocks {
                render_block(&mut out, b);
            }
            out.push_str("</section>\n");
        }
        out.push_str(&format!(
            "<footer>Written by ckptsim {}: a deterministic simulation, not a measurement of a real job.</footer>\n",
            env!("CARGO_PKG_VERSION")
        ));
        out.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
        out
    }
}

fn render_block(out: &mut String, b: &Block) {
    match b {
        Block::Paragraph(t) => out.push_str(&format!("<p>{}</p>\n", escape(t))),
        Block::Preformatted(t) => out.push_str(&format!("<pre>{}</pre>\n", escape(t))),
        Block::Table { class, header, rows } => {
            out.push_str("<div class=\"scroll\">\n");
            out.push_str(&table(class, header, rows));
            out.push_str("</div>\n");
        }
        Block::Chart { caption, png } => out.push_str(&format!(
            "<figure><img alt=\"{c}\" src=\"data:image/png;base64,{}\"><figcaption>{c}</figcaption></figure>\n",
            base64::encode(png),
            c = escape(caption)
        )),
        Block::Html(h) => out.push_str(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_self_contained_and_escaped() {
        let r = Report {
            title: "a <b> job".into(),
            verdict: vec!["fine & well".into()],
            sections: vec![Section {
                id: "charts".into(),
                heading: "Charts".into(),
                blocks: vec![Block::Chart {
                    caption: "c".into(),
                    png: vec![1, 2, 3],
                }],
            }],
        };
        let html = r.render();
        assert!(html.contains("<title>a &lt;b&gt; job</title>"));
        assert!(html.contains("<li>fine &amp; well</li>"));
        assert!(html.contains("src=\"data:image/png;base64,AQID\""));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no network access"
        );
        assert_eq!(html, r.render());
    }
}
