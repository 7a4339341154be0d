//! Logs of every function and worker: JSON lines on stdout, filtered by `RUST_LOG`. As a
//! last guard every line is masked before it is written, so no token, phone number or email
//! address reaches the logs in full, whatever an error message or a dependency says.

use std::{
    io::{self, Write},
    sync::LazyLock,
};

use regex_lite::{Captures, Regex};
use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

/// JSON lines on stdout (CloudWatch in Lambda), filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing::subscriber::set_global_default(json_logs(filter, Masked(io::stdout)));
}

/// The JSON log subscriber, writing through `writer` (tests give it a buffer).
pub fn json_logs<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_writer(writer)
        .finish()
}

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*").expect("JWT pattern")
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
        .expect("email pattern")
});
// An E.164 number (`+` and 8 to 15 digits), also inside a JSON string or after `tel:`.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+\d{6,13}(\d{2})\b").expect("phone pattern"));

/// A log line with tokens replaced, emails kept to their first letter, phone numbers to
/// their last two digits: `a***@***`, `+***00`, `[token]`.
pub fn mask(line: &str) -> String {
    let line = JWT.replace_all(line, "[token]");
    let line = EMAIL.replace_all(&line, |c: &Captures| format!("{}***@***", &c[1]));
    PHONE
        .replace_all(&line, |c: &Captures| format!("+***{}", &c[1]))
        .into_owned()
}

/// Masks what the inner writer gets. The fmt layer writes each event with one `write_all`,
/// so a line is masked whole.
#[derive(Clone, Copy)]
pub struct Masked<W>(pub W);

pub struct MaskedWriter<W: Write>(W);

impl<W: Write> Write for MaskedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Masked<M> {
    type Writer = MaskedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        MaskedWriter(self.0.make_writer())
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_tokens_emails_and_phone_numbers() {
        let line = r#"{"error":"Invalid parameter: PhoneNumber +8613800138000, to ann.lee@example.cn","auth":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY2NfMSJ9.c2lnbmF0dXJl"}"#;
        let masked = mask(line);
        assert!(!masked.contains("13800138000"), "{masked}");
        assert!(!masked.contains("ann.lee"), "{masked}");
        assert!(!masked.contains("example.cn"), "{masked}");
        assert!(!masked.contains("eyJzdWIi"), "{masked}");
        assert!(
            masked.contains("+***00") && masked.contains("a***@***") && masked.contains("[token]")
        );
        // Ids, times and counts stay readable.
        let plain = r#"{"route":"/v1/slots/{sid}","request_id":"01J0000000000000000000000","at":"2021-04-15T08:00:00Z","n":12345678}"#;
        assert_eq!(mask(plain), plain);
    }
}
