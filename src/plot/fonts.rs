//! Fonts: DejaVu Sans embedded from the `dejavu` crate, so that text is laid out (and, in PNGs,
//! rasterised) the same way on every machine, with no system font lookup.

use std::sync::Once;

use plotters::style::{FontStyle, register_font};

/// The family name every chart uses.
pub const FAMILY: &str = "sans-serif";

/// Registers the fonts once per process; every drawing function calls it first.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // `InvalidFont` has no Debug impl; the bytes are the crate's own, known-good TTFs.
        let _ = register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}
