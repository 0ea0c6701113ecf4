//! Webhook POSTs: the body signed with HMAC-SHA256 of the subscriber's secret, sent only to
//! public addresses unless configured otherwise. The check is made on the addresses the
//! connection will use (our resolver hands the client only allowed ones), so a name that
//! resolves differently at delivery time than at subscription time is still caught, and
//! redirects are not followed.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use hmac::{Hmac, Mac};
use reqwest::{
    dns::{Addrs, Name, Resolve, Resolving},
    StatusCode,
};
use sha2::Sha256;
use uuid::Uuid;

use super::Attempt;
use crate::{config::WebhookSettings, domain::target};

/// `sha256=<hex HMAC-SHA256 of body>`, the `X-Prism-Signature` header.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts webhooks.
#[derive(Clone)]
pub struct Webhooks {
    client: reqwest::Client,
    allow_private: bool,
}

impl Webhooks {
    pub fn new(settings: &WebhookSettings) -> anyhow::Result<Self> {
        let resolver = Arc::new(Guarded {
            allow_private: settings.allow_private_targets,
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(settings.timeout_secs))
            .connect_timeout(Duration::from_secs(settings.timeout_secs.min(5)))
            .dns_resolver(resolver)
            .user_agent("PRISM-notification/1")
            .build()?;
        Ok(Self {
            client,
            allow_private: settings.allow_private_targets,
        })
    }

    /// Whether `url` may be posted to, as far as can be told before connecting: a refused
    /// reason otherwise. Names are resolved here too, so a subscription to a private name
    /// is refused at once rather than failing later.
    pub async fn check(&self, url: &str) -> Result<(), String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
        if self.allow_private {
            return Ok(());
        }
        let host = parsed.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = match host.parse() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("{host} does not resolve: {e}"))?
                .collect(),
        };
        match addrs.iter().find(|a| target::is_forbidden(a.ip())) {
            Some(addr) => Err(format!(
                "{host} resolves to {}, a private, loopback, link-local or metadata address",
                addr.ip()
            )),
            None => Ok(()),
        }
    }

    /// One signed POST of `body` to `url`.
    pub async fn post(&self, url: &str, secret: &str, event_id: Uuid, body: Vec<u8>) -> Attempt {
        // An IP literal never reaches the resolver, so it is checked here.
        if let Err(refused) = self.check_literal(url) {
            return Attempt::Permanent(refused);
        }
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("x-prism-event-id", event_id.to_string())
            .header("x-prism-signature", signature(secret, &body))
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                let message = format!("{error}: {}", chain(&error));
                return if message.contains(REFUSED) {
                    Attempt::Permanent(message)
                } else {
                    Attempt::Transient {
                        error: message,
                        after: None,
                    }
                };
            }
        };
        let status = response.status();
        if status.is_success() {
            return Attempt::Delivered;
        }
        let error = format!("the target answered {status}");
        match status {
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => Attempt::Transient {
                error,
                after: retry_after(response.headers()),
            },
            StatusCode::REQUEST_TIMEOUT => Attempt::Transient { error, after: None },
            s if s.is_server_error() => Attempt::Transient { error, after: None },
            // A redirect is not followed, and other 4xx answers will not change.
            _ => Attempt::Permanent(error),
        }
    }

    fn check_literal(&self, url: &str) -> Result<(), String> {
        if self.allow_private {
            return Ok(());
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
        let host = parsed.host_str().unwrap_or_default();
        match host.trim_start_matches('[').trim_end_matches(']').parse() {
            Ok(ip) if target::is_forbidden(ip) => Err(format!("{REFUSED}: {ip}")),
            _ => Ok(()),
        }
    }
}

const REFUSED: &str = "refused: private, loopback, link-local or metadata address";

fn chain(error: &dyn std::error::Error) -> String {
    std::iter::successors(error.source(), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

/// Resolves names, keeping only addresses a webhook may reach.
struct Guarded {
    allow_private: bool,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = all
                .into_iter()
                .filter(|a| allow_private || !target::is_forbidden(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{REFUSED}: {host}").into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
