//! How long an SMS is, as carriers count it (3GPP TS 23.038): GSM-7 where every character
//! is in its alphabet, 160 characters in one message or 153 a segment; UCS-2 otherwise
//! (Chinese, Russian, Arabic), 70 or 67 UTF-16 units. Texts are fitted to a number of
//! segments by shortening the names in them, a whole character (grapheme) at a time.

use unicode_segmentation::UnicodeSegmentation;

/// GSM 03.38's basic alphabet: one septet each.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table: two septets each (an escape, then the character).
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// How an SMS is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// An SMS's length: its encoding, its units (septets or UTF-16 units) and its segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsSize {
    pub encoding: SmsEncoding,
    pub units: usize,
    pub segments: usize,
}

impl SmsEncoding {
    fn of(text: &str) -> Self {
        let gsm = text
            .chars()
            .all(|c| GSM7_BASIC.contains(c) || GSM7_EXTENSION.contains(c));
        if gsm {
            SmsEncoding::Gsm7
        } else {
            SmsEncoding::Ucs2
        }
    }

    /// Units in one message alone, and in each segment of a longer one (the rest carries
    /// the concatenation header).
    fn capacity(self) -> (usize, usize) {
        match self {
            SmsEncoding::Gsm7 => (160, 153),
            SmsEncoding::Ucs2 => (70, 67),
        }
    }

    /// What a shortened name ends with: "..." keeps a GSM-7 text GSM-7 ("…" is not in its
    /// alphabet and would halve the room).
    fn ellipsis(self) -> &'static str {
        match self {
            SmsEncoding::Gsm7 => "...",
            SmsEncoding::Ucs2 => "…",
        }
    }
}

pub fn size(text: &str) -> SmsSize {
    let encoding = SmsEncoding::of(text);
    let units = match encoding {
        SmsEncoding::Gsm7 => text
            .chars()
            .map(|c| if GSM7_EXTENSION.contains(c) { 2 } else { 1 })
            .sum(),
        SmsEncoding::Ucs2 => text.encode_utf16().count(),
    };
    let (single, segment) = encoding.capacity();
    let segments = match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(segment),
    };
    SmsSize {
        encoding,
        units,
        segments,
    }
}

/// The text `render` makes of `names`, each shortened (the longest first, a grapheme at a
/// time, with an ellipsis) until it fits `max_segments`; as short as the names can get
/// otherwise.
pub fn fit<const N: usize>(
    max_segments: usize,
    names: [&str; N],
    render: impl Fn([&str; N]) -> String,
) -> String {
    let full = render(names);
    if size(&full).segments <= max_segments {
        return full;
    }
    // The ellipsis of the text without the names: a name's Chinese that is cut away should
    // not leave a `…` that keeps a Latin text in UCS-2.
    let ellipsis = SmsEncoding::of(&render([""; N])).ellipsis();
    let graphemes: Vec<Vec<&str>> = names.iter().map(|n| n.graphemes(true).collect()).collect();
    let mut kept: Vec<usize> = graphemes.iter().map(Vec::len).collect();
    loop {
        let shortened: Vec<String> = graphemes
            .iter()
            .zip(&kept)
            .map(|(g, &k)| {
                if k == g.len() {
                    g.concat()
                } else {
                    format!("{}{ellipsis}", g[..k].concat())
                }
            })
            .collect();
        let refs: [&str; N] = std::array::from_fn(|i| shortened[i].as_str());
        let text = render(refs);
        // The longest name loses a grapheme, until each is down to one.
        let longest = (0..N).filter(|&i| kept[i] > 1).max_by_key(|&i| kept[i]);
        match longest {
            Some(i) if size(&text).segments > max_segments => kept[i] -= 1,
            _ => return text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_as_carriers_count_them() {
        let ascii = "a".repeat(160);
        assert_eq!(size(&ascii).segments, 1);
        assert_eq!(size(&(ascii.clone() + "b")).segments, 2);
        assert_eq!(size(&"a".repeat(306)).segments, 2);
        assert_eq!(size(&"a".repeat(307)).segments, 3);
        // The extension table takes two septets: 80 euro signs fill one message.
        assert_eq!(size(&"€".repeat(80)).units, 160);
        assert_eq!(size(&"€".repeat(81)).segments, 2);
        let chinese = "洽".repeat(70);
        assert_eq!(size(&chinese).encoding, SmsEncoding::Ucs2);
        assert_eq!(size(&chinese).segments, 1);
        assert_eq!(size(&"洽".repeat(71)).segments, 2);
        assert_eq!(size(&"洽".repeat(134)).segments, 2);
        assert_eq!(size(&"洽".repeat(135)).segments, 3);
        // One character beyond GSM-7 makes the whole text UCS-2.
        assert_eq!(size("Müller ok").encoding, SmsEncoding::Gsm7);
        assert_eq!(size("Dvořák").encoding, SmsEncoding::Ucs2);
        // An emoji is two UTF-16 units.
        assert_eq!(size("🙂").units, 2);
    }

    #[test]
    fn names_are_shortened_whole_characters_at_a_time() {
        let exhibitor =
            "Shenzhen Very Long Name Consumer Electronics Manufacturing Co. Ltd. ".repeat(3);
        let buyer = "Ann";
        let text = fit(1, [exhibitor.as_str(), buyer], |[e, b]| {
            format!("meeting {e} / {b} at 09:00")
        });
        assert!(size(&text).segments <= 1, "{text}");
        assert!(text.contains("... / Ann at 09:00"), "{text}");
        // A family emoji is one grapheme of seven code points: never cut inside.
        let family = "👨‍👩‍👧‍👦";
        let name = format!("{}{}", family.repeat(40), "Ltd");
        let text = fit(2, [name.as_str(), "李娜"], |[e, b]| format!("{e}与{b}"));
        assert!(size(&text).segments <= 2, "{}", size(&text).units);
        let kept = text.trim_end_matches("与李娜").trim_end_matches('…');
        assert!(name.starts_with(kept));
        assert_eq!(kept.graphemes(true).count() * family.len(), kept.len());
        // What fits is left alone.
        assert_eq!(fit(2, ["Acme"], |[e]| format!("hi {e}")), "hi Acme");
    }
}
