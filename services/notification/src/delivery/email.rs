//! Email over SMTP with lettre.

use std::time::Duration;

use lettre::{
    message::{
        header::{ContentTransferEncoding, ContentType},
        Body, Mailbox,
    },
    AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
};

use super::Attempt;
use crate::config::EmailSettings;

/// Sends mail through the configured relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        // The relay is ours to configure (often one on loopback); TLS is its business.
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.smtp_host.as_str())
                .port(settings.smtp_port)
                .timeout(Some(Duration::from_secs(10)))
                .build();
        let from = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("email.from: {e}"))?;
        Ok(Self { transport, from })
    }

    /// Sends one plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Attempt {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(error) => return Attempt::Permanent(format!("address {to}: {error}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            // Quoted-printable keeps the ASCII parts (ids, times) readable in any mail tool.
            .body(
                Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
                    .unwrap_or_else(Body::new),
            );
        let message = match message {
            Ok(message) => message,
            Err(error) => return Attempt::Permanent(format!("building the message: {error}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Attempt::Delivered,
            Err(error) if error.is_permanent() => Attempt::Permanent(error.to_string()),
            Err(error) => Attempt::Transient {
                error: error.to_string(),
                after: None,
            },
        }
    }
}
