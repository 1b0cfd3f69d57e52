//! What a client sends as an attachment's content, checked without trusting its word: the kind
//! of a file from its first bytes, base64 as clients write it, and http(s) addresses.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, Engine};

/// The kinds of file accepted, recognised from their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentKind {
    Pdf,
    Jpeg,
    Png,
    Text,
}

impl DocumentKind {
    /// The extension of the stored file, from which a kept document's kind is known again.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Jpeg => "jpg",
            DocumentKind::Png => "png",
            DocumentKind::Text => "txt",
        }
    }

    /// The MIME type shown when the client declares none.
    pub(crate) fn mime(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::Png => "image/png",
            DocumentKind::Text => "text/plain",
        }
    }

    /// The kind a declared MIME type (lower case, without parameters) names, among those
    /// accepted. HTML, SVG and other active content are not: a browser would run them.
    pub(crate) fn of_mime(mime: &str) -> Option<Self> {
        match mime {
            "application/pdf" => Some(DocumentKind::Pdf),
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(DocumentKind::Jpeg),
            "image/png" => Some(DocumentKind::Png),
            "text/plain" | "text/csv" => Some(DocumentKind::Text),
            _ => None,
        }
    }

    pub(crate) fn of_key(key: &str) -> Option<Self> {
        match key.rsplit('.').next()? {
            "pdf" => Some(DocumentKind::Pdf),
            "jpg" => Some(DocumentKind::Jpeg),
            "png" => Some(DocumentKind::Png),
            "txt" => Some(DocumentKind::Text),
            _ => None,
        }
    }

    /// The kind of a file from its content: the PNG, JPEG and PDF signatures (a PDF header may
    /// follow up to 1 KiB of leading bytes, as readers allow), else UTF-8 text without control
    /// characters other than tab, line feed, carriage return and form feed.
    pub(crate) fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(DocumentKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(DocumentKind::Jpeg)
        } else if bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
        {
            Some(DocumentKind::Pdf)
        } else if std::str::from_utf8(bytes).is_ok_and(|text| {
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
        }) {
            Some(DocumentKind::Text)
        } else {
            None
        }
    }
}

/// Standard base64 accepting what clients send: padding optional (canonical when present).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Standard base64 (RFC 4648 §4), as clients send files (`btoa`): padding optional, white space
/// ignored, the URL-safe alphabet's `-` and `_` accepted too. `None` when not base64.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let standard: Vec<u8> = text
        .bytes()
        .filter(|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
        .map(|c| match c {
            b'-' => b'+',
            b'_' => b'/',
            c => c,
        })
        .collect();
    LENIENT.decode(standard).ok()
}

/// Standard base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The base64 part of a `data:<mime>;base64,<data>` URL, or the text itself.
pub(crate) fn strip_data_url(text: &str) -> &str {
    let t = text.trim();
    if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")) {
        return t.split_once(',').map_or(t, |(_, data)| data);
    }
    t
}

/// A declared MIME type without its parameters, in lower case.
pub(crate) fn normalized_mime(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether `url` is an absolute http or https address with a host, without spaces or control
/// characters.
pub(crate) fn is_web_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        // An IPv6 literal.
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    !host.is_empty()
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_the_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode_base64(plain.as_bytes()), coded);
            assert_eq!(decode_base64(coded).as_deref(), Some(plain.as_bytes()));
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_base64(&encode_base64(&all)), Some(all));
    }

    #[test]
    fn base64_accepts_what_clients_send_and_refuses_the_rest() {
        assert_eq!(decode_base64("Zm9v\r\nYmE").as_deref(), Some(&b"fooba"[..]));
        assert_eq!(decode_base64("-_8").as_deref(), Some(&[0xFB, 0xFF][..]));
        assert_eq!(
            decode_base64("Zm8").as_deref(),
            Some(&b"fo"[..]),
            "padding optional"
        );
        assert_eq!(strip_data_url("data:text/plain;base64,Zm9v"), "Zm9v");
        // Misplaced or excess padding, a lone digit, a character outside both alphabets, and
        // bits left over that a canonical encoder would have zeroed.
        for bad in ["Zm9v!", "Z", "Zg=a", "Zg===", "Zm9=v", "Zh==", "Zm9v.YmE"] {
            assert_eq!(decode_base64(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_kind_of_a_file_comes_from_its_content() {
        assert_eq!(
            DocumentKind::detect(b"%PDF-1.7\n..."),
            Some(DocumentKind::Pdf)
        );
        assert_eq!(
            DocumentKind::detect(b"\n\n%PDF-1.4"),
            Some(DocumentKind::Pdf)
        );
        assert_eq!(
            DocumentKind::detect(b"\x89PNG\r\n\x1a\n\0\0"),
            Some(DocumentKind::Png)
        );
        assert_eq!(
            DocumentKind::detect(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(DocumentKind::Jpeg)
        );
        assert_eq!(
            DocumentKind::detect("Compte rendu\tété\r\n".as_bytes()),
            Some(DocumentKind::Text)
        );
        assert_eq!(DocumentKind::detect(b"PK\x03\x04zip"), None);
        assert_eq!(DocumentKind::detect(b"MZ\x90\0exe"), None);
        assert_eq!(DocumentKind::detect(&[0xC3, 0x28]), None, "not UTF-8");
        assert_eq!(DocumentKind::of_mime("text/html"), None);
        assert_eq!(DocumentKind::of_mime("image/svg+xml"), None);
        assert_eq!(normalized_mime(" Text/Plain; charset=UTF-8"), "text/plain");
        assert_eq!(
            DocumentKind::of_key("claim/attachments/2026/12/x.jpg"),
            Some(DocumentKind::Jpeg)
        );
    }

    #[test]
    fn only_http_and_https_addresses_with_a_host_are_links() {
        for good in [
            "https://example.org/report.pdf",
            "http://dms.local:8080/doc?id=4#p2",
            "HTTPS://user@Example.org",
            "https://[2001:db8::1]/x",
        ] {
            assert!(is_web_url(good), "{good}");
        }
        for bad in [
            "ftp://example.org/x",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://exa mple.org",
            "example.org",
            "file:///etc/passwd",
            "https://.org",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
